import type { JsonObject } from '@plugwork/protocol';
import {
  InvalidJobError,
  type Job,
  type JobFailure,
  type JobHandle,
  type JobManager,
  WorkerErrorCode,
} from '@plugwork/worker';
import { type Job as BullJob, DelayedError, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { RemoteFailures } from '../errors.ts';
import { encodeFailure, type RemoteJobData } from '../job-data.ts';
import type { Keys } from '../keys.ts';
import type { CapacityGate } from './capacity-gate.ts';
import { ChunkWriter, type ChunkWriterOptions } from './chunk-writer.ts';
import { ProgressRelay } from './progress-relay.ts';

/** A BullMQ job this node is running in its local pool. */
export interface RunningRemoteJob {
  readonly id: string;
  readonly plugin: string;
  readonly local: JobHandle;
  /** Set at shutdown: the job goes back to its queue instead of ending cancelled. */
  handBack: boolean;
}

/** What the node shares with every job it runs. */
export interface RemoteJobContext {
  readonly manager: JobManager;
  /** The node's command connection (waits for Redis when it is away). */
  readonly redis: Redis;
  readonly keys: Keys;
  readonly stream: ChunkWriterOptions;
  readonly gate: CapacityGate;
  /** Local job id -> its progress relay (the manager's job:progress events are routed here). */
  readonly progress: Map<string, ProgressRelay>;
  /** `<plugin>\0<id>` -> running job. */
  readonly running: Map<string, RunningRemoteJob>;
  /** Whether a cancel for this job arrived before the job was tracked here. */
  readonly cancelRequested: (plugin: string, id: string) => boolean;
  readonly onError: (error: unknown) => void;
}

export function runningKey(plugin: string, id: string): string {
  return `${plugin}\0${id}`;
}

/** When a job that cannot run here now goes back to its queue for another node. */
const HAND_BACK_DELAY_MS = 1_000;
/** When a job taken beyond the pool's capacity goes back (short: a slot frees soon). */
const BOUNCE_DELAY_MS = 20;

/**
 * The BullMQ processor of one plugin queue: runs the job in the local pool and relays its
 * progress, chunks and outcome. Returns the plugin's result, or throws what BullMQ should do:
 * an Error (retry while attempts remain), an UnrecoverableError (fail now: cancelled, last
 * attempt, node lost), a DelayedError (handed back to the queue).
 *
 * Attempts count every run, lost ones too: BullMQ counts failures in attemptsMade and runs whose
 * node vanished (lock expired, job moved back by the stalled check) in stalledCounter.
 */
export async function runRemoteJob(
  context: RemoteJobContext,
  plugin: string,
  job: BullJob<RemoteJobData>,
  token: string | undefined,
): Promise<JsonObject> {
  const id = job.id!;
  const data = job.data;
  const attempts = job.opts.attempts ?? 1;
  const lost = job.stalledCounter ?? 0;
  const attempt = job.attemptsMade + lost + 1;
  const writer = data.stream
    ? new ChunkWriter(context.redis, context.keys.chunks(plugin, id), context.stream)
    : undefined;
  if (attempt > attempts) {
    const failure = RemoteFailures.nodeLost(id, plugin, lost, attempts);
    await writer?.end({ status: 'failed', error: failure });
    throw new UnrecoverableError(encodeFailure(failure));
  }

  if (!context.gate.hasRoom(plugin)) {
    // Taken in the instant the pool filled up (see CapacityGate): give it to whichever node
    // frees a slot first rather than queue it here.
    await job.moveToDelayed(Date.now() + BOUNCE_DELAY_MS, token);
    throw new DelayedError();
  }
  context.gate.acquire(plugin);
  const key = runningKey(plugin, id);
  try {
    await writer?.beginAttempt(attempt);
    let local: JobHandle;
    try {
      local = context.manager.submit(plugin, data.params, {
        stream: data.stream,
        timeoutMs: data.timeoutMs,
        stallMs: data.stallMs,
        metadata: data.metadata,
      });
    } catch (error) {
      if (error instanceof InvalidJobError) {
        throw new UnrecoverableError(
          encodeFailure({ code: WorkerErrorCode.INVALID_PARAMS, message: error.message }),
        );
      }
      // The catalog just changed, the local queue is full or the manager is stopping: not this
      // job's fault, so it goes back to the queue (attempts unchanged) for this or another node.
      await job.moveToDelayed(Date.now() + HAND_BACK_DELAY_MS, token);
      throw new DelayedError();
    }

    const running: RunningRemoteJob = { id, plugin, local, handBack: false };
    context.running.set(key, running);
    const relay = new ProgressRelay(job, context.onError);
    context.progress.set(local.id, relay);
    const cancel = () => void local.cancel();
    // A cancel that arrived before the job was in context.running (later ones find it there).
    if (context.cancelRequested(plugin, id)) cancel();
    // A run after the first: the job may have been cancelled while an earlier node ran it.
    if (job.attemptsStarted > 1 || attempt > 1) {
      context.redis.exists(context.keys.cancelled(plugin, id)).then((found) => {
        if (found === 1) cancel();
      }, context.onError);
    }

    let final: Job;
    try {
      const pumping = writer?.pump(local, cancel);
      final = await local.done;
      await pumping;
      await relay.flush();
    } finally {
      context.progress.delete(local.id);
      context.running.delete(key);
    }

    if (running.handBack && final.status === 'cancelled') {
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    // Abandoned wins over the local outcome: the plugin may have finished into the local
    // buffers while the submitter read nothing, but the submitter did not get its output.
    if (final.status === 'completed' && writer?.abandoned !== true) {
      await writer?.end({ status: 'completed' });
      return final.result ?? {};
    }
    const failure: JobFailure =
      writer?.abandoned === true
        ? RemoteFailures.streamAbandoned(
            id,
            plugin,
            context.stream.lagTimeoutMs,
            context.stream.windowChars,
          )
        : // The local pool named the job by its local id; the submitter knows the BullMQ one.
          { ...final.error!, message: final.error!.message.replaceAll(local.id, id) };
    const last = final.status === 'cancelled' || writer?.abandoned === true || attempt >= attempts;
    if (last) {
      await writer?.end({
        status: failure.code === WorkerErrorCode.JOB_CANCELLED ? 'cancelled' : 'failed',
        error: failure,
      });
      throw new UnrecoverableError(encodeFailure(failure));
    }
    throw new Error(encodeFailure(failure));
  } finally {
    context.gate.release(plugin);
  }
}
