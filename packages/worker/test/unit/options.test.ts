import { DEFAULTS, InvalidOptionsError, JobManager, WorkerErrorCode } from '@plugwork/worker';
import { describe, expect, it } from 'vitest';
import { TEST_ADAPTER } from '../helpers.ts';

function optionError(options: unknown): InvalidOptionsError {
  try {
    new JobManager(options as never);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return error as InvalidOptionsError;
  }
  return expect.fail('the options were accepted');
}

describe('JobManager options', () => {
  it('needs an adapter', () => {
    const error = optionError({});
    expect(error.option).toBe('adapter');
    expect(error.message).toBe('Invalid JobManager option "adapter": is required');
    expect(error.code).toBe(WorkerErrorCode.INVALID_OPTIONS);
  });

  it('rejects something that is not an options object', () => {
    expect(optionError(undefined).message).toMatch(/pass an object/);
  });

  it.each([
    [{ poolSize: 0 }, 'poolSize'],
    [{ poolSize: 1.5 }, 'poolSize'],
    [{ queue: { maxSize: -1 } }, 'queue.maxSize'],
    [{ timeouts: { startMs: 'soon' } }, 'timeouts.startMs'],
    [{ restart: { policy: 'sometimes' } }, 'restart.policy'],
    [{ worker: { execArgv: '--inspect' } }, 'worker.execArgv'],
    [{ pluginConfigs: { echo: 'not an object' } }, 'pluginConfigs.echo'],
    [{ broadcaster: { send() {} } }, 'broadcaster'],
    [{ registry: {} }, 'registry'],
  ])('names the bad option in %j', (bad, option) => {
    const error = optionError({ adapter: { module: TEST_ADAPTER }, ...bad });
    expect(error.option).toBe(option);
    expect(error.message).toContain(`"${option}"`);
  });

  it('takes process.env itself as worker.env', () => {
    expect(
      () => new JobManager({ adapter: { module: TEST_ADAPTER }, worker: { env: process.env } }),
    ).not.toThrow();
  });

  it('names an unknown (misspelt) option', () => {
    const error = optionError({ adapter: { module: TEST_ADAPTER }, poolsize: 2 });
    expect(error.option).toBe('poolsize');
    expect(error.message).toMatch(/no such option/);
    expect(optionError({ adapter: { module: TEST_ADAPTER }, timeouts: { jobMS: 1 } }).option).toBe(
      'timeouts.jobMS',
    );
  });

  it('refuses pluginConfigs together with a registry', () => {
    const registry = {
      getPluginsByCategory: () => [],
      getPlugin: () => undefined,
      loadPluginConfig: () => undefined,
    };
    expect(
      optionError({ adapter: { module: TEST_ADAPTER }, pluginConfigs: {}, registry }).option,
    ).toBe('registry');
  });

  it('refuses a backoff ceiling below its base', () => {
    const error = optionError({
      adapter: { module: TEST_ADAPTER },
      restart: { baseDelayMs: 1_000, maxDelayMs: 10 },
    });
    expect(error.option).toBe('restart.maxDelayMs');
  });

  it('reports an adapter package that cannot be resolved from the current directory', () => {
    const error = optionError({ adapter: { module: '@plugwork/no-such-adapter' } });
    expect(error.option).toBe('adapter.module');
    expect(error.message).toContain(process.cwd());
  });

  it('accepts a URL object, an absolute path and a relative path for the adapter', () => {
    const url = new URL(TEST_ADAPTER);
    expect(() => new JobManager({ adapter: { module: url } })).not.toThrow();
    expect(() => new JobManager({ adapter: { module: url.pathname } })).not.toThrow();
    expect(
      () => new JobManager({ adapter: { module: './test/fixtures/test-adapter.mjs' } }),
    ).not.toThrow();
  });

  it('documents its defaults', () => {
    expect(DEFAULTS).toMatchObject({
      poolSize: 1,
      maxLoadedPlugins: 1,
      queue: { maxSize: 1_000 },
      restart: { policy: 'backoff' },
    });
  });

  it('refuses calls before start() with a clear error', () => {
    const manager = new JobManager({ adapter: { module: TEST_ADAPTER } });
    expect(() => manager.submit('echo')).toThrow(/has not started/);
  });
});
