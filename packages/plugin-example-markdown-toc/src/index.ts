export { extractHeadings, type Heading } from './headings.ts';
export { default } from './plugin.ts';
export {
  configSchema,
  type MarkdownTocConfig,
  type MarkdownTocParams,
  paramsSchema,
} from './schemas.ts';
export { buildToc, type Toc, type TocEntry, type TocOptions } from './toc.ts';
