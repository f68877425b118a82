import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  type ReadyResponse,
  type ResponseResponse,
  type StateResponse,
  safeParseWireResponse,
  type WorkerResponseMessage,
} from '@plugwork/protocol/wire';
import {
  describeExit,
  type ExitDescription,
  WorkerMessageErrorCode,
  WorkerProtocolError,
  WorkerRequestError,
} from '../errors.ts';
import { Outbox } from '../transport/outbox.ts';
import { type Transport, toChannelSendError } from '../transport/transport.ts';
import { trackWorkerProcess, untrackWorkerProcess } from './exit-hook.ts';
import type { LaunchPlan } from './launch-plan.ts';
import { type ForwardedLine, OutputForwarder } from './output-forwarder.ts';
import { spawnPipeWorker } from './spawn-pipe.ts';
import { spawnSocketWorker } from './spawn-socket.ts';
import type { SpawnedWorker } from './spawned-worker.ts';

/** After 'exit', how long to wait for the worker's last output and messages to arrive. */
const DRAIN_AFTER_EXIT_MS = 200;
/** How long a worker whose channel closed may take to exit by itself before it is killed. */
const CHANNEL_LOST_GRACE_MS = 200;

export type ExitInfo = ExitDescription;

export interface WorkerHandleOptions {
  workerId: string;
  /** Which runtime, binary, channel and flags (see launch-plan.ts). */
  launch: LaunchPlan;
  env: Record<string, string | undefined> | undefined;
  cwd: string | undefined;
  /** Time the worker gets to exit cleanly once its host is gone. */
  graceMs: number;
  /** Every message that is not the answer to a request (results, chunks, progress, …). */
  onMessage: (message: WorkerResponseMessage) => void;
  /** A message that failed to parse; `raw` is what arrived. */
  onProtocolError: (error: WorkerProtocolError, raw: unknown) => void;
  /**
   * A message without the channel's token: written by plugin code, not by the worker loop. It
   * was dropped; `count` is how many this process has sent so far.
   */
  onForged: (raw: unknown, count: number) => void;
  /** A line the worker printed. */
  onOutput: (line: ForwardedLine, pid: number) => void;
  /** The process is gone; called once, after its last output and messages were delivered. */
  onExit: (exit: ExitInfo) => void;
}

type Answer = ReadyResponse | ResponseResponse | StateResponse;

interface PendingRequest {
  type: string;
  subject: string;
  timer: NodeJS.Timeout;
  resolve: (answer: Answer) => void;
  reject: (error: WorkerRequestError) => void;
}

/**
 * One worker process: spawning it, the channel to it, requests with ids and timeouts, and
 * noticing its death. It knows nothing about jobs or restarts (see worker-slot.ts).
 */
export class WorkerHandle {
  readonly workerId: string;
  readonly pid: number;
  /**
   * The channel's secret, sent in `init`; the worker loop puts it on every message. Plugin code
   * that writes to the channel itself (its file descriptor) does not know it.
   */
  readonly token = randomBytes(18).toString('base64url');
  #forged = 0;
  readonly #child: ChildProcess;
  readonly #spawned: SpawnedWorker;
  readonly #transport: Transport;
  readonly #outbox: Outbox;
  readonly #options: WorkerHandleOptions;
  readonly #output: OutputForwarder;
  readonly #pending = new Map<string, PendingRequest>();
  #answeredWaiters: (() => void)[] = [];
  #nextRequestId = 0;
  #exit: ExitInfo | undefined;
  #exitedAt: number | undefined;
  #fatalError: string | undefined;
  /** The channel closed while the process lived on (plugin code closed its descriptor). */
  #channelLost = false;
  readonly #exited: Promise<ExitInfo>;
  #resolveExited!: (exit: ExitInfo) => void;

  private constructor(spawned: SpawnedWorker, options: WorkerHandleOptions) {
    const child = spawned.child;
    this.#spawned = spawned;
    this.#child = child;
    this.#options = options;
    this.workerId = options.workerId;
    this.pid = child.pid!;
    this.#exited = new Promise((resolve) => {
      this.#resolveExited = resolve;
    });
    this.#output = new OutputForwarder((line) => options.onOutput(line, this.pid));
    this.#output.attach(child.stdout, 'stdout');
    this.#output.attach(child.stderr, 'stderr');
    this.#transport = spawned.transport;
    this.#outbox = new Outbox(spawned.transport);
    this.#transport.onMessage((raw) => this.#receive(raw));
    this.#transport.onClose(() => this.#onChannelClosed());
    child.once('exit', (code, signal) => void this.#onExit(code, signal));
    trackWorkerProcess(child);
  }

  /**
   * Starts a worker process as the launch plan says (an inherited socket pair, or a socket).
   * Rejects with WorkerStartError when it cannot be spawned.
   */
  static async spawn(options: WorkerHandleOptions): Promise<WorkerHandle> {
    const settings = { graceMs: options.graceMs, env: options.env, cwd: options.cwd };
    const spawned =
      options.launch.channel === 'pipe'
        ? await spawnPipeWorker(options.workerId, options.launch, settings)
        : await spawnSocketWorker(options.workerId, options.launch, settings);
    return new WorkerHandle(spawned, options);
  }

  /** Requests sent and not answered yet. */
  get pendingRequests(): number {
    return this.#pending.size;
  }

  /** Resolves once no request waits for an answer (at once when none does). */
  whenAnswered(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#answeredWaiters.push(resolve));
  }

  #settled(): void {
    if (this.#pending.size > 0) return;
    for (const resolve of this.#answeredWaiters.splice(0)) resolve();
  }

  /** True until the process has exited. */
  get alive(): boolean {
    return this.#exitedAt === undefined;
  }

  /** Resolves when the process has exited and its last output has been forwarded. */
  get exited(): Promise<ExitInfo> {
    return this.#exited;
  }

  /**
   * Fire-and-forget send (execute, cancel, stream_ack). False when the worker is gone; throws
   * ChannelSendError when the channel is open but refuses this message.
   */
  send(message: object): boolean {
    return this.#outbox.sendNow(message);
  }

  /**
   * Sends at the end of this turn of the event loop, in one write with the other messages
   * posted in it (see outbox.ts): for the execute requests a pump hands out. `onFailed` hears
   * when the channel is open but refuses this message (a ChannelSendError); a closed channel
   * is the exit's business, as for send().
   */
  post(message: object, onFailed: (error: unknown) => void): void {
    this.#outbox.post(message, onFailed);
  }

  /**
   * Sends a request with a fresh request_id and resolves with the answer carrying that id;
   * rejects with WorkerRequestError on an error answer, a timeout or the worker's exit.
   *
   * @param subject how messages name what the request is about (` for plugin "echo"`)
   */
  request<T extends Answer>(
    message: { type: string } & Record<string, unknown>,
    timeoutMs: number,
    subject = '',
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (!this.alive) {
        reject(
          WorkerRequestError.exited(this.workerId, this.pid, message.type, subject, 'has exited'),
        );
        return;
      }
      const requestId = `r${++this.#nextRequestId}`;
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        this.#settled();
        reject(
          WorkerRequestError.timeout(
            this.workerId,
            this.pid,
            message.type,
            subject,
            timeoutMs,
            false,
          ),
        );
      }, timeoutMs);
      this.#pending.set(requestId, {
        type: message.type,
        subject,
        timer,
        resolve: resolve as (answer: Answer) => void,
        reject,
      });
      try {
        this.#outbox.sendNow({ ...message, request_id: requestId });
      } catch (error) {
        this.#pending.delete(requestId);
        this.#settled();
        clearTimeout(timer);
        reject(
          WorkerRequestError.failed(
            this.workerId,
            this.pid,
            message.type,
            subject,
            toChannelSendError(error).message,
          ),
        );
      }
    });
  }

  /** Kills the process (SIGKILL unless told otherwise). Safe to call when it is already gone. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.alive) return;
    try {
      this.#child.kill(signal);
    } catch {
      // It died between the check and the kill.
    }
  }

  /** Asks the worker to stop (dispose, exit 0); kills it if it has not exited after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<ExitInfo> {
    if (!this.alive) return this.#exited;
    const timer = setTimeout(() => this.kill('SIGKILL'), timeoutMs);
    this.request({ type: 'stop' }, timeoutMs, '').catch(() => {
      // The answer does not matter: exiting is what stop is for; the timer enforces it.
    });
    const exit = await this.#exited;
    clearTimeout(timer);
    return exit;
  }

  #receive(raw: unknown): void {
    // First: no message counts, not even as malformed, unless the worker loop wrote it. The
    // transport's own note of an undecodable line is the one exception (made on this side).
    if ((raw as { token?: unknown } | null)?.token !== this.token && !isUndecodable(raw)) {
      this.#options.onForged(raw, ++this.#forged);
      return;
    }
    const parsed = safeParseWireResponse(raw);
    if (!parsed.ok) {
      // A malformed answer to a pending request fails that request now, not at its timeout.
      const requestId = (raw as { request_id?: unknown } | null)?.request_id;
      const pending = typeof requestId === 'string' ? this.#pending.get(requestId) : undefined;
      if (pending !== undefined) {
        this.#pending.delete(requestId as string);
        this.#settled();
        clearTimeout(pending.timer);
        pending.reject(
          WorkerRequestError.failed(
            this.workerId,
            this.pid,
            pending.type,
            pending.subject,
            `it sent a malformed answer (${parsed.error.message})`,
          ),
        );
      }
      this.#options.onProtocolError(
        new WorkerProtocolError(this.workerId, this.pid, parsed.error.message, {
          cause: parsed.error,
        }),
        raw,
      );
      return;
    }
    const message = parsed.message;
    const requestId = 'request_id' in message ? message.request_id : undefined;
    if (requestId !== undefined) {
      const pending = this.#pending.get(requestId);
      if (pending !== undefined) {
        this.#pending.delete(requestId);
        clearTimeout(pending.timer);
        this.#settle(pending, message);
        this.#settled();
        return;
      }
    }
    if (message.type === 'error' && message.code === WorkerMessageErrorCode.UNCAUGHT_EXCEPTION) {
      this.#fatalError = message.error;
    }
    this.#options.onMessage(message);
  }

  #settle(pending: PendingRequest, message: WorkerResponseMessage): void {
    if (message.type === 'error' || (message.type === 'response' && message.status === 'error')) {
      const error = WorkerRequestError.failed(
        this.workerId,
        this.pid,
        pending.type,
        pending.subject,
        message.error ?? 'the worker gave no reason',
      );
      if (message.type === 'response') error.loadedPlugins = loadedPluginsOf(message);
      pending.reject(error);
      return;
    }
    if (message.type === 'ready' || message.type === 'response' || message.type === 'state') {
      pending.resolve(message);
      return;
    }
    pending.reject(
      WorkerRequestError.failed(
        this.workerId,
        this.pid,
        pending.type,
        pending.subject,
        `it answered with a "${message.type}" message`,
      ),
    );
  }

  /**
   * A worker closes its channel only as it exits. One that lives on without it (plugin code
   * closed or took over the channel's file descriptor) can never answer again: its jobs would
   * wait for their timeouts, or for ever. It gets the moment an exit takes, then the kill.
   */
  #onChannelClosed(): void {
    if (!this.alive) return;
    setTimeout(() => {
      if (!this.alive) return;
      this.#channelLost = true;
      this.kill('SIGKILL');
    }, CHANNEL_LOST_GRACE_MS).unref();
  }

  async #onExit(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    this.#exitedAt = Date.now();
    untrackWorkerProcess(this.#child);
    // 'exit' can overtake the last bytes on the pipes: an out-of-memory report on stderr, an
    // uncaught-exception message on the channel. Let them land (bounded) before judging.
    await Promise.all([
      this.#output.drained(DRAIN_AFTER_EXIT_MS),
      this.#spawned.channelDrained(DRAIN_AFTER_EXIT_MS),
    ]);
    this.#spawned.release();
    const exit: ExitInfo = {
      pid: this.pid,
      code,
      signal,
      outOfMemory: this.#output.outOfMemory,
      fatalError: this.#fatalError,
      channelLost: this.#channelLost,
    };
    this.#exit = exit;
    const how = describeExit(exit);
    for (const [requestId, pending] of this.#pending) {
      this.#pending.delete(requestId);
      clearTimeout(pending.timer);
      pending.reject(
        WorkerRequestError.exited(this.workerId, this.pid, pending.type, pending.subject, how),
      );
    }
    this.#settled();
    this.#options.onExit(exit);
    this.#resolveExited(exit);
  }

  /** How the process ended, once it has. */
  get exitInfo(): ExitInfo | undefined {
    return this.#exit;
  }
}

/** `data.loaded_plugins` of a reload/unload answer, when it is a list of names. */
export function loadedPluginsOf(answer: ResponseResponse): string[] | undefined {
  const loaded = answer.data?.loaded_plugins;
  return Array.isArray(loaded) && loaded.every((name) => typeof name === 'string')
    ? (loaded as string[])
    : undefined;
}

function isUndecodable(raw: unknown): boolean {
  return typeof (raw as { undecodable?: unknown } | null)?.undecodable === 'string';
}
