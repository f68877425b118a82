import { PLUGWORK_VERSION } from '@plugwork/protocol';
import semver from 'semver';

/** The outcome of checking a manifest's `engine` range against this plugwork. */
export type EngineCheck = 'ok' | 'invalid-range' | 'unsatisfied';

/**
 * Check a semver range against a plugwork version (by default the running one). Pre-releases
 * count: a plugin that accepts `^0.2.0` runs on `0.2.0-beta.1` rather than being refused.
 */
export function checkEngine(range: string, version: string = PLUGWORK_VERSION): EngineCheck {
  if (semver.validRange(range) === null) return 'invalid-range';
  return semver.satisfies(version, range, { includePrerelease: true }) ? 'ok' : 'unsatisfied';
}
