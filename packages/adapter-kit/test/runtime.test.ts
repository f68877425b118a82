import { canRunTypeScript, describeRuntime, isTypeScriptFile } from '@plugwork/adapter-kit';
import { describe, expect, it } from 'vitest';

describe('runtime facts', () => {
  it('names the runtime and its version for messages', () => {
    const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
    expect(describeRuntime()).toBe(
      deno === undefined ? `Node ${process.versions.node}` : `Deno ${deno.version.deno}`,
    );
  });

  it('tells TypeScript files from declaration files and JavaScript', () => {
    for (const file of ['a.ts', 'b.mts', 'c.cts', 'd.tsx', 'E.TS']) {
      expect(isTypeScriptFile(file), file).toBe(true);
    }
    for (const file of ['a.js', 'b.mjs', 'types.d.ts', 'x.d.mts', 'ts', 'a.ts.js']) {
      expect(isTypeScriptFile(file), file).toBe(false);
    }
  });

  it('can run TypeScript when Node says so, or when started with a type stripping flag', () => {
    const features = process.features as { typescript?: unknown };
    if (features.typescript !== undefined) {
      expect(canRunTypeScript()).toBe(Boolean(features.typescript));
      return;
    }
    // No process.features.typescript (Node < 22.10): only the flag can enable stripping.
    expect(canRunTypeScript()).toBe(false);
    process.execArgv.push('--experimental-strip-types');
    try {
      expect(canRunTypeScript()).toBe(true);
    } finally {
      process.execArgv.pop();
    }
  });
});
