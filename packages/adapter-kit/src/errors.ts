/**
 * Every error and diagnostic the adapter kit produces, in one place (errors/, a module per phase:
 * discovery, loading, use), so each message a person can see says which folder / plugin / field
 * is at fault, and what to do about it. Code imports from here.
 */
export { AdapterError, AdapterErrorCode, isAdapterError } from './errors/base.ts';
export * from './errors/discovery-errors.ts';
export * from './errors/load-errors.ts';
export * from './errors/usage-errors.ts';
