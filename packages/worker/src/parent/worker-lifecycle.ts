import type { ReadyResponse, WorkerLifecycleState } from '@plugwork/protocol';
import { describeExit, JobFailures, RestartPhrases } from '../errors.ts';
import type { ResolvedOptions } from '../options.ts';
import type { CatalogState } from './catalog-state.ts';
import type { JobLifecycle } from './job-lifecycle.ts';
import type { ManagerContext } from './manager-context.ts';
import type { PluginConfigs } from './plugin-configs.ts';
import type { RestartDecision } from './restart-policy.ts';
import type { WorkerMessages } from './worker-messages.ts';
import type { SlotHooks, WorkerSlot } from './worker-slot.ts';

/**
 * The workers' lives as the manager sees them: what a new process is told (`init`), what its
 * `ready` means, what its exit means for the jobs it held, and who else hears of it (events,
 * the ResourceManager, the log).
 */
export function workerLifecycle(parts: {
  context: ManagerContext;
  adapterModule: string;
  catalog: CatalogState;
  configs: PluginConfigs;
  lifecycle: JobLifecycle;
  messages: WorkerMessages;
  pump: () => void;
}): SlotHooks {
  const { context, catalog, configs, lifecycle, messages } = parts;
  const { options } = context;
  /** Last pid per pool position, for worker:restarted's previousPid. */
  const lastPid = new Map<string, number>();
  /** Pids registered with the ResourceManager and not yet unregistered. */
  const registered = new Set<number>();

  const onReady = (slot: WorkerSlot, ready: ReadyResponse, restarted: boolean): void => {
    catalog.set({ plugins: ready.plugins ?? [], diagnostics: ready.diagnostics ?? [] });
    setConcurrency(slot, ready.plugins ?? [], options);
    const pid = slot.pid!;
    const event = {
      workerId: slot.id,
      pid,
      restarts: slot.restarts,
      loadedPlugins: [...slot.loaded],
    };
    const resourceManager = options.resourceManager;
    if (resourceManager !== undefined) {
      registered.add(pid);
      context.callHook('resourceManager.registerWorker', () =>
        resourceManager.registerWorker(pid, { workerId: slot.id, plugins: [...slot.loaded] }),
      );
      context.callHook('resourceManager.updateWorkerState', () =>
        resourceManager.updateWorkerState(pid, 'idle'),
      );
    }
    if (restarted) {
      context.emit('worker:restarted', { ...event, previousPid: lastPid.get(slot.id) });
    } else {
      context.emit('worker:started', event);
    }
    lastPid.set(slot.id, pid);
  };

  return {
    initMessage: () => ({
      type: 'init',
      adapter: {
        module: parts.adapterModule,
        export: options.adapter.export,
        options: options.adapter.options,
      },
      // Other plugins are loaded on first use, with their config sent along.
      plugin_configs: configs.atInit(),
      max_loaded_plugins: options.maxLoadedPlugins,
      max_concurrency: options.maxConcurrency,
      stream_window: options.stream.windowChars,
      limits: { result_bytes: options.limits.resultBytes, chunk_bytes: options.limits.chunkBytes },
    }),
    onReady,
    onMessage: (slot, message) => messages.onMessage(slot, message),
    onProtocolError: (slot, error, raw) => messages.onProtocolError(slot, error, raw),
    onForged: (slot, raw, count) => messages.onForged(slot, raw, count),
    onOutput: (slot, line, pid) => {
      const plugin = slot.output.plugin;
      context.logger.output(`[worker ${pid} ${plugin ?? '-'}] ${line.text}`, {
        workerId: slot.id,
        pid,
        plugin,
        jobId: slot.output.jobId,
        stream: line.stream,
        text: line.text,
      });
    },
    onExit: (slot, exit, decision, killReason) => {
      const next = nextStep(decision, options);
      const first = lifecycle.workerGone(slot, exit, decision, killReason);
      slot.loaded = new Set();
      if (killReason === undefined && decision !== undefined) {
        context.logger.warn(`Worker ${slot.id} (pid ${exit.pid}) ${describeExit(exit)}. ${next}`);
      }
      context.emit('worker:exited', {
        workerId: slot.id,
        pid: exit.pid,
        code: exit.code,
        signal: exit.signal,
        description: describeExit(exit),
        killedFor: killReason,
        jobId: first?.id,
        willRestart: decision?.restart === true,
        restartInMs: decision?.restart === true ? decision.delayMs : undefined,
      });
      const resourceManager = options.resourceManager;
      if (resourceManager !== undefined && registered.delete(exit.pid)) {
        context.callHook('resourceManager.updateWorkerState', () =>
          resourceManager.updateWorkerState(exit.pid, 'exited'),
        );
        context.callHook('resourceManager.unregisterWorker', () =>
          resourceManager.unregisterWorker(exit.pid),
        );
      }
    },
    onRestartFailed: (slot, error) =>
      context.logger.warn(`Restarting worker ${slot.id} failed: ${error.message}`),
    onFailed: (slot, reason) => {
      context.logger.warn(`Worker ${slot.id} failed: ${reason}`);
      context.emit('worker:failed', { workerId: slot.id, reason });
      if (context.slots.some((other) => other.usable)) return;
      // Nothing will ever take the queued jobs: fail them now rather than let them wait forever.
      context.noWorkers = reason;
      for (const record of context.queue.drain()) {
        lifecycle.finish(record, 'failed', JobFailures.noWorkers(record.id, record.plugin, reason));
      }
    },
    onStateChange: (slot: WorkerSlot, state: WorkerLifecycleState, pid: number | undefined) => {
      const resourceManager = options.resourceManager;
      // A process is reported from registerWorker (at ready) to unregisterWorker (at exit).
      if (resourceManager === undefined || pid === undefined || !registered.has(pid)) return;
      if (state === 'exited') return;
      const job = state === 'busy' ? slot.jobs.values().next().value : undefined;
      context.callHook('resourceManager.updateWorkerState', () =>
        resourceManager.updateWorkerState(
          pid,
          state,
          job === undefined ? undefined : { jobId: job.id, pluginName: job.plugin },
        ),
      );
    },
    onIdle: () => {
      if (context.queue.size > 0) parts.pump();
    },
  };
}

/** The concurrency of each plugin loaded in a fresh process, from its descriptors. */
export function setConcurrency(
  slot: WorkerSlot,
  plugins: readonly { name: string; concurrency?: number | undefined }[],
  options: ResolvedOptions,
): void {
  for (const plugin of plugins) {
    if (!slot.loaded.has(plugin.name)) continue;
    const declared = plugin.concurrency;
    const wanted = typeof declared === 'number' && declared >= 1 ? declared : 1;
    slot.concurrency.set(plugin.name, Math.min(wanted, options.maxConcurrency));
  }
}

/** What happens after a crash, for the job's message and the log. */
export function nextStep(decision: RestartDecision | undefined, options: ResolvedOptions): string {
  if (decision === undefined) return RestartPhrases.shuttingDown;
  if (decision.restart) return RestartPhrases.restarting(decision.delayMs);
  if (decision.reason === 'crash-loop') {
    return RestartPhrases.crashLoop(decision.crashesInWindow, options.restart.crashWindowMs);
  }
  return RestartPhrases.policy(options.restart.policy);
}
