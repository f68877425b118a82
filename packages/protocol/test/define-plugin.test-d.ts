import * as v from 'valibot';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { definePlugin, type Plugin, type PluginContext } from '../src/index.ts';

describe('definePlugin inference', () => {
  it('infers config from a zod configSchema (output type, defaults applied)', () => {
    definePlugin({
      name: 'greet',
      configSchema: z.object({ greeting: z.string().default('Hello'), times: z.number() }),
      execute: (_params, context) => {
        expectTypeOf(context.config).toEqualTypeOf<{ greeting: string; times: number }>();
        return { text: context.config.greeting };
      },
    });
  });

  it('infers params from a paramsSchema', () => {
    definePlugin({
      name: 'upper',
      paramsSchema: z.object({ text: z.string(), count: z.number().optional() }),
      execute: (params) => {
        expectTypeOf(params).toEqualTypeOf<{ text: string; count?: number | undefined }>();
        return params.text.toUpperCase();
      },
    });
  });

  it('infers params from the annotation on execute when there is no schema', () => {
    const plugin = definePlugin({
      name: 'annotated',
      execute: (params: { path: string }) => params.path.length,
    });
    expectTypeOf(plugin).toEqualTypeOf<
      Plugin<Record<string, unknown>, { path: string }, undefined, number>
    >();
  });

  it('infers state from setup and passes it to execute, stream and dispose', () => {
    definePlugin({
      name: 'stateful',
      configSchema: v.object({ size: v.number() }),
      setup: (config) => {
        expectTypeOf(config).toEqualTypeOf<{ size: number }>();
        return { buffer: new Uint8Array(config.size) };
      },
      execute: (_params, context) => {
        expectTypeOf(context.state).toEqualTypeOf<{ buffer: Uint8Array<ArrayBuffer> }>();
        return { size: context.state.buffer.byteLength };
      },
      async *stream(_params, context) {
        expectTypeOf(context.state.buffer).toEqualTypeOf<Uint8Array<ArrayBuffer>>();
        yield 'chunk';
      },
      dispose: (state, config) => {
        expectTypeOf(state).toEqualTypeOf<{ buffer: Uint8Array<ArrayBuffer> }>();
        expectTypeOf(config).toEqualTypeOf<{ size: number }>();
      },
    });
  });

  it('gives execute a context with an AbortSignal and a progress reporter', () => {
    definePlugin({
      name: 'ctx',
      execute: (_params, context) => {
        expectTypeOf(context).toExtend<PluginContext<Record<string, unknown>, undefined>>();
        expectTypeOf(context.signal).toEqualTypeOf<AbortSignal>();
        expectTypeOf(context.reportProgress).toEqualTypeOf<
          (progress: number, message?: string) => void
        >();
        expectTypeOf(context.jobId).toEqualTypeOf<string>();
        return null;
      },
    });
  });

  it('infers the result type', () => {
    const plugin = definePlugin({ name: 'r', execute: async () => ({ ok: true as const }) });
    expectTypeOf(plugin.execute).returns.resolves.toEqualTypeOf<{ ok: true }>();
  });

  it('rejects a stream hook that yields non-strings and a missing execute', () => {
    definePlugin({
      name: 'bad-stream',
      execute: () => null,
      // @ts-expect-error stream must yield strings
      async *stream() {
        yield 1;
      },
    });
    // @ts-expect-error execute is required
    definePlugin({ name: 'no-execute' });
  });
});
