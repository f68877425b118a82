// (7) Idle worker memory: resident set size of a ready plugwork worker with no job running.
import { startManager } from '../lib/manager.mjs';
import { privateMemoryMb } from '../lib/private-memory.mjs';

/** RSS and private memory (lib/private-memory.mjs) of an idle worker, in MB. */
export async function measureWorkerMemory() {
  const manager = await startManager({ pluginConfigs: { noop: {} } });
  await manager.submit('noop').result;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const [state] = await manager.getWorkerStates();
  const ownMb = privateMemoryMb(state.pid);
  await manager.shutdown();
  if (!state?.memory) throw new Error('worker state carries no memory figures');
  return { rss: state.memory.rss / 2 ** 20, private: ownMb };
}
