import { type JobFailure, JobFailures, JobStoreError } from '../errors.ts';
import { RenewingMap } from '../renewing-map.ts';
import { JobState } from './job-state.ts';
import type {
  InsertResult,
  JobPage,
  JobStore,
  ListJobsFilter,
  PruneReport,
  RecoveryPolicy,
  RecoveryReport,
  Retention,
} from './job-store.ts';
import { RunQueue } from './run-queue.ts';
import type { AttemptWorker, JobOutcome, NewJob, StoredJob } from './stored-job.ts';

/**
 * What both stores share: the live jobs (pending and running) in memory, the run queue, the
 * counters and every transition. A store says how it keeps jobs through the hooks: `persistNew`
 * (may throw to refuse a job), `changed` after every transition, `findStored` for jobs that are
 * no longer in memory.
 */
export abstract class JobLedger implements JobStore {
  abstract readonly kind: 'memory' | 'sqlite';
  abstract readonly file: string | undefined;
  /** Renewing: see renewing-map.ts. */
  protected readonly live = new RenewingMap<string, JobState>();
  protected readonly queue = new RunQueue();
  /** The next job's seq. */
  protected nextSeq = 1;
  /** submittedAt never goes down, so a time range is a seq range (a clock stepped back waits). */
  protected lastSubmittedAt = 0;
  protected closed = false;
  /** Running jobs a previous host left behind, until recover() deals with them. */
  protected leftRunning: JobState[] = [];
  #recovered = false;
  #pending = 0;
  #running = 0;

  protected abstract persistNew(job: JobState): void;
  protected abstract changed(job: JobState): void;
  protected abstract findStored(id: string): StoredJob | undefined;
  abstract list(filter?: ListJobsFilter): JobPage;
  abstract prune(retention: Retention, now?: number): Promise<PruneReport>;
  abstract clearFinished(): number;
  abstract flush(): void;
  abstract close(): Promise<void>;

  get pendingCount(): number {
    return this.#pending;
  }

  get queuedCount(): number {
    return this.queue.size;
  }

  get runningCount(): number {
    return this.#running;
  }

  insert(job: NewJob, options?: { fresh?: boolean }): InsertResult {
    this.assertOpen();
    if (options?.fresh !== true) {
      const existing = this.live.get(job.id)?.snapshot() ?? this.findStored(job.id);
      if (existing !== undefined) return { job: existing, created: false };
    }
    const submittedAt = Math.max(job.submittedAt, this.lastSubmittedAt);
    const spec = submittedAt === job.submittedAt ? job : { ...job, submittedAt };
    const state = new JobState(spec, this.nextSeq);
    this.persistNew(state);
    this.nextSeq++;
    this.lastSubmittedAt = submittedAt;
    this.live.set(job.id, state);
    this.#pending++;
    this.queue.add(state, Date.now());
    return new Inserted(state);
  }

  claimNext(now = Date.now()): StoredJob | undefined {
    this.assertOpen();
    return this.queue.take(now)?.snapshot();
  }

  peekNext(now = Date.now()): StoredJob | undefined {
    this.assertOpen();
    return this.queue.peek(now)?.snapshot();
  }

  claimNextId(now = Date.now()): string | undefined {
    this.assertOpen();
    return this.queue.take(now)?.id;
  }

  peekNextId(now = Date.now()): string | undefined {
    this.assertOpen();
    return this.queue.peek(now)?.id;
  }

  claimNextEntry(now = Date.now()): JobState | undefined {
    this.assertOpen();
    return this.queue.take(now);
  }

  peekNextEntry(now = Date.now()): JobState | undefined {
    this.assertOpen();
    return this.queue.peek(now);
  }

  *queuedEntries(): Iterable<JobState> {
    for (const job of this.live.values()) if (job.queued) yield job;
  }

  nextRunAt(): number | undefined {
    return this.queue.nextRunAt();
  }

  markRunning(ref: string | JobState, worker: AttemptWorker, at = Date.now()): boolean {
    const job = this.#live(ref);
    if (job === undefined || job.status !== 'pending') return false;
    this.queue.remove(job);
    job.startAttempt(worker, at);
    this.#pending--;
    this.#running++;
    this.changed(job);
    return true;
  }

  recordProgress(id: string, progress: number, message: string | undefined): void {
    const job = this.#live(id);
    if (job === undefined || job.status !== 'running') return;
    job.setProgress(progress, message);
    this.changed(job);
  }

  requeue(
    id: string,
    next: { runAt: number; error?: JobFailure | undefined },
    at = Date.now(),
  ): boolean {
    const job = this.#live(id);
    if (job === undefined || job.terminal) return false;
    if (job.status === 'running') {
      this.#running--;
      this.#pending++;
    }
    job.backToPending(next.runAt, next.error, at);
    this.queue.add(job, at);
    this.changed(job);
    return true;
  }

  finish(ref: string | JobState, outcome: JobOutcome, at = Date.now()): boolean {
    const job = this.#live(ref);
    if (job === undefined || job.terminal) return false;
    this.queue.remove(job);
    if (job.status === 'running') this.#running--;
    else this.#pending--;
    job.end(outcome, at);
    this.changed(job);
    return true;
  }

  recover(policy: RecoveryPolicy, now = Date.now()): RecoveryReport {
    this.assertOpen();
    const requeued: StoredJob[] = [];
    const failed: StoredJob[] = [];
    if (!this.#recovered) {
      this.#recovered = true;
      for (const job of this.leftRunning) {
        if (job.status !== 'running') continue;
        const { id, plugin, maxAttempts } = job.spec;
        const attempt = job.attempts.length;
        if (policy === 'retry' && job.attemptsLeft > 0) {
          this.requeue(
            id,
            { runAt: now, error: JobFailures.attemptInterrupted(id, plugin, attempt) },
            now,
          );
          requeued.push(job.snapshot());
        } else {
          const error = JobFailures.hostRestarted(id, plugin, attempt, maxAttempts);
          this.finish(id, { status: 'failed', error }, now);
          failed.push(job.snapshot());
        }
      }
      this.leftRunning = [];
    }
    return { requeued, failed, pending: this.#pending };
  }

  get(id: string): StoredJob | undefined {
    this.assertOpen();
    return this.live.get(id)?.snapshot() ?? this.findStored(id);
  }

  /** Takes in a job read back from the file (open): counted, and queued when pending. */
  protected adopt(job: JobState): void {
    this.live.set(job.id, job);
    if (job.status === 'pending') {
      this.#pending++;
      this.queue.add(job, Date.now());
    } else if (job.status === 'running') {
      this.#running++;
      this.leftRunning.push(job);
    }
  }

  /** Drops a job the store could not keep (its row was refused): out of the queue and counts. */
  protected forget(job: JobState): void {
    this.queue.remove(job);
    if (job.status === 'pending') this.#pending--;
    else if (job.status === 'running') this.#running--;
    this.live.delete(job.id);
    job.forgotten = true;
  }

  protected assertOpen(): void {
    if (this.closed) throw JobStoreError.closed(this.file);
  }

  /** A live job by id, or the entry insert() gave while it is still this store's. */
  #live(ref: string | JobState): JobState | undefined {
    this.assertOpen();
    if (typeof ref === 'string') return this.live.get(ref);
    return ref.forgotten ? undefined : ref;
  }
}

/** insert()'s answer for a new job: the snapshot is made only if someone reads it. */
class Inserted implements InsertResult {
  readonly created = true;
  readonly entry: JobState;

  constructor(entry: JobState) {
    this.entry = entry;
  }

  get job(): StoredJob {
    return this.entry.snapshot();
  }
}
