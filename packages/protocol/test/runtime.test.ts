import { describe, expect, it } from 'vitest';

// scripts/test-runtimes.mjs reruns this suite under Node 24 and Deno 2 and says which runtime it
// meant; this proves the suite really ran there rather than silently falling back to Node 20.
describe('runtime', () => {
  const expected = process.env.PLUGWORK_EXPECT_RUNTIME;
  it.runIf(expected)(`runs on ${expected}`, () => {
    const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
    const actual = deno
      ? `deno${deno.version.deno.split('.')[0]}`
      : `node${process.versions.node.split('.')[0]}`;
    expect(actual).toBe(expected);
  });
});
