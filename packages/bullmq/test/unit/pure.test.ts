import { describe, expect, it } from 'vitest';
import { nextStreamId } from '../../src/chunk-entries.ts';
import { parseNodeArgs } from '../../src/cli/args.ts';
import { compareIds } from '../../src/client/chunk-reader.ts';
import { toRedisOptions } from '../../src/connection.ts';
import { decodeFailure, encodeFailure, statusOf } from '../../src/job-data.ts';
import { findNonJson } from '../../src/json-check.ts';
import { pluginOfQueue, queueName } from '../../src/keys.ts';
import { toJobsOptions } from '../../src/submit-options.ts';

describe('stream ids', () => {
  it('orders by time, then sequence, numerically', () => {
    expect(compareIds('1700000000000-2', '1700000000000-10')).toBeLessThan(0);
    expect(compareIds('1700000000001-0', '1700000000000-99')).toBeGreaterThan(0);
    expect(compareIds('5-5', '5-5')).toBe(0);
  });

  it('the next id is the smallest after it', () => {
    expect(nextStreamId('1700000000000-9')).toBe('1700000000000-10');
    expect(compareIds(nextStreamId('3-0'), '3-0')).toBeGreaterThan(0);
  });
});

describe('failures in BullMQ records', () => {
  it('round-trip through failedReason', () => {
    const failure = { code: 'JOB_TIMEOUT' as const, message: 'Job 1 (plugin "p") timed out' };
    expect(decodeFailure('1', 'p', encodeFailure(failure))).toEqual(failure);
  });

  it("a reason plugwork did not write is the plugin's error, with the text kept", () => {
    expect(decodeFailure('7', 'p', 'job stalled more than allowable limit')).toEqual({
      code: 'PLUGIN_ERROR',
      message: 'Job 7 (plugin "p") failed: job stalled more than allowable limit',
    });
    expect(decodeFailure('7', 'p', '[NOT_A_CODE] x').code).toBe('PLUGIN_ERROR');
  });

  it('a failed BullMQ job with the cancel code is cancelled', () => {
    expect(statusOf('failed', { code: 'JOB_CANCELLED', message: '' })).toBe('cancelled');
    expect(statusOf('failed', { code: 'PLUGIN_ERROR', message: '' })).toBe('failed');
    expect(statusOf('prioritized', undefined)).toBe('pending');
    expect(statusOf('active', undefined)).toBe('running');
  });
});

describe('findNonJson', () => {
  it('accepts plain JSON, finds the first thing that is not', () => {
    expect(findNonJson({ a: [1, 'x', null, { b: true }] }, 'params')).toBeUndefined();
    expect(findNonJson({ a: { b: undefined } }, 'params')).toBe(
      'params.a.b: undefined is not JSON (leave the key out, or pass null)',
    );
    expect(findNonJson({ m: new Map() }, 'params')).toMatch(/^params\.m: a Map/);
    expect(findNonJson({ n: 10n }, 'params')).toBe(
      'params.n: a bigint is not JSON (pass a number or a string)',
    );
    expect(findNonJson({ n: Number.POSITIVE_INFINITY }, 'params')).toMatch(
      /Infinity is not a JSON number/,
    );
    const shared = { x: 1 };
    expect(findNonJson({ a: shared, b: shared }, 'params')).toBeUndefined();
  });
});

describe('names and options', () => {
  it('queue names keep every plugin name apart, and without ":"', () => {
    for (const name of ['a:b', 'a%3Ab', '@scope/p', 'ünï']) {
      expect(queueName(name)).not.toContain(':');
      expect(pluginOfQueue(queueName(name))).toBe(name);
    }
    expect(queueName('a:b')).not.toBe(queueName('a%3Ab'));
  });

  it('redis URLs', () => {
    expect(toRedisOptions('redis://u:p%40ss@10.0.0.5:6380/2')).toMatchObject({
      host: '10.0.0.5',
      port: 6380,
      username: 'u',
      password: 'p@ss',
      db: 2,
      tls: undefined,
    });
    expect(toRedisOptions('rediss://[::1]')).toMatchObject({ host: '::1', port: 6379, tls: {} });
    expect(() => toRedisOptions('http://x')).toThrow(/not a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('submit options onto BullMQ job options', () => {
    expect(
      toJobsOptions(
        {
          attempts: 3,
          backoff: { type: 'exponential', delay: 100 },
          priority: 2,
          delay: 5,
          removeOnComplete: { age: 60 },
          removeOnFail: 10,
        },
        'id-1',
      ),
    ).toEqual({
      jobId: 'id-1',
      attempts: 3,
      backoff: { type: 'exponential', delay: 100 },
      priority: 2,
      delay: 5,
      removeOnComplete: { age: 60, count: undefined },
      removeOnFail: 10,
    });
    expect(toJobsOptions({}, 'x')).toEqual({ jobId: 'x', attempts: 1 });
  });

  it('the command line', () => {
    expect(
      parseNodeArgs([
        '--redis=redis://h',
        '--plugins',
        'a',
        '--plugins',
        'b',
        '--pool',
        '3',
        '--no-watch',
      ]),
    ).toMatchObject({
      redis: 'redis://h',
      plugins: ['a', 'b'],
      pool: 3,
      watch: false,
    });
    expect(() => parseNodeArgs(['--redis', 'redis://h', '--plugins'])).toThrow(
      /a value after --plugins is required/,
    );
    expect(() => parseNodeArgs(['--redis', 'redis://h', '--plugin', 'a'])).toThrow(
      /unknown option --plugin/,
    );
  });
});
