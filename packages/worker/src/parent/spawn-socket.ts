import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkerStartError } from '../errors.ts';
import { socketTransport } from '../transport/socket-ndjson.ts';
import type { Transport } from '../transport/transport.ts';
import { childEntry } from './child-entry.ts';
import { guardWorker } from './host-watchdog.ts';
import type { LaunchPlan } from './launch-plan.ts';
import { eventOrTimeout, type SpawnedWorker, type SpawnSettings } from './spawned-worker.ts';

const SOCKET_ENTRY = fileURLToPath(childEntry('socket-main'));

let socketCounter = 0;

/**
 * Starts a worker that connects back over a Unix domain socket: the host listens on a fresh
 * socket file in the temporary directory, passes its path as `--socket=`, and accepts exactly
 * one connection. The socket file is removed once the worker is connected (the connection
 * outlives it) or when the worker exits first.
 */
export async function spawnSocketWorker(
  workerId: string,
  plan: LaunchPlan,
  settings: SpawnSettings,
): Promise<SpawnedWorker> {
  const socketPath = join(
    tmpdir(),
    `plugwork-${process.pid}-${++socketCounter}-${Math.random().toString(36).slice(2, 8)}.sock`,
  );
  const server = createServer();
  const removeSocketFile = () => rmSync(socketPath, { force: true });
  try {
    server.listen(socketPath);
    await once(server, 'listening');
  } catch (error) {
    server.close();
    throw WorkerStartError.spawnFailed(workerId, error);
  }
  server.unref();
  const transport = new PendingTransport();
  let connection: Socket | undefined;
  server.once('connection', (socket) => {
    connection = socket;
    server.close();
    removeSocketFile();
    // A Python worker reads lines only; plugwork's own workers unpack batches (batch.ts).
    transport.connect(
      socketTransport(socket, {
        maxBytes: plan.maxLineBytes,
        sendBatches: plan.runtime !== 'python',
      }),
    );
  });
  let child: ChildProcess;
  try {
    child = spawn(
      plan.command,
      [
        ...plan.flags(socketPath),
        ...(plan.entry ?? [SOCKET_ENTRY]),
        `--socket=${socketPath}`,
        `--grace-ms=${settings.graceMs}`,
        // A Python worker keeps its channel's own limit (16 MiB: its README).
        ...(plan.runtime === 'python' ? [] : [`--max-line=${plan.maxLineBytes}`]),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: settings.env ?? process.env,
        cwd: settings.cwd,
      },
    );
  } catch (error) {
    server.close();
    removeSocketFile();
    throw WorkerStartError.spawnFailed(workerId, error);
  }
  child.on('error', () => {});
  if (child.pid === undefined) {
    const [error] = await once(child, 'error');
    server.close();
    removeSocketFile();
    throw WorkerStartError.spawnFailed(workerId, error);
  }
  guardWorker(child, settings.graceMs);
  return {
    child,
    transport,
    channelDrained: (maxMs) =>
      connection === undefined || connection.destroyed
        ? Promise.resolve()
        : eventOrTimeout(connection, 'close', maxMs),
    release: () => {
      server.close();
      removeSocketFile();
      connection?.destroy();
      transport.close();
    },
  };
}

/**
 * The host's end before the worker has connected: messages sent meanwhile (the init request)
 * wait and go out in order once the connection is up.
 */
class PendingTransport implements Transport {
  #inner: Transport | undefined;
  #queue: [object, ((error: Error | null) => void) | undefined][] = [];
  #listener: ((message: unknown) => void) | undefined;
  #onClose: (() => void) | undefined;
  #closed = false;

  connect(inner: Transport): void {
    if (this.#closed) {
      inner.close();
      return;
    }
    this.#inner = inner;
    if (this.#listener !== undefined) inner.onMessage(this.#listener);
    inner.onClose(() => this.#close());
    for (const [message, onSent] of this.#queue.splice(0)) inner.send(message, onSent);
  }

  send(message: object, onSent?: (error: Error | null) => void): boolean {
    if (this.#closed) return false;
    if (this.#inner !== undefined) return this.#inner.send(message, onSent);
    this.#queue.push([message, onSent]);
    return true;
  }

  onMessage(listener: (message: unknown) => void): void {
    this.#listener = listener;
    this.#inner?.onMessage(listener);
  }

  onClose(listener: () => void): void {
    this.#onClose = listener;
    if (this.#closed) listener();
  }

  close(): void {
    this.#inner?.close();
    this.#close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#onClose?.();
  }
}
