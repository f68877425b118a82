// A SQLite store sends each batch of rows to its thread packed (numbers in one typed array,
// texts in one string): every row must come out of the pack with the values, NULLs and types
// it went in with, and each kind of row must match the layout the thread unpacks it by.
import { describe, expect, it } from 'vitest';
import { WorkerErrorCode } from '../../src/errors.ts';
import { JobState } from '../../src/store/job-state.ts';
import type { SqlValue } from '../../src/store/sqlite/driver.ts';
import { RowPacker, type RowSink, unpackRows, ValueList } from '../../src/store/sqlite/row-pack.ts';
import {
  appendFinish,
  appendInsert,
  appendLiveUpdate,
  appendNew,
  BATCH_LAYOUTS,
} from '../../src/store/sqlite/rows.ts';
import { newJob, WORKER } from './store-helpers.ts';

const failure = { code: WorkerErrorCode.PLUGIN_ERROR, message: 'Plugin "echo" failed: "q" é ✓' };

/** A sink that records only which kind of value each column was. */
class KindRecorder implements RowSink {
  kinds = '';
  number(): void {
    this.kinds += 'n';
  }
  string(): void {
    this.kinds += 's';
  }
}

let seq = 0;
function pending(overrides = {}): JobState {
  seq++;
  return new JobState(newJob({ id: `job-${seq}`, ...overrides }), seq);
}
function running(overrides = {}): JobState {
  const job = pending(overrides);
  job.startAttempt(WORKER, 1_000 + seq);
  return job;
}
function withProgress(): JobState {
  const job = running({ plugin: 'plügin ✓' });
  job.setProgress(0.25, '');
  return job;
}
function completed(): JobState {
  const job = running({ params: { text: 'é "q" \u2028' } });
  job.end({ status: 'completed', result: { text: 'ok', n: [1, null] } }, 2_000 + seq);
  return job;
}
function failed(): JobState {
  const job = running();
  job.setProgress(1, 'nearly "done"');
  job.end({ status: 'failed', error: failure }, 2_000 + seq);
  return job;
}
function cancelledWhilePending(): JobState {
  const job = pending();
  job.end({ status: 'cancelled', error: failure }, 2_000 + seq);
  return job;
}

/** Each kind of row (in BATCH_LAYOUTS order), with jobs of the shapes it is written for. */
const KINDS = [
  { name: 'new', append: appendNew, jobs: () => [pending(), pending({ priority: -3 })] },
  {
    name: 'insert',
    append: appendInsert,
    jobs: () => [running(), withProgress(), completed(), failed(), cancelledWhilePending()],
  },
  { name: 'live update', append: appendLiveUpdate, jobs: () => [running(), withProgress()] },
  { name: 'finish', append: appendFinish, jobs: () => [completed(), failed()] },
] as const;

function values(append: (out: RowSink, job: JobState) => void, jobs: JobState[]): SqlValue[] {
  const list = new ValueList();
  for (const job of jobs) append(list, job);
  return list.values;
}

describe('SQLite rows packed for the store thread', () => {
  it.each(KINDS.map((kind, index) => [kind.name, index] as const))(
    'lays out %s rows as its layout says',
    (_name, index) => {
      const { append, jobs } = KINDS[index]!;
      for (const job of jobs()) {
        const recorder = new KindRecorder();
        append(recorder, job);
        expect(recorder.kinds).toBe(BATCH_LAYOUTS[index]);
      }
    },
  );

  it('unpacks a batch of every kind to the values the rows were written with', () => {
    const jobs = KINDS.map((kind) => kind.jobs());
    const packer = new RowPacker(
      BATCH_LAYOUTS,
      jobs.map((list) => list.length),
    );
    KINDS.forEach((kind, index) => {
      for (const job of jobs[index]!) kind.append(packer, job);
    });
    // Through a structured clone, as it crosses to the thread.
    const packed = structuredClone(packer.finish());
    const unpacked = unpackRows(packed, BATCH_LAYOUTS);
    KINDS.forEach((kind, index) => {
      expect(unpacked[index]).toEqual(values(kind.append, jobs[index]!));
    });
    // NULL and the empty string stay apart (withProgress has an empty message).
    const insert = unpacked[1]!;
    expect(insert).toContain('');
    expect(insert).toContain(null);
  });

  it('unpacks an empty batch', () => {
    const packed = new RowPacker(BATCH_LAYOUTS, [0, 0, 0, 0]).finish();
    expect(unpackRows(packed, BATCH_LAYOUTS)).toEqual([[], [], [], []]);
  });

  it('refuses a batch whose rows do not fill its counts', () => {
    const packer = new RowPacker(BATCH_LAYOUTS, [2, 0, 0, 0]);
    appendNew(packer, pending());
    expect(() => packer.finish()).toThrow(/does not match/);
  });

  it('refuses a pack read with other layouts', () => {
    const packer = new RowPacker(BATCH_LAYOUTS, [0, 1, 0, 0]);
    appendInsert(packer, completed());
    const packed = packer.finish();
    expect(() => unpackRows(packed, ['nsssnnnns', 'nsssnnnnnnssnssssnn'])).toThrow(
      /does not match/,
    );
  });
});
