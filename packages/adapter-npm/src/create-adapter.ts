import { type CatalogAdapter, createCatalogAdapter } from '@plugwork/adapter-kit';
import { discoverNpmPlugins } from './discover-npm-plugins.ts';
import { type NpmAdapterOptions, resolveNpmAdapterOptions } from './options.ts';

/**
 * Create the npm adapter: every installed package in scope whose package.json has a `plugwork`
 * field is offered as a plugin; a plugin package that cannot be offered (broken package.json,
 * missing entry, unsupported engine, not installed) becomes a diagnostic. Loading, config
 * validation, execution and lifecycle are the adapter kit's, the same as for folder plugins.
 *
 * @throws AdapterOptionsError when the options are invalid
 */
export function createAdapter(options: NpmAdapterOptions = {}): CatalogAdapter {
  const resolved = resolveNpmAdapterOptions(options);
  return createCatalogAdapter({
    source: 'npm',
    discover: () => discoverNpmPlugins(resolved),
  });
}
