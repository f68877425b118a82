import { Hono } from 'hono';
import type { DemoHost } from '../../host/demo-host.ts';

/** /api/workers: each source's pool (workers and queue). */
export function workerRoutes(host: DemoHost): Hono {
  const app = new Hono();
  app.get('/', async (c) => c.json({ pools: await host.pools() }));
  return app;
}
