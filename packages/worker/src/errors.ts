/**
 * Every error of @plugwork/worker, and every message a person can read from it, in one place
 * (errors/, a module per area) so the wording stays consistent and each message says what
 * failed, where, and what to do. Code imports from here.
 */

export * from './errors/base.ts';
export * from './errors/child-messages.ts';
export * from './errors/codes.ts';
export * from './errors/job-failures.ts';
export * from './errors/store-errors.ts';
export * from './errors/usage-errors.ts';
export * from './errors/worker-errors.ts';
