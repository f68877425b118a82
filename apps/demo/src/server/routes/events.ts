import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { EventHub } from '../event-hub.ts';
import { SseChannel } from '../sse-channel.ts';

/**
 * /api/events: the UI's live feed. `catalog` (plugins and diagnostics), `jobs` (the recent jobs,
 * once, on connect), `job` (one job changed) and `workers` (the pools) events.
 */
export function eventRoutes(hub: EventHub, channels: Set<SseChannel>): Hono {
  const app = new Hono();
  app.get('/', (c) =>
    streamSSE(c, async (stream) => {
      const channel = new SseChannel(stream);
      channels.add(channel);
      try {
        await hub.add(channel);
      } finally {
        channels.delete(channel);
      }
    }),
  );
  return app;
}
