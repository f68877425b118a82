import { type FsAdapterOptions, resolveFsAdapterOptions } from './options.ts';

/** A serialisable recipe for building this adapter inside a worker process. */
export type FsAdapterSpec = {
  /** File URL of this package's entry, which the worker imports. */
  module: string;
  export: 'createAdapter';
  options: { directories: string[]; watch: boolean; debounceMs: number };
};

/**
 * The adapter spec for a JobManager (`adapter: fsAdapter({ directories })`): functions cannot
 * cross into the worker process, so the worker imports this package and calls createAdapter
 * with these options. Validates the options now, so mistakes surface in the host, and makes the
 * directories absolute, so the worker's working directory does not matter.
 *
 * @throws AdapterOptionsError when the options are invalid
 */
export function fsAdapter(options: FsAdapterOptions): FsAdapterSpec {
  const { directories, watch, debounceMs } = resolveFsAdapterOptions(options);
  return {
    module: new URL('./index.js', import.meta.url).href,
    export: 'createAdapter',
    options: { directories, watch, debounceMs },
  };
}
