import type { z } from 'zod';
import { AdapterOptionsError } from './errors.ts';

/**
 * Parse an adapter factory's options with a zod schema. Options usually arrive as JSON from an
 * adapter spec, typed by hand; a mistake becomes an AdapterOptionsError listing every field.
 *
 * @param adapterName how the error names the adapter, e.g. `@plugwork/adapter-fs`
 */
export function parseAdapterOptions<TSchema extends z.ZodType>(
  schema: TSchema,
  options: unknown,
  adapterName: string,
): z.output<TSchema> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  throw new AdapterOptionsError(
    adapterName,
    parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    })),
  );
}
