import { InvalidOptionsError, JobManager } from '@plugwork/worker';
import { describe, expect, it } from 'vitest';
import { TEST_ADAPTER } from '../helpers.ts';

function optionError(options: Record<string, unknown>): InvalidOptionsError {
  try {
    new JobManager({ adapter: { module: TEST_ADAPTER }, ...options } as never);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return error as InvalidOptionsError;
  }
  return expect.fail('the options were accepted');
}

describe('runtime and permissions options', () => {
  it('accepts node and deno, with or without a sandbox', () => {
    for (const runtime of ['node', 'deno']) {
      expect(
        () => new JobManager({ adapter: { module: TEST_ADAPTER }, runtime } as never),
      ).not.toThrow();
      expect(
        () =>
          new JobManager({
            adapter: { module: TEST_ADAPTER },
            runtime,
            permissions: {
              read: ['./plugins'],
              write: [],
              net: ['example.com:443'],
              childProcess: true,
            },
          } as never),
      ).not.toThrow();
    }
  });

  it.each([
    [{ runtime: 'bun' }, 'runtime'],
    [{ permissions: { read: 'plugins' } }, 'permissions.read'],
    [{ permissions: { read: [''] } }, 'permissions.read.0'],
    [{ permissions: { net: 'yes' } }, 'permissions.net'],
    [{ permissions: { childProcess: 1 } }, 'permissions.childProcess'],
    [{ worker: { denoPath: '' } }, 'worker.denoPath'],
  ])('rejects %j naming %s', (options, option) => {
    expect(optionError(options).option).toBe(option);
  });

  it('names an unknown permission', () => {
    const error = optionError({ permissions: { env: true } });
    expect(error.option).toBe('permissions.env');
  });
});
