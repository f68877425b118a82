import { describe, expect, it } from 'vitest';
import { RenewingMap, RenewingSet } from '../../src/renewing-map.ts';

/** A deterministic stream of numbers in [0, 1), so that a failure replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('RenewingMap', () => {
  it('answers as a Map does through many renewals: entries, sizes, insertion order', () => {
    const next = random(7);
    const map = new RenewingMap<string, number>();
    const model = new Map<string, number>();
    // 20,000 operations over 300 keys: several thousand deletes, so the map starts over
    // many times, with entries living across each renewal.
    for (let step = 0; step < 20_000; step++) {
      const key = `job-${Math.floor(next() * 300)}`;
      if (next() < 0.5) {
        map.set(key, step);
        model.set(key, step);
      } else {
        expect(map.delete(key)).toBe(model.delete(key));
      }
      expect(map.size).toBe(model.size);
      expect(map.get(key)).toBe(model.get(key));
      expect(map.has(key)).toBe(model.has(key));
    }
    expect([...map]).toEqual([...model]);
    expect([...map.keys()]).toEqual([...model.keys()]);
    expect([...map.values()]).toEqual([...model.values()]);
    const seen: [string, number][] = [];
    map.forEach((value, key, owner) => {
      expect(owner).toBe(map);
      seen.push([key, value]);
    });
    expect(seen).toEqual([...model]);
  });

  it('lets a sweep delete what it iterates, however many deletes that makes', () => {
    const map = new RenewingMap<number, string>();
    for (let index = 0; index < 5_000; index++) map.set(index, `job-${index}`);
    let swept = 0;
    for (const [key] of map) {
      if (key % 2 === 0) {
        map.delete(key);
        swept++;
      }
    }
    expect(swept).toBe(2_500);
    expect(map.size).toBe(2_500);
    expect([...map.keys()].every((key) => key % 2 === 1)).toBe(true);
    map.set(-1, 'after');
    expect(map.get(-1)).toBe('after');
    expect(map.size).toBe(2_501);
    map.clear();
    expect(map.size).toBe(0);
    expect([...map]).toEqual([]);
  });
});

describe('RenewingSet', () => {
  it('answers as a Set does through many renewals', () => {
    const next = random(11);
    const items = Array.from({ length: 200 }, (_, index) => ({ index }));
    const set = new RenewingSet<{ index: number }>();
    const model = new Set<{ index: number }>();
    for (let step = 0; step < 20_000; step++) {
      const item = items[Math.floor(next() * items.length)]!;
      if (next() < 0.5) {
        set.add(item);
        model.add(item);
      } else {
        expect(set.delete(item)).toBe(model.delete(item));
      }
      expect(set.size).toBe(model.size);
      expect(set.has(item)).toBe(model.has(item));
    }
    expect([...set]).toEqual([...model]);
    expect([...set.entries()]).toEqual([...model.entries()]);
    set.clear();
    expect(set.size).toBe(0);
  });
});
