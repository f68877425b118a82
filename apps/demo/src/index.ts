export {
  type AdapterChoice,
  CONFIG_FILE_NAME,
  type ConfigFile,
  configFileSchema,
} from './config/config-file.ts';
export {
  DEFAULT_SETTINGS,
  type DemoSettings,
  resolveSettings,
  type SettingsInput,
} from './config/settings.ts';
export { DemoError, DemoErrorCode } from './errors.ts';
export {
  DemoHost,
  type DemoHostEvents,
  type DemoHostOptions,
  type PluginOperation,
  type SubmitOptions,
} from './host/demo-host.ts';
export { API_HINTS, CLI_HINTS, type Hints } from './host/hints.ts';
export type { SourceRunner } from './host/source-runner.ts';
export type {
  CatalogView,
  DiagnosticView,
  JobLog,
  JobLogLine,
  JobOutput,
  JobView,
  PluginView,
  PoolView,
  SourceName,
} from './host/views.ts';
export { createApp, type DemoApp, type DemoAppOptions } from './server/app.ts';
export { type RunningServer, startServer } from './server/start-server.ts';
