import { describe, expect, it } from 'vitest';
import { JobError, StreamUnavailableError, WorkerErrorCode } from '../../src/errors.ts';
import { JobStream } from '../../src/parent/job-stream.ts';

function streamWithAcks(threshold = 10) {
  const acks: number[] = [];
  const stream = new JobStream('job-1', (characters) => acks.push(characters), threshold);
  return { stream, acks };
}

describe('JobStream', () => {
  it('pull mode: holds chunks for the iterator and acknowledges only what it took', async () => {
    const { stream, acks } = streamWithAcks(10);
    const iterator = stream.iterator();
    stream.push('aaaa');
    stream.push('bbbb');
    stream.push('cccc');
    expect(acks).toEqual([]);
    expect(stream.bufferedCharacters).toBe(12);
    expect(await iterator.next()).toEqual({ value: 'aaaa', done: false });
    expect(await iterator.next()).toEqual({ value: 'bbbb', done: false });
    expect(acks).toEqual([]);
    expect(await iterator.next()).toEqual({ value: 'cccc', done: false });
    expect(acks).toEqual([12]);
    stream.end();
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('pull mode: a waiting reader gets the next chunk directly', async () => {
    const { stream } = streamWithAcks();
    const iterator = stream.iterator();
    const pending = iterator.next();
    stream.push('late');
    expect(await pending).toEqual({ value: 'late', done: false });
  });

  it('event mode: nothing iterates, so chunks are acknowledged on arrival and not kept', () => {
    const { stream, acks } = streamWithAcks(10);
    for (let index = 0; index < 5; index++) stream.push('xxxx');
    expect(acks).toEqual([12]);
    expect(stream.bufferedCharacters).toBe(0);
    expect(() => stream.iterator()).toThrow(StreamUnavailableError);
  });

  it('one consumer only', () => {
    const { stream } = streamWithAcks();
    stream.iterator();
    expect(() => stream.iterator()).toThrow('already being iterated');
  });

  it('breaking out acknowledges and drops what was held, then keeps acknowledging', async () => {
    const { stream, acks } = streamWithAcks(100);
    const iterator = stream.iterator();
    stream.push('12345');
    stream.push('67890');
    await iterator.return?.();
    expect(acks).toEqual([10]);
    stream.push('x'.repeat(100));
    expect(acks).toEqual([10, 100]);
  });

  it('a failed job: remaining chunks first, then the error, once', async () => {
    const { stream } = streamWithAcks();
    const iterator = stream.iterator();
    stream.push('last words');
    const failure = new JobError('job-1', 'p', {
      code: WorkerErrorCode.PLUGIN_ERROR,
      message: 'boom',
    });
    stream.end(failure);
    expect(await iterator.next()).toEqual({ value: 'last words', done: false });
    await expect(iterator.next()).rejects.toBe(failure);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('no acknowledgements after the job ended', () => {
    const { stream, acks } = streamWithAcks(1);
    stream.end();
    stream.push('ignored');
    expect(acks).toEqual([]);
  });
});
