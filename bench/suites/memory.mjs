// (7) Idle worker memory: resident set size of a ready plugwork worker with no job running.
import { startManager } from '../lib/manager.mjs';

export async function measureWorkerRss() {
  const manager = await startManager({ pluginConfigs: { noop: {} } });
  await manager.submit('noop').result;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const [state] = await manager.getWorkerStates();
  await manager.shutdown();
  if (!state?.memory) throw new Error('worker state carries no memory figures');
  return state.memory.rss / 2 ** 20;
}
