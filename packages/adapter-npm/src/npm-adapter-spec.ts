import { type NpmAdapterOptions, resolveNpmAdapterOptions } from './options.ts';

/** A serialisable recipe for building this adapter inside a worker process. */
export type NpmAdapterSpec = {
  /** File URL of this package's entry, which the worker imports. */
  module: string;
  export: 'createAdapter';
  options: { root: string; scope: 'dependencies' | 'all'; allow?: string[] };
};

/**
 * The adapter spec for a JobManager (`adapter: npmAdapter({ root })`): functions cannot cross
 * into the worker process, so the worker imports this package and calls createAdapter with these
 * options. Validates the options now, so mistakes surface in the host, and makes `root`
 * absolute, so the worker's working directory does not matter.
 *
 * @throws AdapterOptionsError when the options are invalid
 */
export function npmAdapter(options: NpmAdapterOptions = {}): NpmAdapterSpec {
  const { root, scope, allow } = resolveNpmAdapterOptions(options);
  return {
    module: new URL('./index.js', import.meta.url).href,
    export: 'createAdapter',
    options: allow === undefined ? { root, scope } : { root, scope, allow },
  };
}
