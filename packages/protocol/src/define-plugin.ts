import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ChunkStream, ExecutionContext, PluginConfig } from './adapter.ts';

/** What `execute` and `stream` receive besides the params. */
export interface PluginContext<TConfig = PluginConfig, TState = undefined>
  extends ExecutionContext {
  /** The validated config the plugin was loaded with. */
  config: TConfig;
  /** Whatever `setup` returned (a model, a connection pool, a cache). */
  state: TState;
}

/** The object a plugin author passes to {@link definePlugin}. */
export interface PluginDefinition<
  TConfig = PluginConfig,
  TParams = Record<string, unknown>,
  TState = undefined,
  TResult = unknown,
> {
  /** The plugin's name; must match the `plugwork.name` in its package.json when both exist. */
  name: string;
  /** A line for people choosing a plugin. */
  description?: string;
  /**
   * How many of its jobs one worker may run at once (default 1). Raise it for plugins that
   * await I/O. The manifest's `plugwork.concurrency`, when present, takes precedence.
   */
  concurrency?: number;
  /** Validates the config before setup (any Standard Schema: zod, valibot, arktype, …). */
  configSchema?: StandardSchemaV1<unknown, TConfig>;
  /** Validates each job's params before execute or stream. */
  paramsSchema?: StandardSchemaV1<unknown, TParams>;
  /** Runs once per load, with the validated config. Its return value is `context.state`. */
  setup?: (config: TConfig) => TState | Promise<TState>;
  /** Runs one job and returns its result (an object, or anything else: it becomes `{ text }`). */
  execute: (params: TParams, context: PluginContext<TConfig, TState>) => TResult | Promise<TResult>;
  /** Runs one job and yields its output as text chunks. Makes the plugin a streaming plugin. */
  stream?: (params: TParams, context: PluginContext<TConfig, TState>) => ChunkStream;
  /** Runs on unload, reload and worker stop: free what setup took. */
  dispose?: (state: TState, config: TConfig) => void | Promise<void>;
}

/**
 * Marks objects made by definePlugin. `Symbol.for` so that a plugin bundling its own copy of
 * @plugwork/protocol is still recognised by the host's copy.
 */
export const PLUGIN_MARK: unique symbol = Symbol.for('plugwork.plugin') as never;

/** A plugin made by definePlugin: the definition, frozen and marked. */
export type Plugin<
  TConfig = PluginConfig,
  TParams = Record<string, unknown>,
  TState = undefined,
  TResult = unknown,
> = Readonly<PluginDefinition<TConfig, TParams, TState, TResult>> & {
  readonly [PLUGIN_MARK]: true;
};

// biome-ignore lint/suspicious/noExplicitAny: a plugin of any config, params, state and result.
export type AnyPlugin = Plugin<any, any, any, any>;

/**
 * Define a plugin. Export the result as the default export of the plugin's entry module.
 *
 * Config and params types are inferred from `configSchema` / `paramsSchema` (or from the
 * annotation on `execute`'s first parameter), and `context.state` from what `setup` returns.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { definePlugin } from '@plugwork/protocol';
 *
 * export default definePlugin({
 *   name: 'greet',
 *   configSchema: z.object({ greeting: z.string().default('Hello') }),
 *   paramsSchema: z.object({ who: z.string() }),
 *   execute: ({ who }, { config }) => ({ text: `${config.greeting}, ${who}!` }),
 * });
 * ```
 */
export function definePlugin<
  TConfig = PluginConfig,
  TParams = Record<string, unknown>,
  TState = undefined,
  TResult = unknown,
>(
  definition: PluginDefinition<TConfig, TParams, TState, TResult>,
): Plugin<TConfig, TParams, TState, TResult> {
  if (typeof definition !== 'object' || definition === null) {
    throw new TypeError('definePlugin expects an object with at least `name` and `execute`');
  }
  if (typeof definition.name !== 'string' || definition.name.length === 0) {
    throw new TypeError('definePlugin: `name` must be a non-empty string');
  }
  if (typeof definition.execute !== 'function') {
    throw new TypeError(`definePlugin: plugin "${definition.name}" needs an \`execute\` function`);
  }
  for (const hook of ['setup', 'stream', 'dispose'] as const) {
    if (definition[hook] !== undefined && typeof definition[hook] !== 'function') {
      throw new TypeError(
        `definePlugin: \`${hook}\` of plugin "${definition.name}" must be a function`,
      );
    }
  }
  const { concurrency } = definition;
  if (
    concurrency !== undefined &&
    (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1)
  ) {
    throw new TypeError(
      `definePlugin: \`concurrency\` of plugin "${definition.name}" must be a whole number of at least 1`,
    );
  }
  return Object.freeze({ ...definition, [PLUGIN_MARK]: true as const });
}

/** True for a value made by definePlugin (in this or any other copy of the protocol package). */
export function isPlugin(value: unknown): value is AnyPlugin {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[PLUGIN_MARK] === true &&
    typeof (value as { execute?: unknown }).execute === 'function'
  );
}
