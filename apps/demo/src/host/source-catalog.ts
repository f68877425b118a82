import type { JsonObject, PluginDescriptor } from '@plugwork/protocol';
import type { DemoSettings } from '../config/settings.ts';
import { DemoError } from '../errors.ts';
import { withoutOfferedElsewhere } from './python-source.ts';
import type { SourceRunner } from './source-runner.ts';
import type { CatalogView, DiagnosticView, PluginView, SourceName } from './views.ts';

/** One source of plugins and its job runner. */
export interface Source {
  name: SourceName;
  manager: SourceRunner;
}

/**
 * The plugins of every source seen as one catalog: what a plugin reference (`name` or
 * `source:name`) names, and the config each plugin is loaded with.
 */
export class SourceCatalog {
  readonly #settings: DemoSettings;
  /** Configs by `source:name`, as given by a reload (they win over the settings'). */
  readonly #configs = new Map<string, JsonObject>();
  #sources: readonly Source[] = [];
  /** The catalog last announced, as JSON. */
  #lastShown: string | undefined;

  constructor(settings: DemoSettings) {
    this.#settings = settings;
  }

  /** The sources, once their runners exist (the runners ask this catalog for configs). */
  set sources(sources: readonly Source[]) {
    this.#sources = sources;
  }

  get names(): SourceName[] {
    return this.#sources.map((source) => source.name);
  }

  byName(name: string): Source | undefined {
    return this.#sources.find((source) => source.name === name);
  }

  /** Every plugin and diagnostic of every source. */
  view(): CatalogView {
    const counts = new Map<string, number>();
    for (const source of this.#sources) {
      for (const plugin of source.manager.catalog.plugins) {
        counts.set(plugin.name, (counts.get(plugin.name) ?? 0) + 1);
      }
    }
    const plugins: PluginView[] = [];
    const diagnostics: DiagnosticView[] = [];
    for (const source of this.#sources) {
      for (const descriptor of source.manager.catalog.plugins) {
        const id =
          (counts.get(descriptor.name) ?? 0) > 1
            ? `${source.name}:${descriptor.name}`
            : descriptor.name;
        plugins.push(this.#pluginView(source, descriptor, id));
      }
      for (const diagnostic of source.manager.catalog.diagnostics) {
        diagnostics.push({ ...diagnostic, source: source.name });
      }
    }
    const offered = this.#sources.map((source) => ({
      source: source.name,
      plugins: source.manager.catalog.plugins,
    }));
    return {
      sources: this.names,
      plugins,
      diagnostics: withoutOfferedElsewhere(diagnostics, offered),
    };
  }

  /**
   * The catalog if it differs from the one last announced (then it counts as announced).
   * Two sources may watch the same folders (fs and python): a change only one of them sees as a
   * change of its own may leave what the host shows as it was; that is no news.
   */
  changed(): CatalogView | undefined {
    const catalog = this.view();
    const shown = JSON.stringify(catalog);
    if (shown === this.#lastShown) return undefined;
    this.#lastShown = shown;
    return catalog;
  }

  /** One plugin, by name or `source:name`. Throws DemoError (unknown, ambiguous). */
  plugin(reference: string): PluginView {
    const { source, descriptor } = this.resolve(reference);
    const id = this.view().plugins.find(
      (plugin) => plugin.source === source.name && plugin.name === descriptor.name,
    )!.id;
    return this.#pluginView(source, descriptor, id);
  }

  /** The source and plugin a reference names. Throws DemoError (unknown, ambiguous, unavailable). */
  resolve(reference: string): { source: Source; descriptor: PluginDescriptor } {
    const colon = reference.indexOf(':');
    if (colon !== -1) {
      const named = this.byName(reference.slice(0, colon));
      const name = reference.slice(colon + 1);
      const descriptor = named?.manager.catalog.plugins.find((plugin) => plugin.name === name);
      if (named !== undefined && descriptor !== undefined) return { source: named, descriptor };
    }
    const found = this.#sources.flatMap((source) => {
      const descriptor = source.manager.catalog.plugins.find((plugin) => plugin.name === reference);
      return descriptor === undefined ? [] : [{ source, descriptor }];
    });
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      throw DemoError.ambiguousPlugin(
        reference,
        found.map((each) => each.source.name),
      );
    }
    const problem = this.view().diagnostics.find(
      (diagnostic) =>
        diagnostic.plugin_name === reference ||
        `${diagnostic.source}:${diagnostic.plugin_name}` === reference,
    );
    if (problem !== undefined) throw DemoError.unavailablePlugin(reference, problem);
    throw DemoError.unknownPlugin(
      reference,
      this.view().plugins.map((plugin) => plugin.id),
    );
  }

  /** The plugins one source offers now. */
  descriptors(name: SourceName): readonly PluginDescriptor[] {
    return this.byName(name)?.manager.catalog.plugins ?? [];
  }

  /** The config `plugin` of `source` is (or will next be) loaded with. */
  configFor(source: SourceName, plugin: string): JsonObject {
    return (
      this.#configs.get(`${source}:${plugin}`) ??
      this.#settings.pluginConfigs[`${source}:${plugin}`] ??
      this.#settings.pluginConfigs[plugin] ??
      {}
    );
  }

  /** A reload gave `plugin` of `source` this config: it applies to every later load. */
  setConfig(source: SourceName, plugin: string, config: JsonObject): void {
    this.#configs.set(`${source}:${plugin}`, config);
  }

  #pluginView(source: Source, descriptor: PluginDescriptor, id: string): PluginView {
    return {
      ...descriptor,
      id,
      source: source.name,
      config: this.configFor(source.name, descriptor.name),
    };
  }
}
