import type { Logger } from '@plugwork/worker';
import { resolveSettings } from '../../src/config/settings.ts';
import { type RunningServer, startServer } from '../../src/server/start-server.ts';

/** Collects what workers print and the host warns about, instead of cluttering the test output. */
export function quietLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    output: (line) => lines.push(line),
    warn: (message) => lines.push(message),
  };
}

/** The real server on a free port of 127.0.0.1, with the demo's defaults plus `config`. */
export async function startTestServer(
  config: Record<string, unknown> = {},
): Promise<RunningServer> {
  const settings = resolveSettings({
    config: { ...config, server: { port: 0, ...(config.server as object | undefined) } },
    env: {},
  });
  return startServer({ settings, logger: quietLogger() });
}

/** Polls `probe` until it returns something other than undefined. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface SseEvent {
  event: string;
  data: unknown;
  id: string | undefined;
}

/**
 * Reads a server-sent event stream: `next(predicate)` resolves with the first event (from the
 * start, or after the last one returned) that matches. `events` holds everything read so far.
 */
export async function openEventStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  if (response.body === null) throw new Error(`${url}: no body`);
  const events: SseEvent[] = [];
  let ended = false;
  const waiters: Array<() => void> = [];
  const notify = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(bytes, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = parseBlock(block);
          if (event !== undefined) events.push(event);
          end = buffer.indexOf('\n\n');
        }
        notify();
      }
    } catch {
      // Aborted by close().
    } finally {
      ended = true;
      notify();
    }
  })();
  let cursor = 0;
  return {
    response,
    events,
    /** Resolves when the server ended the stream. */
    ended: reading,
    async next(predicate: (event: SseEvent) => boolean = () => true, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (cursor < events.length) {
          const event = events[cursor++]!;
          if (predicate(event)) return event;
        }
        if (ended) throw new Error(`${url}: the stream ended without the event`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`${url}: timed out waiting for an event`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close() {
      controller.abort();
    },
  };
}

function parseBlock(block: string): SseEvent | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  if (data.length === 0) return undefined;
  return { event, data: JSON.parse(data.join('\n')), id };
}

/**
 * The environment for running the repository's own scripts (`pnpm demo`, `pnpm plugwork`) from a
 * test, without what vitest sets: turbo hashes NODE_ENV, so with vitest's `test` it would build
 * every package again instead of using its cache.
 */
export function scriptEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of Object.keys(env)) {
    if (key === 'NODE_ENV' || key === 'TEST' || key.startsWith('VITEST')) delete env[key];
  }
  return env;
}
