import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
import { ValidationError, type ValidationIssue } from './errors.ts';

export type { StandardJSONSchemaV1, StandardSchemaV1 };

/**
 * Validate a value with any Standard Schema (zod, valibot, arktype, …). Resolves with the
 * schema's output or rejects with a ValidationError that lists every failing field.
 *
 * @param subject how the error names the value, e.g. `Config of plugin "resize"`
 */
export async function validateWithSchema<TOutput>(
  schema: StandardSchemaV1<unknown, TOutput>,
  value: unknown,
  subject: string,
): Promise<TOutput> {
  let result = schema['~standard'].validate(value);
  if (result instanceof Promise) result = await result;
  if (result.issues === undefined) return result.value;
  throw new ValidationError(subject, result.issues.map(toValidationIssue));
}

function toValidationIssue(issue: StandardSchemaV1.Issue): ValidationIssue {
  const path = (issue.path ?? [])
    .map((segment) => (typeof segment === 'object' ? segment.key : segment))
    .map(String)
    .join('.');
  return { path, message: issue.message };
}

/** True for a value that implements the Standard Schema interface. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props = (value as { '~standard'?: unknown })['~standard'];
  return (
    typeof props === 'object' &&
    props !== null &&
    typeof (props as { validate?: unknown }).validate === 'function'
  );
}

/**
 * The JSON Schema of what a schema accepts (its input), for config forms in UIs. Undefined when
 * the schema library does not implement Standard JSON Schema or cannot express the schema.
 */
export function toJsonSchema(schema: unknown): Record<string, unknown> | undefined {
  if (!isStandardSchema(schema)) return undefined;
  const props = schema['~standard'] as Partial<StandardJSONSchemaV1.Props>;
  const converter = props.jsonSchema;
  if (!converter) return undefined;
  try {
    return converter.input({ target: 'draft-2020-12' });
  } catch {
    return undefined;
  }
}
