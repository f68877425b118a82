/**
 * Keys of an execute message that belong to the protocol. Every other key is a job parameter,
 * as in the seed's `{'type':'execute','job_id':…,'plugin_name':…,'param1':…}`.
 *
 * A file of its own, free of zod, because both the schemas and the zod-free wire entry
 * (`@plugwork/protocol/wire`) need it.
 */
export const RESERVED_EXECUTE_KEYS = [
  'type',
  'job_id',
  'plugin_name',
  'stream',
  'request_id',
] as const;
export type ReservedExecuteKey = (typeof RESERVED_EXECUTE_KEYS)[number];
