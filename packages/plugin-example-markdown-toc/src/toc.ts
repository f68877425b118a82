import GithubSlugger from 'github-slugger';
import type { Heading } from './headings.ts';

/** A heading listed in the table of contents, with the anchor GitHub gives it. */
export interface TocEntry extends Heading {
  /** The anchor, without `#`: what GitHub (and most Markdown renderers) link the heading as. */
  slug: string;
}

export interface TocOptions {
  /** Shallowest heading level listed. */
  minDepth: number;
  /** Deepest heading level listed. */
  maxDepth: number;
  /** List marker. */
  bullet: '-' | '*';
}

export interface Toc {
  entries: TocEntry[];
  /** The table of contents as Markdown list lines, nested by depth. */
  lines: string[];
}

/**
 * Build a table of contents. Anchors are computed for every heading in document order, listed
 * or not, because that is how GitHub numbers repeated titles (`usage`, `usage-1`, …).
 */
export function buildToc(headings: readonly Heading[], options: TocOptions): Toc {
  const slugger = new GithubSlugger();
  const entries: TocEntry[] = [];
  for (const heading of headings) {
    const slug = slugger.slug(heading.text);
    if (heading.depth >= options.minDepth && heading.depth <= options.maxDepth) {
      entries.push({ ...heading, slug });
    }
  }
  const top = Math.min(...entries.map((entry) => entry.depth));
  const lines = entries.map(
    (entry) =>
      `${'  '.repeat(entry.depth - top)}${options.bullet} [${escapeLinkText(entry.text)}](#${entry.slug})`,
  );
  return { entries, lines };
}

function escapeLinkText(text: string): string {
  return text.replace(/[[\]\\]/g, '\\$&');
}
