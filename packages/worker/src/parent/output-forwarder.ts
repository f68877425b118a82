import type { Readable } from 'node:stream';

/** A line longer than this is passed on in pieces, so one endless line cannot fill the host. */
const MAX_LINE = 64 * 1024;

/** Matches what V8 prints to stderr when a worker runs out of heap. */
const OUT_OF_MEMORY =
  /heap out of memory|Allocation failed - JavaScript heap|ERR_WORKER_OUT_OF_MEMORY/;

export interface ForwardedLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

/**
 * Splits a worker's stdout and stderr into lines and hands each one on; noticing on the way
 * whether V8 reported running out of memory, so that the crash message can say so.
 *
 * The worker's stdout is a pipe of its own, separate from the IPC channel: whatever a plugin
 * prints (console.log, raw writes, half a JSON object) arrives here and nowhere else.
 */
export class OutputForwarder {
  #outOfMemory = false;
  readonly #open = new Set<Readable>();
  readonly #onLine: (line: ForwardedLine) => void;
  #closedWaiters: (() => void)[] = [];

  constructor(onLine: (line: ForwardedLine) => void) {
    this.#onLine = onLine;
  }

  get outOfMemory(): boolean {
    return this.#outOfMemory;
  }

  attach(source: Readable | null, stream: 'stdout' | 'stderr'): void {
    if (source === null) return;
    this.#open.add(source);
    source.setEncoding('utf8');
    let partial = '';
    source.on('data', (data: string) => {
      const lines = (partial + data).split('\n');
      partial = lines.pop()!;
      for (const line of lines) this.#line(stream, line);
      while (partial.length > MAX_LINE) {
        this.#line(stream, partial.slice(0, MAX_LINE));
        partial = partial.slice(MAX_LINE);
      }
    });
    const done = () => {
      if (!this.#open.delete(source)) return;
      if (partial.length > 0) this.#line(stream, partial);
      partial = '';
      if (this.#open.size === 0) for (const waiter of this.#closedWaiters.splice(0)) waiter();
    };
    source.on('end', done);
    source.on('close', done);
    // A broken pipe to a dead worker is not the host's problem.
    source.on('error', done);
  }

  /** Resolves when every attached stream has ended, or after `maxMs` (a grandchild may hold one). */
  drained(maxMs: number): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      this.#closedWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #line(stream: 'stdout' | 'stderr', raw: string): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (stream === 'stderr' && OUT_OF_MEMORY.test(text)) this.#outOfMemory = true;
    this.#onLine({ stream, text });
  }
}
