/**
 * Ctrl-C and SIGTERM for the demo's processes (the server and the CLI).
 *
 * A Ctrl-C in a terminal sends SIGINT to every process of the foreground group, and the wrappers
 * a person starts plugwork through (pnpm, npx) forward it to their child once more. So one Ctrl-C
 * can arrive two or three times within milliseconds: signals that come within REPEAT_MS of the
 * first are that same Ctrl-C, not the "second Ctrl-C" that means "quit at once".
 */
const REPEAT_MS = 500;

export interface StopHandlers {
  /** The first Ctrl-C or SIGTERM: stop cleanly. */
  first(signal: NodeJS.Signals): void;
  /** Another one, later: stop at once. */
  again(signal: NodeJS.Signals): void;
}

export function onStopSignals(handlers: StopHandlers): void {
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstAt === undefined) {
      firstAt = now;
      handlers.first(signal);
    } else if (now - firstAt > REPEAT_MS) {
      handlers.again(signal);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * True when a package manager's script runs this process (`pnpm plugwork`, `npm run …`). Such a
 * package manager got the same Ctrl-C and reports any exit code but 0 as its script failing
 * ("Command failed with exit code 130"), on top of plugwork's own clean cancel message.
 */
export function runByPackageManagerScript(env: NodeJS.ProcessEnv = process.env): boolean {
  const event = env.npm_lifecycle_event;
  return event !== undefined && event !== '' && event !== 'npx';
}
