import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  definePlugin,
  isPlugin,
  isStandardSchema,
  PLUGIN_MARK,
  toJsonSchema,
  ValidationError,
  validateWithSchema,
} from '../src/index.ts';

describe('definePlugin', () => {
  it('returns a frozen, marked plugin that keeps every hook', () => {
    const setup = () => 1;
    const plugin = definePlugin({ name: 'p', setup, execute: () => 'ok' });
    expect(isPlugin(plugin)).toBe(true);
    expect(Object.isFrozen(plugin)).toBe(true);
    expect(plugin.setup).toBe(setup);
    expect(plugin[PLUGIN_MARK]).toBe(true);
  });

  it('recognises plugins made by another copy of the package (Symbol.for mark)', () => {
    const foreign = { name: 'x', execute() {}, [Symbol.for('plugwork.plugin')]: true };
    expect(isPlugin(foreign)).toBe(true);
  });

  it('does not take look-alikes for plugins', () => {
    expect(isPlugin({ name: 'x', execute() {} })).toBe(false);
    expect(isPlugin(null)).toBe(false);
    expect(isPlugin(() => {})).toBe(false);
    expect(isPlugin({ [Symbol.for('plugwork.plugin')]: true, name: 'x' })).toBe(false);
  });

  it('says what is missing when a definition is incomplete', () => {
    expect(() => definePlugin({ name: '', execute: () => 1 })).toThrow(
      /`name` must be a non-empty/,
    );
    // @ts-expect-error execute is required
    expect(() => definePlugin({ name: 'p' })).toThrow(/plugin "p" needs an `execute` function/);
    expect(() =>
      // @ts-expect-error setup must be a function
      definePlugin({ name: 'p', execute: () => 1, setup: 'nope' }),
    ).toThrow(/`setup` of plugin "p" must be a function/);
  });
});

describe('Standard Schema support', () => {
  it('validates with zod and lists every failing field', async () => {
    const schema = z.object({ width: z.number().positive(), format: z.enum(['png', 'jpeg']) });
    await expect(
      validateWithSchema(schema, { width: 10, format: 'png' }, 'Config'),
    ).resolves.toEqual({ width: 10, format: 'png' });
    const error = await validateWithSchema(schema, { width: -1, format: 'gif' }, 'Config of "x"')
      .then(() => undefined)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues.map((issue) => issue.path)).toStrictEqual(['width', 'format']);
    expect((error as ValidationError).message).toMatch(
      /^Config of "x" is invalid: width: .+; format: /,
    );
  });

  it('validates with valibot, nested paths included', async () => {
    const schema = v.object({ limits: v.object({ max: v.number() }) });
    const error = await validateWithSchema(schema, { limits: { max: 'x' } }, 'Params').catch(
      (caught: unknown) => caught,
    );
    expect((error as ValidationError).issues[0]!.path).toBe('limits.max');
  });

  it('turns a zod schema into JSON Schema for UIs and returns undefined when it cannot', () => {
    const schema = z.object({ lowercase: z.boolean().default(false) });
    expect(isStandardSchema(schema)).toBe(true);
    expect(toJsonSchema(schema)).toMatchObject({
      type: 'object',
      properties: { lowercase: { type: 'boolean', default: false } },
    });
    expect(toJsonSchema(v.object({}))).toBeUndefined();
    expect(toJsonSchema({})).toBeUndefined();
  });
});
