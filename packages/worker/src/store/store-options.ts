import { z } from 'zod';
import { FINISHED_STATUSES, type Retention } from './job-store.ts';
import type { JobStoreConfig } from './open-store.ts';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

/** `store`: 'memory', or `{ sqlite: path, … }` (see SqliteStoreConfig). */
export const storeOptionSchema: z.ZodType<JobStoreConfig> = z.union([
  z.literal('memory'),
  z.strictObject({
    sqlite: z.string().min(1),
    flushMs: positiveInt.max(1_000).optional(),
    maxSizeBytes: positiveInt.optional(),
    quickCheck: z.boolean().optional(),
    driver: z.enum(['node:sqlite', 'better-sqlite3']).optional(),
  }),
]);

const ruleSchema = z.strictObject({
  maxAgeMs: nonNegativeInt.optional(),
  maxCount: nonNegativeInt.optional(),
});

/** `retention`: per finished status, how long and how many finished jobs are kept. */
export const retentionOptionSchema = z.strictObject({
  completed: ruleSchema.optional(),
  failed: ruleSchema.optional(),
  cancelled: ruleSchema.optional(),
  /** How often the store is pruned. Default 60 s. */
  intervalMs: positiveInt.optional(),
});

export type RetentionOption = z.output<typeof retentionOptionSchema>;

export const RETENTION_INTERVAL_MS = 60_000;

/** The rules of a retention option, without its schedule. */
export function retentionRules(option: RetentionOption): Retention {
  const rules: { -readonly [S in keyof Retention]: Retention[S] } = {};
  for (const status of FINISHED_STATUSES) {
    const rule = option[status];
    if (rule !== undefined && (rule.maxAgeMs !== undefined || rule.maxCount !== undefined)) {
      rules[status] = rule;
    }
  }
  return rules;
}
