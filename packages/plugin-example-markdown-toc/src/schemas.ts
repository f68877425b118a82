import { z } from 'zod';

/**
 * The plugin's config. package.json's `plugwork.config` holds the same shape as JSON Schema, so
 * a UI can render the form before the plugin is loaded; a test keeps the two in step.
 */
export const configSchema = z
  .strictObject({
    minDepth: z.number().int().min(1).max(6).default(1),
    maxDepth: z.number().int().min(1).max(6).default(3),
    bullet: z.enum(['-', '*']).default('-'),
  })
  .refine((config) => config.minDepth <= config.maxDepth, {
    message: 'must not be greater than maxDepth',
    path: ['minDepth'],
  });

export type MarkdownTocConfig = z.output<typeof configSchema>;

/** Each job's params. */
export const paramsSchema = z.strictObject({
  /** The Markdown document. */
  markdown: z.string(),
});

export type MarkdownTocParams = z.output<typeof paramsSchema>;
