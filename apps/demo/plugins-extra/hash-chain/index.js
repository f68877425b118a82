// A CPU-heavy plugin: it generates `size_kb` of data from a seed, then hashes it `rounds` times,
// each round feeding the previous digest back in. Between rounds it checks the job's AbortSignal
// and lets the event loop run, so a cancel arrives and ends the job within one round; it reports
// progress as it goes. `stream` yields one line per tenth of the work.
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { definePlugin } from '@plugwork/protocol';
import { z } from 'zod';

const configSchema = z.strictObject({
  algorithm: z.enum(['sha256', 'sha512', 'sha1', 'md5']).default('sha256'),
});

const paramsSchema = z.strictObject({
  rounds: z.number().int().min(1).max(100_000).default(2000),
  size_kb: z.number().int().min(1).max(65_536).default(2048),
  seed: z.string().max(200).default('plugwork'),
});

/** Deterministic bytes from a seed: sha256 in counter mode. */
function generate(seed, bytes) {
  const data = Buffer.alloc(bytes);
  for (let offset = 0, counter = 0; offset < bytes; offset += 32, counter++) {
    createHash('sha256').update(`${seed}:${counter}`).digest().copy(data, offset);
  }
  return data;
}

/** The chain, one round at a time. Throws the abort reason when the job is cancelled. */
async function* rounds({ rounds: total, size_kb: sizeKb, seed }, { config, signal }) {
  const data = generate(seed, sizeKb * 1024);
  let digest = Buffer.alloc(0);
  for (let round = 1; round <= total; round++) {
    signal.throwIfAborted();
    digest = createHash(config.algorithm).update(digest).update(data).digest();
    // Each round hashes different data: the digest is mixed into the first bytes.
    for (let index = 0; index < digest.length && index < data.length; index++) {
      data[index] ^= digest[index];
    }
    yield { round, digest };
    // Let the worker read its messages (a cancel) before the next round.
    await nextTurn();
  }
}

function summary(params, config, digest, startedAt) {
  const ms = Math.max(1, Math.round(performance.now() - startedAt));
  const megabytes = (params.rounds * params.size_kb) / 1024;
  return {
    algorithm: config.algorithm,
    digest: digest.toString('hex'),
    rounds: params.rounds,
    megabytes_hashed: Math.round(megabytes * 100) / 100,
    ms,
    mb_per_second: Math.round((megabytes / (ms / 1000)) * 10) / 10,
  };
}

export default definePlugin({
  name: 'hash-chain',
  description:
    'Generates data and hashes it round after round: CPU-heavy, with progress, cancellable between rounds.',
  configSchema,
  paramsSchema,
  async execute(params, context) {
    const startedAt = performance.now();
    let last = Buffer.alloc(0);
    let reported = 0;
    for await (const { round, digest } of rounds(params, context)) {
      last = digest;
      // About a hundred progress reports per job, however many rounds it has.
      const progress = round / params.rounds;
      if (progress - reported >= 0.01 || round === params.rounds) {
        reported = progress;
        context.reportProgress(progress, `round ${round} of ${params.rounds}`);
      }
    }
    return summary(params, context.config, last, startedAt);
  },
  async *stream(params, context) {
    const startedAt = performance.now();
    const every = Math.max(1, Math.ceil(params.rounds / 10));
    let last = Buffer.alloc(0);
    for await (const { round, digest } of rounds(params, context)) {
      last = digest;
      if (round % every === 0 || round === params.rounds) {
        context.reportProgress(round / params.rounds, `round ${round} of ${params.rounds}`);
        yield `round ${String(round).padStart(String(params.rounds).length)}/${params.rounds}  ${digest.toString('hex').slice(0, 16)}…\n`;
      }
    }
    const { digest, mb_per_second: speed } = summary(params, context.config, last, startedAt);
    yield `done: ${context.config.algorithm} ${digest} (${speed} MB/s)\n`;
  },
});
