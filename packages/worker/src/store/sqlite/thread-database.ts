import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from 'node:worker_threads';
import { JobStoreError } from '../../errors.ts';
import type { SqliteDatabase, SqliteDriver, SqliteStatement, SqlRow, SqlValue } from './driver.ts';
import type { OpenDatabaseOptions } from './open-database.ts';
import type { BatchOutcome, RowBatch } from './row-batch.ts';
import { type Call, decodeError, type EncodedError, type ThreadData } from './thread-protocol.ts';

/** How long a call waits for the thread before it is taken for dead. */
const CALL_TIMEOUT_MS = 60_000;

/**
 * The thread's module, built JavaScript beside this one. Run from the sources (the package's
 * own tests), this module is TypeScript and the thread is taken from dist, which the tests'
 * build step makes: a thread, like a worker process, never runs through a TS loader.
 */
function threadModule(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('../../../dist/store/sqlite/db-thread.js', here)
    : new URL('./db-thread.js', here);
}

/**
 * A store file opened on its own thread (db-thread.ts), which holds the connection. Every call
 * of SqliteDatabase is answered synchronously (the main thread blocks on Atomics.wait, tens of
 * µs); `post` hands the thread a batch to write while the main thread goes on, and its outcome
 * comes back to `onOutcome`: when the doorbell rings, or in `settle` when the main thread must
 * know it now.
 */
export class ThreadDatabase implements SqliteDatabase {
  readonly driver: SqliteDriver['name'];
  readonly #worker: Worker;
  readonly #flags: Int32Array;
  readonly #calls: MessagePort;
  readonly #replies: MessagePort;
  readonly #results: MessagePort;
  readonly #doorbell: MessagePort;
  /** Batches posted, and outcomes taken (from the port or by settle). */
  #posted = 0;
  #taken = 0;
  #onOutcome: ((outcome: BatchOutcome) => void) | undefined;
  #closed = false;

  private constructor(
    worker: Worker,
    flags: Int32Array,
    ports: {
      calls: MessagePort;
      replies: MessagePort;
      results: MessagePort;
      doorbell: MessagePort;
    },
    driver: SqliteDriver['name'],
  ) {
    this.#worker = worker;
    this.#flags = flags;
    this.#calls = ports.calls;
    this.#replies = ports.replies;
    this.#results = ports.results;
    this.#doorbell = ports.doorbell;
    this.driver = driver;
    // Outcomes are only ever taken with receiveMessageOnPort: a port with a listener may have
    // its next message already taken off for the event loop (Deno does), where a blocked
    // main thread would never see it. The doorbell (no data) says when to look.
    this.#doorbell.on('message', () => this.#drain());
    // The thread keeps the host alive only while a batch is being written.
    this.#worker.unref();
    this.#doorbell.unref();
  }

  /** Starts the thread and opens `file` there; rejects with the JobStoreError of openDatabase. */
  static async open(
    file: string,
    driver: SqliteDriver['name'] | undefined,
    options: OpenDatabaseOptions,
  ): Promise<ThreadDatabase> {
    const flags = new SharedArrayBuffer(8);
    const calls = new MessageChannel();
    const replies = new MessageChannel();
    const results = new MessageChannel();
    const doorbell = new MessageChannel();
    const data: ThreadData = {
      file,
      driver: driver ?? '',
      options: { maxSizeBytes: options.maxSizeBytes, quickCheck: options.quickCheck },
      flags,
      calls: calls.port2,
      replies: replies.port2,
      results: results.port2,
      doorbell: doorbell.port2,
    };
    const worker = new Worker(threadModule(), {
      workerData: data,
      transferList: [calls.port2, replies.port2, results.port2, doorbell.port2],
    });
    const opened = await new Promise<{ ok: boolean; driver?: string; error?: EncodedError }>(
      (resolve, reject) => {
        const failed = (error: unknown) =>
          reject(JobStoreError.openFailed(file, `its thread failed: ${String(error)}`, error));
        worker.once('error', failed);
        doorbell.port1.once('message', (message) => {
          worker.off('error', failed);
          resolve(message as { ok: boolean; driver?: string; error?: EncodedError });
        });
      },
    );
    if (!opened.ok) {
      await worker.terminate();
      throw decodeError(opened.error!);
    }
    return new ThreadDatabase(
      worker,
      new Int32Array(flags),
      {
        calls: calls.port1,
        replies: replies.port1,
        results: results.port1,
        doorbell: doorbell.port1,
      },
      opened.driver as SqliteDriver['name'],
    );
  }

  /** Where outcomes of posted batches go (those that settle() does not take). */
  set onOutcome(handler: (outcome: BatchOutcome) => void) {
    this.#onOutcome = handler;
  }

  exec(sql: string): void {
    this.#call({ op: 'exec', sql });
  }

  prepare(sql: string): SqliteStatement {
    // Prepared on the thread at first use, and kept there.
    return {
      run: (...params) => this.#call({ op: 'run', sql, params }) as { changes: number },
      get: (...params) => this.#call({ op: 'get', sql, params }) as SqlRow | undefined,
      all: (...params) => this.#call({ op: 'all', sql, params }) as SqlRow[],
    };
  }

  /** Writes `batch` now, waiting for its outcome. */
  write(batch: RowBatch): BatchOutcome {
    return this.#call({ op: 'batch', batch }) as BatchOutcome;
  }

  /** Hands `batch` to the thread; its outcome goes to onOutcome. */
  post(batch: RowBatch): void {
    this.#posted++;
    this.#worker.ref();
    this.#calls.postMessage({ write: batch });
  }

  /** True while a posted batch's outcome has not been taken. */
  get writing(): boolean {
    return this.#taken < this.#posted;
  }

  /** Waits for the posted batches' outcomes and hands them to onOutcome, now. */
  settle(): void {
    const deadline = Date.now() + CALL_TIMEOUT_MS;
    while (this.writing) {
      const message = receiveMessageOnPort(this.#results);
      if (message !== undefined) {
        this.#take(message.message as BatchOutcome);
        continue;
      }
      const done = Atomics.load(this.#flags, 1);
      if (done > this.#taken) {
        // Counted, but the message is not in the port yet: it is an instant away.
        if (Date.now() > deadline) throw this.#dead();
        continue;
      }
      if (Atomics.wait(this.#flags, 1, done, CALL_TIMEOUT_MS) === 'timed-out') throw this.#dead();
    }
  }

  close(): void {
    if (this.#closed) return;
    this.settle();
    try {
      this.#call({ op: 'close' });
    } finally {
      this.#closed = true;
      void this.#worker.terminate();
      this.#calls.close();
      this.#replies.close();
      this.#results.close();
      this.#doorbell.close();
    }
  }

  #drain(): void {
    for (let message = receiveMessageOnPort(this.#results); message !== undefined; ) {
      this.#take(message.message as BatchOutcome);
      message = receiveMessageOnPort(this.#results);
    }
  }

  #take(outcome: BatchOutcome): void {
    this.#taken++;
    if (!this.writing) this.#worker.unref();
    this.#onOutcome?.(outcome);
  }

  #call(call: Call): unknown {
    if (this.#closed) throw new Error('The job store database is closed');
    Atomics.store(this.#flags, 0, 0);
    this.#calls.postMessage({ call });
    const deadline = Date.now() + CALL_TIMEOUT_MS;
    for (;;) {
      const reply = receiveMessageOnPort(this.#replies)?.message as
        | { ok: true; value: unknown }
        | { ok: false; error: EncodedError }
        | undefined;
      if (reply !== undefined) {
        if (!reply.ok) throw decodeError(reply.error);
        return reply.value;
      }
      if (Atomics.load(this.#flags, 0) === 0) {
        if (Atomics.wait(this.#flags, 0, 0, CALL_TIMEOUT_MS) === 'timed-out') throw this.#dead();
      } else if (Date.now() > deadline) {
        // Answered, but the answer is not in the port yet: look again, until the deadline.
        throw this.#dead();
      }
    }
  }

  #dead(): Error {
    return new Error(`The job store's thread did not answer within ${CALL_TIMEOUT_MS} ms`);
  }
}

export type { SqlValue };
