import { describe, expect, it } from 'vitest';
import { RemoteChunkStream } from '../../src/client/remote-chunk-stream.ts';
import { StreamInterruptedError, StreamMisuseError } from '../../src/errors.ts';

function streamWithLog() {
  const chunks: string[] = [];
  const consumed: string[] = [];
  const stream = new RemoteChunkStream(
    'job-1',
    'echo',
    (chunk) => chunks.push(chunk),
    (id) => consumed.push(id),
  );
  return { stream, chunks, consumed };
}

describe('RemoteChunkStream', () => {
  it('holds chunks, unconsumed, until a late iterator takes them; consumes each as it is taken', async () => {
    const { stream, chunks, consumed } = streamWithLog();
    stream.push('1-0', 'a');
    stream.push('2-0', 'b');
    expect(chunks).toEqual(['a', 'b']);
    expect(consumed).toEqual([]);
    const iterator = stream.iterator();
    expect(await iterator.next()).toEqual({ value: 'a', done: false });
    expect(consumed).toEqual(['1-0']);
    const pending = iterator.next();
    const late = iterator.next();
    expect(await pending).toEqual({ value: 'b', done: false });
    stream.push('3-0', 'c');
    expect(await late).toEqual({ value: 'c', done: false });
    expect(consumed).toEqual(['1-0', '2-0', '3-0']);
    stream.finish('4-0', { status: 'completed' } as never);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(consumed.at(-1)).toBe('4-0');
  });

  it('release: what was held is consumed up to its last entry, later chunks on arrival', () => {
    const { stream, consumed } = streamWithLog();
    stream.push('1-0', 'a');
    stream.push('2-0', 'b');
    stream.release();
    expect(consumed).toEqual(['2-0']);
    stream.push('3-0', 'c');
    expect(consumed).toEqual(['2-0', '3-0']);
    expect(() => stream.iterator()).toThrow(StreamMisuseError);
  });

  it('breaking out consumes what was held up to its last entry, later chunks on arrival', async () => {
    const { stream, consumed } = streamWithLog();
    const iterator = stream.iterator();
    stream.push('1-0', 'a');
    stream.push('2-0', 'b');
    expect(await iterator.return?.()).toEqual({ value: undefined, done: true });
    expect(consumed).toEqual(['2-0']);
    stream.push('3-0', 'c');
    expect(consumed).toEqual(['2-0', '3-0']);
    expect(() => stream.iterator()).toThrow('already being iterated');
  });

  it('breaking out ends a reader that was waiting', async () => {
    const { stream } = streamWithLog();
    const iterator = stream.iterator();
    const pending = iterator.next();
    await iterator.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('a retry drops stale chunks; once something was yielded it ends the stream with an error', async () => {
    const { stream, consumed } = streamWithLog();
    const iterator = stream.iterator();
    stream.push('1-0', 'stale');
    stream.attempt('2-0', 2);
    expect(consumed).toEqual(['2-0']);
    stream.push('3-0', 'fresh');
    expect(await iterator.next()).toEqual({ value: 'fresh', done: false });
    stream.attempt('4-0', 3);
    await expect(iterator.next()).rejects.toBeInstanceOf(StreamInterruptedError);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(stream.ended).toBe(true);
  });

  it('nothing is consumed after the end', () => {
    const { stream, chunks, consumed } = streamWithLog();
    stream.iterator();
    stream.push('1-0', 'kept');
    stream.end();
    stream.push('2-0', 'ignored');
    expect(chunks).toEqual(['kept']);
    expect(consumed).toEqual([]);
  });
});
