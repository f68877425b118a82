import { spawnSync } from 'node:child_process';
import type { PluginDescriptor } from '@plugwork/protocol';
import type { DemoSettings } from '../config/settings.ts';
import type { DiagnosticView, SourceName } from './views.ts';

/**
 * The demo's Python plugins: the same plugin folders as the `fs` source, served by a second
 * JobManager with `runtime: 'python'` (the worker package's design for mixed deployments: one
 * manager per runtime, so each pool is one kind of process). Its plugins are listed as the
 * `python` source, beside the others in one catalog.
 */

/** The sources with `python` after `fs` when Python plugins run (see runsPython). */
export function withPython(sources: SourceName[], settings: DemoSettings): SourceName[] {
  const fs = sources.indexOf('fs');
  if (fs === -1 || !runsPython(settings)) return sources;
  return [...sources.slice(0, fs + 1), 'python', ...sources.slice(fs + 1)];
}

/**
 * `python.enabled` true or false decides; left out, Python plugins run when the interpreter
 * (`python.path`, else python3) is there and new enough, so the demo still starts on a machine
 * without Python (its Python plugins are then OTHER_RUNTIME problems of the `fs` source).
 */
export function runsPython(settings: DemoSettings): boolean {
  return settings.python.enabled ?? pythonWorks(settings.python.path ?? 'python3');
}

const checked = new Map<string, boolean>();

/** True when `python` starts and is 3.9 or newer (what the Python workers need). */
export function pythonWorks(python: string): boolean {
  let works = checked.get(python);
  if (works === undefined) {
    const run = spawnSync(python, ['-c', 'import sys; sys.exit(sys.version_info < (3, 9))'], {
      stdio: 'ignore',
      timeout: 10_000,
    });
    works = run.status === 0;
    checked.set(python, works);
  }
  return works;
}

/**
 * The diagnostics worth showing. The `fs` and `python` sources read the same folders, so:
 * - with both running, `OTHER_RUNTIME` is never a problem: the folder is the other source's,
 *   which offers it or reports what is wrong with it itself;
 * - a folder that another source offers is no problem (one just fixed may still be refused by
 *   a source that has not looked again yet);
 * - a folder both refuse (an invalid manifest) is listed once, as the first source found it.
 */
export function withoutOfferedElsewhere(
  diagnostics: DiagnosticView[],
  offered: { source: SourceName; plugins: readonly PluginDescriptor[] }[],
): DiagnosticView[] {
  const sources = new Set(offered.map((source) => source.source));
  const bothRuntimes = sources.has('fs') && sources.has('python');
  const listed = new Set<string>();
  return diagnostics.filter((diagnostic) => {
    // An adapter's own diagnostics (no location) and npm's are never about a shared folder.
    if (diagnostic.location === '' || diagnostic.source === 'npm') return true;
    if (bothRuntimes && diagnostic.code === 'OTHER_RUNTIME') return false;
    const elsewhere = offered.some(
      (source) =>
        source.source !== diagnostic.source &&
        source.plugins.some((plugin) => plugin.location === diagnostic.location),
    );
    const key = `${diagnostic.location}\0${diagnostic.code}`;
    if (elsewhere || listed.has(key)) return false;
    listed.add(key);
    return true;
  });
}
