/** One Markdown heading, in document order. */
export interface Heading {
  /** 1 for `#`, 2 for `##`, … 6 for `######`. */
  depth: number;
  /** The heading's text with inline Markdown (links, code, emphasis) reduced to plain text. */
  text: string;
}

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;

/**
 * The headings of a Markdown document: ATX (`## Title`) and setext (`Title` underlined with
 * `===` or `---`). Lines inside fenced code blocks are skipped, since a `#` there is a comment,
 * not a heading.
 */
export function extractHeadings(markdown: string): Heading[] {
  const headings: Heading[] = [];
  let fence: string | undefined;
  let previous: string | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const marker = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      // A fence closes with the same character, at least as long as the opening one.
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) {
        fence = undefined;
      }
      previous = undefined;
      continue;
    }
    if (marker !== undefined) {
      fence = marker;
      previous = undefined;
      continue;
    }
    const atx = ATX.exec(line);
    if (atx !== null) {
      headings.push({ depth: atx[1]!.length, text: plainText(atx[2] ?? '') });
      previous = undefined;
      continue;
    }
    const setext = SETEXT.exec(line);
    if (setext !== null && previous !== undefined) {
      headings.push({ depth: setext[1]!.startsWith('=') ? 1 : 2, text: plainText(previous) });
      previous = undefined;
      continue;
    }
    previous = line.trim() === '' || /^ {4}|^\t/.test(line) ? undefined : line.trim();
  }
  return headings.filter((heading) => heading.text !== '');
}

/** Inline Markdown to the text a reader sees: `[a](b)` -> `a`, `` `c` `` -> `c`, `**d**` -> `d`. */
function plainText(inline: string): string {
  return inline
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(\*|_)(.+?)\1/g, '$2')
    .trim();
}
