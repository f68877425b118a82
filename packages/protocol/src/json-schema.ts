import type { StandardSchemaV1 } from '@standard-schema/spec';
import { z } from 'zod';

/**
 * A Standard Schema that validates values against a JSON Schema, for schemas that arrive as JSON
 * (a manifest's `plugwork.params`, a descriptor's `params_schema`) rather than as code. Its
 * output applies the schema's `default`s. Reads the common draft-2020-12 / draft-7 keywords
 * (types, properties, required, additionalProperties, enum, const, bounds, lengths, pattern,
 * items, anyOf / oneOf / allOf, local `$ref`s); other keywords are ignored.
 *
 * @throws TypeError naming the problem when the schema cannot be read (an unknown `type`, a
 *   `$ref` that leads nowhere, a `pattern` that is not a regular expression)
 */
export function fromJsonSchema(
  schema: Record<string, unknown>,
): StandardSchemaV1<unknown, Record<string, unknown>> {
  try {
    return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]) as never;
  } catch (error) {
    throw new TypeError(
      `not a JSON Schema plugwork can read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
