import type { JsonObject, PluginManagerAdapter } from '@plugwork/protocol/wire';
import { ChildMessages, describe } from '../errors.ts';

/** The serialisable recipe for an adapter: functions cannot cross processes, specifiers can. */
export interface AdapterSpec {
  /** What `import()` gets: the host resolves it to a file:// URL where it can. */
  module: string;
  /** The factory's export name; `createAdapter` when absent. */
  export?: string | undefined;
  /** JSON options passed to the factory. */
  options?: JsonObject | undefined;
}

const REQUIRED_METHODS = [
  'discoverPlugins',
  'loadPlugin',
  'executePlugin',
  'executePluginStream',
  'reloadPlugin',
  'unloadPlugin',
  'checkStreamingSupport',
] as const;

/** Imports the adapter module, calls its factory and checks the result is an adapter. */
export async function loadAdapter(spec: AdapterSpec): Promise<PluginManagerAdapter> {
  const exportName = spec.export ?? 'createAdapter';
  let namespace: Record<string, unknown>;
  try {
    namespace = await import(spec.module);
  } catch (error) {
    throw new Error(ChildMessages.adapterImport(spec.module, describe(error)));
  }
  const factory = namespace[exportName];
  if (typeof factory !== 'function') {
    const found = Object.keys(namespace).filter((key) => typeof namespace[key] === 'function');
    throw new Error(
      ChildMessages.adapterExport(spec.module, exportName, found.join(', ') || 'no functions'),
    );
  }
  let adapter: unknown;
  try {
    adapter = await factory(spec.options ?? {});
  } catch (error) {
    throw new Error(ChildMessages.adapterFactory(spec.module, exportName, describe(error)));
  }
  const missing = REQUIRED_METHODS.filter(
    (method) =>
      typeof adapter !== 'object' ||
      adapter === null ||
      typeof (adapter as Record<string, unknown>)[method] !== 'function',
  );
  if (missing.length > 0) {
    throw new Error(ChildMessages.adapterShape(spec.module, exportName, missing));
  }
  return adapter as PluginManagerAdapter;
}
