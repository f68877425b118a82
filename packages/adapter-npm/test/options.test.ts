import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AdapterOptionsError } from '@plugwork/adapter-kit';
import { createAdapter, npmAdapter, resolveNpmAdapterOptions } from '@plugwork/adapter-npm';
import { describe, expect, it } from 'vitest';

function optionsError(options: unknown): AdapterOptionsError {
  try {
    resolveNpmAdapterOptions(options);
  } catch (error) {
    if (error instanceof AdapterOptionsError) return error;
    throw error;
  }
  throw new Error('expected the options to be rejected');
}

describe('options', () => {
  it('defaults: the current directory, scope "dependencies", no allow-list', () => {
    expect(resolveNpmAdapterOptions()).toEqual({
      root: process.cwd(),
      scope: 'dependencies',
      allow: undefined,
    });
    expect(resolveNpmAdapterOptions({})).toEqual(resolveNpmAdapterOptions());
  });

  it('makes root absolute, from a relative path or a file: URL', () => {
    expect(resolveNpmAdapterOptions({ root: 'some/project' }).root).toBe(
      path.resolve('some/project'),
    );
    const url = pathToFileURL('/srv/app').href;
    expect(resolveNpmAdapterOptions({ root: url }).root).toBe(path.resolve('/srv/app'));
  });

  it('dedupes and sorts the allow-list', () => {
    expect(resolveNpmAdapterOptions({ allow: ['b', '@s/a', 'b'] }).allow).toEqual(['@s/a', 'b']);
  });

  it.each([
    [{ scope: 'everything' }, 'scope'],
    [{ root: '' }, 'root'],
    [{ root: 42 }, 'root'],
    [{ allow: 'my-plugin' }, 'allow'],
    [{ allow: ['../escape'] }, 'allow.0'],
    [{ allow: ['ok', '@scope/'] }, 'allow.1'],
    [{ scopes: 'all' }, '(root)'],
  ])('rejects %j, naming %s', (options, field) => {
    const error = optionsError(options);
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).toContain('@plugwork/adapter-npm');
    expect(error.message).toContain(`${field}:`);
  });

  it('names an unknown option', () => {
    expect(optionsError({ allowList: [] }).message).toContain('allowList');
  });

  it('createAdapter validates too', () => {
    expect(() => createAdapter({ scope: 'nope' as 'all' })).toThrow(AdapterOptionsError);
  });
});

describe('npmAdapter: the spec a JobManager hands its workers', () => {
  it('points at this package and carries JSON-safe, absolute options', async () => {
    const spec = npmAdapter({ root: 'project', allow: ['x'] });
    expect(spec).toEqual({
      module: expect.stringMatching(/^file:.*\/adapter-npm\/dist\/index\.js$/),
      export: 'createAdapter',
      options: { root: path.resolve('project'), scope: 'dependencies', allow: ['x'] },
    });
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    expect(npmAdapter().options).toEqual({ root: process.cwd(), scope: 'dependencies' });
    // What the worker does with it: import the module, call the export with the options.
    const module = await import(spec.module);
    const adapter = module[spec.export](spec.options);
    expect(typeof adapter.discoverPlugins).toBe('function');
    await adapter.dispose();
  });

  it('rejects bad options in the host, before any worker starts', () => {
    expect(() => npmAdapter({ scope: 'nope' as 'all' })).toThrow(/scope/);
  });
});
