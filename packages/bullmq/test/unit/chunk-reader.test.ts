import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ChunkReader } from '../../src/client/chunk-reader.ts';
import { RemoteChunkStream } from '../../src/client/remote-chunk-stream.ts';

describe('ChunkReader', () => {
  it('never sends an XREAD of no stream when the only job ends while it asks for its client id', async () => {
    const errors: unknown[] = [];
    const reads: unknown[][] = [];
    let answerId: (id: number) => void = () => {};
    // The blocking connection: CLIENT ID answers when the test says so; XREAD is recorded.
    const blocking = {
      client: () => new Promise<number>((resolve) => (answerId = resolve)),
      xread: async (...args: unknown[]) => {
        reads.push(args);
        if (args.at(-1) === 'STREAMS') throw new Error('ERR syntax error');
        return null;
      },
      disconnect: () => {},
      on: () => {},
    } as unknown as Redis;
    const commands = {
      xrange: async () => [],
      client: async () => 0,
    } as unknown as Redis;
    const reader = new ChunkReader(blocking, commands, (error) => errors.push(error));
    const stream = new RemoteChunkStream(
      'job-1',
      'echo',
      () => {},
      () => {},
    );
    reader.add('stream:job-1', stream);
    await new Promise((resolve) => setImmediate(resolve));
    // The job ends (its stream settled) before CLIENT ID is answered.
    await reader.settle('stream:job-1', { status: 'completed' } as never, undefined);
    answerId(42);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await reader.close();
    expect(errors).toEqual([]);
    expect(reads.filter((args) => args.at(-1) === 'STREAMS')).toEqual([]);
  });
});
