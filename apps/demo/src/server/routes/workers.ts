import { Hono } from 'hono';
import type { DemoHost } from '../../host/demo-host.ts';
import { readBody } from '../read-body.ts';
import { emptyBodySchema } from '../request-schemas.ts';

/** /api/workers: each source's pool (workers and queue), and restarting one worker. */
export function workerRoutes(host: DemoHost): Hono {
  const app = new Hono();
  app.get('/', async (c) => c.json({ pools: await host.pools() }));

  app.post('/:source/:worker/restart', async (c) => {
    await readBody(c, emptyBodySchema);
    const worker = await host.restartWorker(c.req.param('source'), c.req.param('worker'));
    return c.json({ worker });
  });
  return app;
}
