/**
 * What the current runtime can do. Kept in one file so the Deno / Node differences the kit cares
 * about are visible at a glance.
 */

interface DenoGlobal {
  version: { deno: string };
}

interface NodeProcess {
  versions?: { node?: string };
  features?: { typescript?: unknown };
  execArgv?: string[];
  env?: Record<string, string | undefined>;
}

function deno(): DenoGlobal | undefined {
  return (globalThis as { Deno?: DenoGlobal }).Deno;
}

function nodeProcess(): NodeProcess | undefined {
  return (globalThis as { process?: NodeProcess }).process;
}

/** `Deno 2.1.0`, `Node 22.18.0`, … for messages. */
export function describeRuntime(): string {
  const denoGlobal = deno();
  if (denoGlobal !== undefined) return `Deno ${denoGlobal.version.deno}`;
  const node = nodeProcess()?.versions?.node;
  return node === undefined ? 'this runtime' : `Node ${node}`;
}

const STRIP_FLAGS = /--experimental-(?:strip|transform)-types\b/;

/**
 * Whether `import()` of a .ts file works here: always on Deno; on Node when type stripping is on
 * (`process.features.typescript` is `'strip'` or `'transform'`, the default from Node 22.18).
 * Node 22.6 to 22.9 strip types behind a flag but lack `process.features.typescript`, so the
 * flag itself counts too.
 */
export function canRunTypeScript(): boolean {
  if (deno() !== undefined) return true;
  const node = nodeProcess();
  if (node?.features?.typescript !== undefined) return Boolean(node.features.typescript);
  const flags = [...(node?.execArgv ?? []), node?.env?.NODE_OPTIONS ?? ''].join(' ');
  return STRIP_FLAGS.test(flags);
}

/** File extensions that hold TypeScript. */
export function isTypeScriptFile(file: string): boolean {
  return /\.(?:ts|mts|cts|tsx)$/i.test(file) && !/\.d\.[mc]?ts$/i.test(file);
}
