import { UnknownPluginError } from '../errors.ts';
import type { Catalog } from './events.ts';

/**
 * The error for a plugin name the catalog does not offer. A candidate of that name that the
 * adapter found but could not offer (an invalid manifest, an unsupported engine) is a different
 * story from a typo: the error then says why it cannot run and carries its diagnostic.
 */
export function unknownPlugin(catalog: Catalog, plugin: string): UnknownPluginError {
  const diagnostic = catalog.diagnostics.find((each) => each.plugin_name === plugin);
  return new UnknownPluginError(
    plugin,
    catalog.plugins.map((each) => each.name),
    diagnostic,
  );
}
