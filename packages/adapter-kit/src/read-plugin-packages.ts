import { isAdapterError, PluginPackageError } from './errors.ts';
import type { DiscoveryResult, PluginCandidate } from './plugin-candidate.ts';
import { readPluginPackage } from './read-plugin-package.ts';

export interface ReadPluginPackagesOptions {
  /** How many folders are read between two turns of the event loop. Default 64. */
  concurrency?: number;
  /**
   * Return true to drop a problem silently instead of reporting it. adapter-npm uses this for
   * ordinary packages without a `plugwork` field, which are simply not plugins.
   */
  ignore?: (problem: PluginPackageError) => boolean;
}

/** Candidates and diagnostics, plus the problems themselves (they carry expected entry paths). */
export interface PackageScan extends DiscoveryResult {
  problems: PluginPackageError[];
}

/**
 * Read many candidate folders with {@link readPluginPackage}. One broken folder never affects the
 * others; each becomes a diagnostic. Candidates keep the order of `folders` (their priority).
 */
export async function readPluginPackages(
  folders: readonly string[],
  options: ReadPluginPackagesOptions = {},
): Promise<PackageScan> {
  // readPluginPackage does its I/O synchronously (fast for many tiny files); between batches the
  // event loop gets a turn, so a large scan never blocks a worker for more than a few ms.
  const batch = options.concurrency ?? 64;
  const outcomes: (PluginCandidate | PluginPackageError)[] = [];
  for (let index = 0; index < folders.length; index++) {
    if (index > 0 && index % batch === 0) await yieldToEventLoop();
    const folder = folders[index]!;
    try {
      outcomes.push(await readPluginPackage(folder));
    } catch (error) {
      // Anything unexpected still becomes a per-folder problem rather than failing discovery.
      outcomes.push(
        isAdapterError(error) && error instanceof PluginPackageError
          ? error
          : PluginPackageError.unreadablePackageJson(folder, error),
      );
    }
  }
  const scan: PackageScan = { candidates: [], diagnostics: [], problems: [] };
  for (const outcome of outcomes) {
    if (!(outcome instanceof PluginPackageError)) {
      scan.candidates.push(outcome);
    } else if (!options.ignore?.(outcome)) {
      scan.problems.push(outcome);
      scan.diagnostics.push(outcome.toDiagnostic());
    }
  }
  return scan;
}

/**
 * Keep the first candidate of each name; every later one becomes a DUPLICATE_NAME problem naming
 * the winner. Candidates must be in priority order.
 */
export function dedupeCandidates(candidates: readonly PluginCandidate[]): {
  candidates: PluginCandidate[];
  problems: PluginPackageError[];
} {
  const winners = new Map<string, PluginCandidate>();
  const problems: PluginPackageError[] = [];
  for (const candidate of candidates) {
    const winner = winners.get(candidate.name);
    if (winner === undefined) {
      winners.set(candidate.name, candidate);
    } else {
      problems.push(
        PluginPackageError.duplicateName(candidate.folder, candidate.name, winner.folder),
      );
    }
  }
  return { candidates: [...winners.values()], problems };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
