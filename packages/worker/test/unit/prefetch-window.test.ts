import { describe, expect, it } from 'vitest';
import { AHEAD_MS, MAX_WINDOW, PrefetchWindow } from '../../src/parent/prefetch-window.ts';

describe('PrefetchWindow', () => {
  it('gives a plugin it has not seen run the prefetch option', () => {
    expect(new PrefetchWindow(2).windowFor('new')).toBe(2);
  });

  it('grows for short jobs, until about AHEAD_MS of work waits, at most MAX_WINDOW', () => {
    const window = new PrefetchWindow(2);
    for (let index = 0; index < 20; index++) window.observe('lookup', 0.1);
    expect(window.windowFor('lookup')).toBe(Math.floor(AHEAD_MS / 0.1));
    for (let index = 0; index < 20; index++) window.observe('noop', 0.001);
    expect(window.windowFor('noop')).toBe(MAX_WINDOW);
  });

  it('stays at prefetch for jobs of a millisecond or more, and shrinks at once after a long one', () => {
    const window = new PrefetchWindow(2);
    for (let index = 0; index < 20; index++) window.observe('slow', 5);
    expect(window.windowFor('slow')).toBe(2);
    for (let index = 0; index < 20; index++) window.observe('mixed', 0.05);
    expect(window.windowFor('mixed')).toBeGreaterThan(2);
    window.observe('mixed', 200);
    expect(window.windowFor('mixed')).toBe(2);
  });

  it('sends nothing ahead when prefetch is 0, however short the jobs', () => {
    const window = new PrefetchWindow(0);
    for (let index = 0; index < 20; index++) window.observe('noop', 0.001);
    expect(window.windowFor('noop')).toBe(0);
  });
});
