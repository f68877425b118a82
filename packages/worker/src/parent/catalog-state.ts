import { describe, SandboxLinkError } from '../errors.ts';
import type { Catalog } from './events.ts';
import type { ManagerContext } from './manager-context.ts';
import { type EscapingLink, type RawCatalog, SandboxLinkGuard } from './sandbox-links.ts';

/**
 * The plugins the workers offer, as the host publishes them: each worker's `ready` and
 * `plugins_changed` replace it, and under `permissions` only once the sandbox check has judged
 * it (plugins with escaping links stay out).
 */
export class CatalogState {
  readonly #context: ManagerContext;
  #catalog: Catalog = Object.freeze({ plugins: [], diagnostics: [] });
  #key = '';
  #names = new Set<string>();
  readonly #guard: SandboxLinkGuard | undefined;
  /** The check in progress (with a guard, catalogs are published once checked). */
  #check: Promise<void> = Promise.resolve();
  #seq = 0;
  readonly #reportedLinks = new Set<string>();
  /** An escaping link outside every plugin's folder, found while starting. */
  startFailure: Error | undefined;

  constructor(context: ManagerContext, workerReadPaths: readonly string[]) {
    this.#context = context;
    const permissions = context.options.permissions;
    this.#guard =
      permissions === undefined ? undefined : new SandboxLinkGuard(permissions, workerReadPaths);
  }

  get current(): Catalog {
    return this.#catalog;
  }

  has(plugin: string): boolean {
    return this.#names.has(plugin);
  }

  get names(): string[] {
    return [...this.#names];
  }

  /** Settles once the latest catalog is published. */
  get settled(): Promise<void> {
    return this.#check;
  }

  /** Whether any link under a grant leads out (before start: then no plugin loads at init). */
  async anyEscapingLink(): Promise<boolean> {
    return this.#guard === undefined ? false : (await this.#guard.scan()).length > 0;
  }

  set(catalog: RawCatalog): void {
    const guard = this.#guard;
    if (guard === undefined) {
      this.#publish(catalog);
      return;
    }
    const seq = ++this.#seq;
    this.#check = guard.check(catalog).then(
      (checked) => {
        if (seq !== this.#seq) return;
        this.#onEscapingLinks(checked.elsewhere);
        this.#publish(checked.catalog);
      },
      (error: unknown) =>
        this.#context.logger.warn(`Checking the sandbox's links failed: ${describe(error)}`),
    );
  }

  /** Links under a grant but in no plugin's folder: fatal at start, a warning afterwards. */
  #onEscapingLinks(links: readonly EscapingLink[]): void {
    for (const link of links) {
      if (this.#context.state === 'starting') {
        this.startFailure ??= new SandboxLinkError(link.link, link.target, link.grant);
        continue;
      }
      if (this.#reportedLinks.has(link.link)) continue;
      this.#reportedLinks.add(link.link);
      this.#context.logger.warn(new SandboxLinkError(link.link, link.target, link.grant).message);
    }
  }

  #publish(catalog: RawCatalog): void {
    const key = JSON.stringify(catalog);
    if (key === this.#key) return;
    const first = this.#key === '';
    this.#key = key;
    this.#catalog = Object.freeze({
      plugins: Object.freeze([...catalog.plugins]),
      diagnostics: Object.freeze([...catalog.diagnostics]),
    });
    this.#names = new Set(catalog.plugins.map((plugin) => plugin.name));
    if (!first) this.#context.emit('catalog:changed', this.#catalog);
  }
}
