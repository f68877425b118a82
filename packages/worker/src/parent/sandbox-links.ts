import { type Dirent, realpathSync } from 'node:fs';
import { readdir, readlink, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { PluginDescriptor, PluginDiagnostic } from '@plugwork/protocol';
import { SandboxPhrases, WorkerErrorCode } from '../errors.ts';
import type { ResolvedPermissions } from '../options.ts';

/**
 * Symbolic links versus the sandbox.
 *
 * Node's permission model and Deno's `--allow-read`/`--allow-write` both follow symbolic links
 * under a granted path: a plugin folder that ships `data -> /etc` would read the host's files
 * through a read grant of the plugins directory. No flag of either runtime stops that, so the
 * host looks before it grants: every link under a granted path must lead to a granted place.
 * A link in a plugin's folder makes that plugin unavailable (a diagnostic names the link); one
 * anywhere else under a grant stops the start.
 *
 * What this cannot see: a link created after the check, by a plugin allowed to write (grant
 * writes only to folders no plugin is also granted to read outside of), or between two checks.
 */

/** One link that leads out of the granted paths. */
export interface EscapingLink {
  link: string;
  target: string;
  /** The granted path it was found under. */
  grant: string;
}

/** Entries looked at per granted path before the walk gives up (a grant of `/` is a choice). */
const MAX_ENTRIES = 200_000;

/**
 * The granted paths with their real paths added: a grant of a path that is itself a link
 * (`/srv/plugins -> /data/plugins`) must cover where the runtime actually checks.
 */
export function withRealPaths(paths: readonly string[]): string[] {
  const all = new Set<string>();
  for (const path of paths) {
    all.add(path);
    try {
      all.add(realpathSync(path));
    } catch {
      // Not there (yet): nothing to resolve, nothing to read through.
    }
  }
  return [...all];
}

/** Whether `path` is `root` or lies inside it. */
export function isInside(path: string, root: string): boolean {
  if (path === root) return true;
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * Every link under `root` whose target is outside all of `allowed` (real paths). Does not
 * follow links while walking; a link whose target does not exist is judged by where it points.
 */
export async function findEscapingLinks(
  root: string,
  allowed: readonly string[],
): Promise<EscapingLink[]> {
  const escapes: EscapingLink[] = [];
  let seen = 0;
  const walk = async (directory: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (++seen > MAX_ENTRIES) return;
      const path = join(directory, entry.name);
      if (entry.isSymbolicLink()) {
        const target = await linkTarget(path);
        if (!allowed.some((grant) => isInside(target, grant))) {
          escapes.push({ link: path, target, grant: root });
        }
      } else if (entry.isDirectory()) {
        await walk(path);
      }
    }
  };
  const top = await linkTarget(root).catch(() => root);
  if (!allowed.some((grant) => isInside(top, grant))) {
    return [{ link: root, target: top, grant: root }];
  }
  await walk(root);
  return escapes;
}

/** Where a link really leads: its real path, or for a dangling link where it points. */
async function linkTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    try {
      return resolve(dirname(path), await readlink(path));
    } catch {
      return path;
    }
  }
}

/** The granted paths a check must cover, and the real places they allow. */
export function sandboxGrants(permissions: ResolvedPermissions): {
  grants: string[];
  allowed: string[];
} {
  const grants = [...new Set([...permissions.read, ...permissions.write])];
  return { grants, allowed: withRealPaths(grants) };
}

/** A catalog as the workers report it. */
export interface RawCatalog {
  plugins: readonly PluginDescriptor[];
  diagnostics: readonly PluginDiagnostic[];
}

/**
 * Checks catalogs against the sandbox: plugins whose folder holds an escaping link leave the
 * catalog (a diagnostic names the link); links elsewhere under a grant are returned as
 * `elsewhere` (the manager refuses to start over them, or warns once they appear later).
 */
export class SandboxLinkGuard {
  readonly #grants: string[];
  readonly #allowed: string[];

  /** `extraAllowed`: what plugwork itself grants (the worker's packages), real paths added. */
  constructor(permissions: ResolvedPermissions, extraAllowed: readonly string[]) {
    const { grants, allowed } = sandboxGrants(permissions);
    this.#grants = grants;
    this.#allowed = [...new Set([...allowed, ...withRealPaths(extraAllowed)])];
  }

  /** Every escaping link under every grant. */
  async scan(): Promise<EscapingLink[]> {
    const found = await Promise.all(
      this.#grants.map((grant) => findEscapingLinks(grant, this.#allowed)),
    );
    return found.flat();
  }

  async check(catalog: RawCatalog): Promise<{ catalog: RawCatalog; elsewhere: EscapingLink[] }> {
    const escapes = await this.scan();
    if (escapes.length === 0) return { catalog, elsewhere: [] };
    const refused = new Map<string, EscapingLink>();
    const elsewhere: EscapingLink[] = [];
    const locations = catalog.plugins.flatMap((plugin) =>
      plugin.location === undefined
        ? []
        : [{ name: plugin.name, roots: withRealPaths([plugin.location]) }],
    );
    for (const found of escapes) {
      const owner = locations.find(({ roots }) => roots.some((root) => isInside(found.link, root)));
      if (owner === undefined) elsewhere.push(found);
      else if (!refused.has(owner.name)) refused.set(owner.name, found);
    }
    if (refused.size === 0) return { catalog, elsewhere };
    return {
      catalog: {
        plugins: catalog.plugins.filter((plugin) => !refused.has(plugin.name)),
        diagnostics: [
          ...catalog.diagnostics,
          ...[...refused].map(([plugin, found]) => ({
            location: found.link,
            plugin_name: plugin,
            code: WorkerErrorCode.SANDBOX_LINK_ESCAPES,
            message: SandboxPhrases.pluginLinkEscapes(plugin, found.link, found.target),
          })),
        ],
      },
      elsewhere,
    };
  }
}
