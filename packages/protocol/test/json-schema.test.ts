import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  fromJsonSchema,
  pluginDescriptorSchema,
  pluginManifestSchema,
  toJsonSchema,
  ValidationError,
  validateWithSchema,
} from '../src/index.ts';

const paramsSchema = {
  type: 'object',
  required: ['text'],
  properties: {
    text: { type: 'string', minLength: 1 },
    top: { type: 'integer', minimum: 0, maximum: 50, default: 5 },
    mode: { enum: ['words', 'lines'] },
  },
  additionalProperties: false,
};

describe('fromJsonSchema', () => {
  it('validates with a JSON Schema and applies its defaults', async () => {
    const schema = fromJsonSchema(paramsSchema);
    expect(await validateWithSchema(schema, { text: 'hi' }, 'Params')).toEqual({
      text: 'hi',
      top: 5,
    });
  });

  it('names every failing field, not only the first', async () => {
    const schema = fromJsonSchema(paramsSchema);
    const error = await validateWithSchema(
      schema,
      { top: 2.5, mode: 'chars', extra: true },
      'Params of plugin "p"',
    ).then(
      () => expect.unreachable(),
      (e: unknown) => e as ValidationError,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['', 'mode', 'text', 'top']);
    expect(error.message).toMatch(/^Params of plugin "p" is invalid: /);
  });

  it('reads what toJsonSchema writes: a zod schema survives the round trip', async () => {
    const zod = z.strictObject({ rounds: z.number().int().min(1).default(10), seed: z.string() });
    const schema = fromJsonSchema(toJsonSchema(zod)!);
    expect(await validateWithSchema(schema, { seed: 'x' }, 'Params')).toEqual({
      rounds: 10,
      seed: 'x',
    });
    await expect(validateWithSchema(schema, { rounds: 0, seed: 'x' }, 'Params')).rejects.toThrow(
      /rounds: /,
    );
  });

  it('refuses a schema it cannot read, saying why', () => {
    expect(() => fromJsonSchema({ type: 'text' })).toThrow(
      /^not a JSON Schema plugwork can read: .*text/,
    );
    expect(() =>
      fromJsonSchema({ type: 'object', properties: { a: { $ref: '#/$defs/missing' } } }),
    ).toThrow(/not a JSON Schema plugwork can read/);
  });
});

describe('params schemas in manifests and descriptors', () => {
  it('a manifest may carry `params`; a descriptor carries `params_schema`', () => {
    expect(pluginManifestSchema.parse({ name: 'p', params: paramsSchema }).params).toEqual(
      paramsSchema,
    );
    expect(pluginManifestSchema.safeParse({ name: 'p', params: 'text' }).success).toBe(false);
    const descriptor = pluginDescriptorSchema.parse({
      name: 'p',
      streaming: false,
      source: 'fs',
      params_schema: paramsSchema,
    });
    expect(descriptor.params_schema).toEqual(paramsSchema);
    expect(
      pluginDescriptorSchema.safeParse({
        name: 'p',
        streaming: false,
        source: 'fs',
        params_schema: 1,
      }).success,
    ).toBe(false);
  });
});
