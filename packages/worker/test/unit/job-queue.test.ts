import { describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/parent/job-queue.ts';

describe('JobQueue', () => {
  it('is first in, first out', () => {
    const queue = new JobQueue<number>();
    for (let index = 0; index < 5; index++) queue.push(index);
    expect([queue.shift(), queue.shift()]).toEqual([0, 1]);
    expect(queue.peek()).toBe(2);
    expect(queue.size).toBe(3);
  });

  it('refuses items beyond its bound', () => {
    const queue = new JobQueue<string>(2);
    expect(queue.push('a')).toBe(true);
    expect(queue.push('b')).toBe(true);
    expect(queue.push('c')).toBe(false);
    expect(queue.size).toBe(2);
    queue.shift();
    expect(queue.push('c')).toBe(true);
  });

  it('removes from the middle and keeps the order', () => {
    const queue = new JobQueue<string>();
    for (const item of ['a', 'b', 'c', 'd']) queue.push(item);
    queue.shift();
    expect(queue.remove('c')).toBe(true);
    expect(queue.remove('a')).toBe(false);
    expect(queue.drain()).toEqual(['b', 'd']);
    expect(queue.size).toBe(0);
  });

  it('stays correct across compaction of a long run', () => {
    const queue = new JobQueue<number>();
    let next = 0;
    let expected = 0;
    let outOfOrder = 0;
    for (let round = 0; round < 50_000; round++) {
      queue.push(next++);
      queue.push(next++);
      if (queue.shift() !== expected++) outOfOrder++;
    }
    expect(outOfOrder).toBe(0);
    expect(queue.size).toBe(50_000);
    expect(queue.peek()).toBe(expected);
  });
});
