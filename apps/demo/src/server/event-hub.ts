import type { DemoHost } from '../host/demo-host.ts';
import type { CatalogView, JobView, PoolView } from '../host/views.ts';
import type { SseChannel } from './sse-channel.ts';

const WORKERS_DEBOUNCE_MS = 150;
const WORKERS_REFRESH_MS = 2_000;

/**
 * Fans the host's events out to every open `/api/events` stream: `catalog`, `job` and `workers`
 * events. The worker picture (which needs a round trip to each worker) is fetched only while
 * someone listens: shortly after anything changed, and every 2 s for memory and current jobs.
 */
export class EventHub {
  readonly #host: DemoHost;
  readonly #channels = new Set<SseChannel>();
  #debounce: NodeJS.Timeout | undefined;
  #refresh: NodeJS.Timeout | undefined;
  #fetching = false;
  #fetchAgain = false;
  #lastWorkers: PoolView[] | undefined;

  readonly #onCatalog = (catalog: CatalogView) => this.#broadcast('catalog', catalog);
  readonly #onJob = (job: JobView) => this.#broadcast('job', job);
  readonly #onWorkers = () => this.#scheduleWorkers();

  constructor(host: DemoHost) {
    this.#host = host;
  }

  /** Adds a client: it gets the current catalog, recent jobs and workers, then every change. */
  async add(channel: SseChannel): Promise<void> {
    if (this.#channels.size === 0) this.#attach();
    this.#channels.add(channel);
    channel.send('catalog', this.#host.catalog());
    channel.send('jobs', this.#host.jobs({ limit: 100 }));
    channel.send('workers', this.#lastWorkers ?? (await this.#host.pools()));
    await channel.closed;
    this.#channels.delete(channel);
    if (this.#channels.size === 0) this.#detach();
  }

  /** Ends every stream (server shutdown). */
  closeAll(): void {
    for (const channel of this.#channels) channel.close();
  }

  #attach(): void {
    this.#host.on('catalog', this.#onCatalog);
    this.#host.on('job', this.#onJob);
    this.#host.on('workers', this.#onWorkers);
    this.#refresh = setInterval(() => this.#scheduleWorkers(), WORKERS_REFRESH_MS);
  }

  #detach(): void {
    this.#host.off('catalog', this.#onCatalog);
    this.#host.off('job', this.#onJob);
    this.#host.off('workers', this.#onWorkers);
    clearInterval(this.#refresh);
    clearTimeout(this.#debounce);
    this.#debounce = undefined;
    this.#lastWorkers = undefined;
  }

  #broadcast(event: string, data: unknown): void {
    for (const channel of this.#channels) channel.send(event, data);
  }

  #scheduleWorkers(): void {
    if (this.#debounce !== undefined || this.#channels.size === 0) return;
    this.#debounce = setTimeout(() => {
      this.#debounce = undefined;
      void this.#fetchWorkers();
    }, WORKERS_DEBOUNCE_MS);
  }

  async #fetchWorkers(): Promise<void> {
    if (this.#fetching) {
      this.#fetchAgain = true;
      return;
    }
    this.#fetching = true;
    try {
      const pools = await this.#host.pools();
      if (this.#channels.size > 0) {
        this.#lastWorkers = pools;
        this.#broadcast('workers', pools);
      }
    } catch {
      // getWorkerStates never rejects; a host shutting down may. The next refresh tries again.
    } finally {
      this.#fetching = false;
      if (this.#fetchAgain) {
        this.#fetchAgain = false;
        this.#scheduleWorkers();
      }
    }
  }
}
