export { BullmqRunner } from './client/bullmq-runner.ts';
export { RemoteJobHandle } from './client/remote-job-handle.ts';
export { type BullmqRunnerOptions, RUNNER_DEFAULTS } from './client/runner-options.ts';
export type { RedisConnection } from './connection.ts';
export {
  BullmqErrorCode,
  BullmqStateError,
  InvalidBullmqOptionsError,
  InvalidSubmitError,
  isPlugworkBullmqError,
  NoNodeForPluginError,
  ParamsTooLargeError,
  PlugworkBullmqError,
  RedisUnavailableError,
  StreamInterruptedError,
  StreamMisuseError,
} from './errors.ts';
export { queueName } from './keys.ts';
export { BullmqNode, type BullmqNodeEvents } from './node/bullmq-node.ts';
export { type BullmqNodeOptions, NODE_DEFAULTS } from './node/node-options.ts';
export type { NodeInfo } from './node-info.ts';
export type { RemoteSubmitOptions, Retention } from './submit-options.ts';
