import { Hono } from 'hono';
import type { DemoHost } from '../../host/demo-host.ts';
import { readBody } from '../read-body.ts';
import { emptyBodySchema, reloadPluginSchema } from '../request-schemas.ts';

/** /api/plugins: the catalog, one plugin, reload, unload. */
export function pluginRoutes(host: DemoHost): Hono {
  const app = new Hono();

  app.get('/', (c) => c.json(host.catalog()));

  app.get('/:name', (c) => c.json({ plugin: host.plugin(c.req.param('name')) }));

  app.post('/:name/reload', async (c) => {
    const name = c.req.param('name');
    host.plugin(name);
    const { config } = await readBody(c, reloadPluginSchema);
    return c.json(await host.reload(name, config));
  });

  app.post('/:name/unload', async (c) => {
    const name = c.req.param('name');
    host.plugin(name);
    await readBody(c, emptyBodySchema);
    return c.json(await host.unload(name));
  });

  return app;
}
