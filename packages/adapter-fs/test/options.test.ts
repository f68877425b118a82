import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAdapter, fsAdapter, resolveFsAdapterOptions } from '@plugwork/adapter-fs';
import { AdapterOptionsError } from '@plugwork/adapter-kit';
import { adapterSpecSchema } from '@plugwork/protocol';
import { describe, expect, it } from 'vitest';

function optionsError(run: () => unknown): AdapterOptionsError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AdapterOptionsError);
    return error as AdapterOptionsError;
  }
  return expect.unreachable('expected an AdapterOptionsError');
}

describe('options', () => {
  it('accepts one directory or several, as paths or file URLs, and makes them absolute', () => {
    expect(resolveFsAdapterOptions({ directories: 'plugins' })).toEqual({
      directories: [path.resolve('plugins')],
      watch: false,
      debounceMs: 100,
    });
    expect(
      resolveFsAdapterOptions({
        directories: ['/srv/a', pathToFileURL('/srv/b c').href],
        watch: true,
        debounceMs: 0,
      }),
    ).toEqual({ directories: ['/srv/a', '/srv/b c'], watch: true, debounceMs: 0 });
    // The same directory twice counts once (else each plugin would be its own duplicate).
    expect(
      resolveFsAdapterOptions({ directories: ['/srv/a', '/srv/b', '/srv/x/../a'] }).directories,
    ).toEqual(['/srv/a', '/srv/b']);
  });

  it('rejects bad options listing every failing field, misspelt keys included', () => {
    const error = optionsError(() =>
      createAdapter({ directories: [], watch: 'yes', debounceMs: -5, directory: 'x' } as never),
    );
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      '',
      'debounceMs',
      'directories',
      'watch',
    ]);
    expect(error.message).toMatch(/^Invalid options for @plugwork\/adapter-fs: /);
    expect(error.message).toContain('directory');
    expect(optionsError(() => createAdapter({} as never)).message).toContain('directories');
    expect(optionsError(() => createAdapter(undefined as never)).issues).toHaveLength(1);
  });
});

describe('fsAdapter: the spec a worker builds the adapter from', () => {
  it('points at this package and carries validated, absolute, JSON options', async () => {
    const spec = fsAdapter({ directories: 'plugins', watch: true });
    expect(spec).toEqual({
      module: pathToFileURL(path.join(import.meta.dirname, '../dist/index.js')).href,
      export: 'createAdapter',
      options: { directories: [path.resolve('plugins')], watch: true, debounceMs: 100 },
    });
    expect(adapterSpecSchema.parse(spec)).toEqual(spec);
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    // What the worker does with it, in the same process here.
    const module = (await import(spec.module)) as Record<string, unknown>;
    expect(module[spec.export]).toBeTypeOf('function');
  });

  it('fails in the host, not later in the worker, on bad options', () => {
    expect(optionsError(() => fsAdapter({ directories: '' })).issues[0]?.path).toBe('directories');
  });
});
