import { writeFile } from 'node:fs/promises';
import {
  AdapterErrorCode,
  InvalidChunkError,
  type PluginCandidate,
  PluginConfigError,
  PluginDisposeError,
  PluginHost,
  PluginLoadError,
  PluginNotLoadedError,
  PluginParamsError,
  readPluginPackage,
  StreamingNotSupportedError,
} from '@plugwork/adapter-kit';
import { type AnyPlugin, definePlugin } from '@plugwork/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { makeTempDir, pluginSource, writePlugin } from './fixtures.ts';

/** A candidate that exists only in memory; the host below imports from `modules` instead. */
function candidate(name: string, manifest: Record<string, unknown> = {}): PluginCandidate {
  return {
    name,
    folder: `/virtual/${name}`,
    realFolder: `/virtual/${name}`,
    entryPath: `/virtual/${name}/index.js`,
    packageJson: { name, plugwork: manifest },
    manifest,
  };
}

/** A host whose "import" hands out the plugins registered in a map, in order per name. */
function hostWith(modules: Record<string, AnyPlugin | AnyPlugin[]>, events: unknown[] = []) {
  const counts = new Map<string, number>();
  return new PluginHost({
    importModule: async ({ name }) => {
      const entry = modules[name];
      const list = Array.isArray(entry) ? entry : [entry];
      const index = counts.get(name) ?? 0;
      counts.set(name, index + 1);
      const plugin = list[Math.min(index, list.length - 1)];
      if (plugin === undefined) throw new Error(`no module for ${name}`);
      return plugin;
    },
    onDisposeError: (error) => events.push(['dispose-error', error.code]),
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e as Error,
  );
}

/** A plugin that records its lifecycle in `events`. */
function recorder(events: unknown[], tag = 'v1') {
  return definePlugin({
    name: 'rec',
    configSchema: z.object({ size: z.number().int().positive().default(3), label: z.string() }),
    paramsSchema: z.object({ text: z.string(), times: z.number().int().min(1) }),
    setup: (config) => {
      events.push(['setup', tag, config]);
      return { tag, openedAt: events.length };
    },
    execute: ({ text, times }, context) => ({
      out: text.repeat(times),
      config: context.config,
      state: context.state,
      jobId: context.jobId,
    }),
    dispose: (state, config) => {
      events.push(['dispose', state.tag, config.label]);
    },
  });
}

describe('PluginHost: load and execute', () => {
  it('validates the config (applying defaults), runs setup, hands config and state to jobs', async () => {
    const events: unknown[] = [];
    const host = hostWith({ rec: recorder(events) });
    const loaded = await host.load(candidate('rec'), { label: 'a' });
    expect(loaded.config).toEqual({ size: 3, label: 'a' });
    expect(loaded.rawConfig).toEqual({ label: 'a' });
    expect(events).toEqual([['setup', 'v1', { size: 3, label: 'a' }]]);
    expect(host.names()).toEqual(['rec']);

    const result = await host.execute(
      'rec',
      { text: 'ab', times: 2 },
      {
        jobId: 'job-1',
        signal: new AbortController().signal,
        reportProgress: () => {},
      },
    );
    expect(result).toEqual({
      out: 'abab',
      config: { size: 3, label: 'a' },
      state: { tag: 'v1', openedAt: 1 },
      jobId: 'job-1',
    });
  });

  it('gives a default context when the caller has none', async () => {
    const host = hostWith({
      ctx: definePlugin({
        name: 'ctx',
        execute: (_params, context) => {
          context.reportProgress(0.5);
          return { jobId: context.jobId, aborted: context.signal.aborted };
        },
      }),
    });
    await host.load(candidate('ctx'));
    const result = (await host.execute('ctx', {})) as { jobId: string; aborted: boolean };
    expect(result.aborted).toBe(false);
    expect(result.jobId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('forwards progress and the abort signal of the caller', async () => {
    const progress: unknown[] = [];
    const controller = new AbortController();
    const host = hostWith({
      slow: definePlugin({
        name: 'slow',
        execute: async (_params, { signal, reportProgress }) => {
          reportProgress(0.25, 'quarter');
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
          return { cancelled: true };
        },
      }),
    });
    await host.load(candidate('slow'));
    const running = host.execute(
      'slow',
      {},
      {
        jobId: 'j',
        signal: controller.signal,
        reportProgress: (p, m) => progress.push([p, m]),
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    expect(await running).toEqual({ cancelled: true });
    expect(progress).toEqual([[0.25, 'quarter']]);
  });

  it('rejects an invalid config listing every failing field, and stays unloaded', async () => {
    const host = hostWith({ rec: recorder([]) });
    const error = await rejection(host.load(candidate('rec'), { size: -1 }));
    expect(error).toBeInstanceOf(PluginConfigError);
    const { issues, code, message } = error as PluginConfigError;
    expect(code).toBe(AdapterErrorCode.INVALID_CONFIG);
    expect(issues.map((issue) => issue.path).sort()).toEqual(['label', 'size']);
    expect(message).toMatch(
      /^The config of plugin "rec" \(\/virtual\/rec\) is invalid: .*size: .*label: /,
    );
    expect(host.get('rec')).toBeUndefined();
  });

  it('passes the config through unchanged when the plugin has no schema', async () => {
    const host = hostWith({
      raw: definePlugin({ name: 'raw', execute: (_p, { config }) => config }),
    });
    await host.load(candidate('raw'), { anything: [1, 2] });
    expect(await host.execute('raw', {})).toEqual({ anything: [1, 2] });
  });

  it('SETUP_FAILED when setup throws; the plugin is not loaded', async () => {
    const host = hostWith({
      bad: definePlugin({
        name: 'bad',
        setup: (): undefined => {
          throw new Error('no GPU');
        },
        execute: () => ({}),
      }),
    });
    const error = await rejection(host.load(candidate('bad')));
    expect(error).toBeInstanceOf(PluginLoadError);
    expect((error as PluginLoadError).code).toBe(AdapterErrorCode.SETUP_FAILED);
    expect(error.message).toContain('no GPU');
    expect(host.names()).toEqual([]);
  });

  it('NAME_MISMATCH when definePlugin names another plugin than the manifest', async () => {
    const host = hostWith({ alpha: definePlugin({ name: 'beta', execute: () => ({}) }) });
    const error = (await rejection(
      host.load(candidate('alpha', { name: 'alpha' })),
    )) as PluginLoadError;
    expect(error.code).toBe(AdapterErrorCode.NAME_MISMATCH);
    expect(error.message).toContain('calls itself "beta"');
    // Without a manifest name (the package name is used), any definePlugin name is fine.
    await expect(host.load(candidate('alpha'))).resolves.toBeDefined();
  });

  it('rejects invalid params listing every failing field', async () => {
    const host = hostWith({ rec: recorder([]) });
    await host.load(candidate('rec'), { label: 'x' });
    const error = await rejection(host.execute('rec', { times: 0 }));
    expect(error).toBeInstanceOf(PluginParamsError);
    expect((error as PluginParamsError).issues.map((issue) => issue.path).sort()).toEqual([
      'text',
      'times',
    ]);
    expect(error.message).toContain('The params of this job for plugin "rec" are invalid');
  });

  it('PluginNotLoadedError for a plugin that is not loaded; errors from execute pass through', async () => {
    const failure = new RangeError('plugin-specific');
    const host = hostWith({
      thrower: definePlugin({
        name: 'thrower',
        execute: () => {
          throw failure;
        },
      }),
    });
    expect(await rejection(host.execute('thrower', {}))).toBeInstanceOf(PluginNotLoadedError);
    await host.load(candidate('thrower'));
    expect(await rejection(host.execute('thrower', {}))).toBe(failure);
  });
});

describe('PluginHost: streaming', () => {
  async function collect(stream: AsyncIterable<string>): Promise<string[]> {
    const chunks: string[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    return chunks;
  }

  it('streams the chunks of async generators and of plain arrays', async () => {
    const host = hostWith({
      gen: definePlugin({
        name: 'gen',
        paramsSchema: z.object({ n: z.number() }),
        execute: () => ({}),
        async *stream({ n }, { config }) {
          for (let i = 0; i < n; i++) yield `${(config as { prefix: string }).prefix}${i}`;
        },
      }),
      arr: definePlugin({ name: 'arr', execute: () => ({}), stream: () => ['a', 'b'] }),
    });
    await host.load(candidate('gen'), { prefix: '#' });
    await host.load(candidate('arr'));
    expect(await collect(await host.stream('gen', { n: 3 }))).toEqual(['#0', '#1', '#2']);
    expect(await collect(await host.stream('arr', {}))).toEqual(['a', 'b']);
    // Params are checked before the stream is handed out.
    expect(await rejection(host.stream('gen', { n: 'x' }))).toBeInstanceOf(PluginParamsError);
  });

  it('refuses to stream a plugin without a stream hook', async () => {
    const host = hostWith({ flat: definePlugin({ name: 'flat', execute: () => ({}) }) });
    await host.load(candidate('flat'));
    const error = await rejection(host.stream('flat', {}));
    expect(error).toBeInstanceOf(StreamingNotSupportedError);
    expect(error.message).toContain('does not stream');
  });

  it('fails the stream on a chunk that is not a string, and on a stream that is no iterable', async () => {
    const host = hostWith({
      nums: definePlugin({ name: 'nums', execute: () => ({}), stream: () => ['ok', 42] as never }),
      str: definePlugin({ name: 'str', execute: () => ({}), stream: () => 'abc' as never }),
    });
    await host.load(candidate('nums'));
    await host.load(candidate('str'));
    const stream = await host.stream('nums', {});
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const chunk of stream) seen.push(chunk);
      })(),
    );
    expect(seen).toEqual(['ok']);
    expect(error).toBeInstanceOf(InvalidChunkError);
    expect(error.message).toContain('streamed a number chunk');
    const notIterable = await rejection(host.stream('str', {}));
    expect((notIterable as InvalidChunkError).code).toBe(AdapterErrorCode.INVALID_CHUNK);
  });
});

describe('PluginHost: unload and reload', () => {
  it('unload runs dispose with state and config; unloading again does nothing', async () => {
    const events: unknown[] = [];
    const host = hostWith({ rec: recorder(events) });
    await host.load(candidate('rec'), { label: 'a' });
    expect(await host.unload('rec')).toBe(true);
    expect(await host.unload('rec')).toBe(false);
    expect(events.at(-1)).toEqual(['dispose', 'v1', 'a']);
    expect(host.get('rec')).toBeUndefined();
  });

  it('a dispose that throws is reported, and the plugin is unloaded regardless', async () => {
    const host = hostWith({
      leaky: definePlugin({
        name: 'leaky',
        execute: () => ({}),
        dispose: () => {
          throw new Error('socket stuck');
        },
      }),
    });
    await host.load(candidate('leaky'));
    const error = await rejection(host.unload('leaky'));
    expect(error).toBeInstanceOf(PluginDisposeError);
    expect(error.message).toContain('socket stuck');
    expect(host.names()).toEqual([]);
  });

  it('reload validates the new config, disposes the old instance, sets up the new code', async () => {
    const events: unknown[] = [];
    const host = hostWith({ rec: [recorder(events, 'v1'), recorder(events, 'v2')] });
    await host.load(candidate('rec'), { label: 'a' });
    await host.reload(candidate('rec'), { label: 'b', size: 5 });
    expect(events).toEqual([
      ['setup', 'v1', { size: 3, label: 'a' }],
      ['dispose', 'v1', 'a'],
      ['setup', 'v2', { size: 5, label: 'b' }],
    ]);
    expect(host.get('rec')?.config).toEqual({ size: 5, label: 'b' });
  });

  it('reload without a config keeps the one it was loaded with', async () => {
    const events: unknown[] = [];
    const host = hostWith({ rec: recorder(events) });
    await host.load(candidate('rec'), { label: 'keep' });
    await host.reload(candidate('rec'));
    expect(host.get('rec')?.rawConfig).toEqual({ label: 'keep' });
    expect(events.at(-1)).toEqual(['setup', 'v1', { size: 3, label: 'keep' }]);
  });

  it('a reload with an invalid config leaves the running instance untouched', async () => {
    const events: unknown[] = [];
    const host = hostWith({ rec: recorder(events) });
    await host.load(candidate('rec'), { label: 'a' });
    expect(await rejection(host.reload(candidate('rec'), { label: 7 }))).toBeInstanceOf(
      PluginConfigError,
    );
    expect(events).toEqual([['setup', 'v1', { size: 3, label: 'a' }]]);
    expect(await host.execute('rec', { text: 'x', times: 1 })).toMatchObject({ out: 'x' });
  });

  it('a dispose that throws during a reload is reported and the reload goes ahead', async () => {
    const events: unknown[] = [];
    const leaky = definePlugin({
      name: 'leaky',
      execute: () => 'old',
      dispose: () => {
        throw new Error('stuck');
      },
    });
    const fresh = definePlugin({ name: 'leaky', execute: () => 'new' });
    const host = hostWith({ leaky: [leaky, fresh] }, events);
    await host.load(candidate('leaky'));
    await host.reload(candidate('leaky'));
    expect(events).toEqual([['dispose-error', 'DISPOSE_FAILED']]);
    expect(await host.execute('leaky', {})).toBe('new');
  });

  it('jobs submitted during a reload wait for it and run on the new instance', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const host = hostWith({
      gated: [
        definePlugin({ name: 'gated', execute: () => 'old' }),
        definePlugin({
          name: 'gated',
          setup: () => gate,
          execute: () => 'new',
        }),
      ],
    });
    await host.load(candidate('gated'));
    const reloading = host.reload(candidate('gated'));
    const job = host.execute('gated', {});
    release();
    await reloading;
    expect(await job).toBe('new');
  });

  it('unloadAll runs every dispose and reports all failures together', async () => {
    const events: unknown[] = [];
    const host = hostWith({
      rec: recorder(events),
      bad: definePlugin({
        name: 'bad',
        execute: () => ({}),
        dispose: () => {
          throw new Error('bad dispose');
        },
      }),
    });
    await host.load(candidate('rec'), { label: 'a' });
    await host.load(candidate('bad'));
    const error = await rejection(host.unloadAll());
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.message).toContain('bad dispose');
    expect(events.at(-1)).toEqual(['dispose', 'v1', 'a']);
    expect(host.names()).toEqual([]);
  });
});

describe('PluginHost with real files', () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  beforeEach(async () => {
    tmp = await makeTempDir();
  });
  afterEach(async () => {
    await tmp.remove();
  });

  it('a reload after the entry changed on disk runs the new code', async () => {
    const folder = await writePlugin(tmp.path, 'live', {
      files: { 'index.js': pluginSource(`{ name: 'live', execute: () => ({ version: 1 }) }`) },
    });
    const host = new PluginHost();
    const fresh = await readPluginPackage(folder);
    await host.load(fresh, {});
    expect(await host.execute('live', {})).toEqual({ version: 1 });
    await writeFile(
      fresh.entryPath,
      pluginSource(`{ name: 'live', execute: () => ({ version: 2 }) }`),
    );
    await host.reload(await readPluginPackage(folder));
    expect(await host.execute('live', {})).toEqual({ version: 2 });
    await host.unloadAll();
  });
});
