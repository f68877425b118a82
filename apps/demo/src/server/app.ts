import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DemoError } from '../errors.ts';
import type { DemoHost } from '../host/demo-host.ts';
import { PUBLIC_DIR } from '../paths.ts';
import { toErrorResponse } from './error-response.ts';
import { EventHub } from './event-hub.ts';
import { eventRoutes } from './routes/events.ts';
import { jobRoutes } from './routes/jobs.ts';
import { pluginRoutes } from './routes/plugins.ts';
import { workerRoutes } from './routes/workers.ts';
import type { SseChannel } from './sse-channel.ts';

export interface DemoAppOptions {
  /** Largest request body accepted, in bytes. Default 1 MiB. */
  bodyLimitBytes?: number;
}

export interface DemoApp {
  app: Hono;
  /** Ends every open event stream (before the server closes). */
  closeStreams(): void;
}

/** The pages load only from here; the UI is plain files and needs nothing else. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The demo's web app: the JSON API under /api and the UI's static files. Every error answers
 * `{ error: { code, message } }` with a 4xx or 5xx status.
 */
export function createApp(host: DemoHost, options: DemoAppOptions = {}): DemoApp {
  const limit = options.bodyLimitBytes ?? 1024 * 1024;
  const channels = new Set<SseChannel>();
  const hub = new EventHub(host);
  const app = new Hono();

  app.onError((error, c) => {
    const { status, body } = toErrorResponse(error);
    return c.json(body, status as ContentfulStatusCode);
  });

  app.use('/api/*', async (c, next) => {
    // A page of another origin may not change anything (the browser always sends Origin on a
    // cross-origin POST). Reads are harmless: no CORS headers, so other pages cannot see them.
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const origin = c.req.header('origin');
      if (origin !== undefined && origin !== new URL(c.req.url).origin) {
        throw DemoError.forbiddenOrigin(origin);
      }
    }
    c.header('Cache-Control', 'no-store');
    await next();
  });
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: limit,
      onError: (c) => {
        // The rest of the body is not read: the connection cannot carry another request.
        c.header('Connection', 'close');
        const { status, body } = toErrorResponse(DemoError.bodyTooLarge(limit));
        return c.json(body, status as ContentfulStatusCode);
      },
    }),
  );

  app.route('/api/plugins', pluginRoutes(host));
  app.route('/api/jobs', jobRoutes(host, channels));
  app.route('/api/workers', workerRoutes(host));
  app.route('/api/events', eventRoutes(hub, channels));
  app.all('/api/*', (c) => {
    throw DemoError.notFound(c.req.method, c.req.path);
  });

  app.use('*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-cache');
  });
  app.get('*', serveStatic({ root: PUBLIC_DIR }));
  app.notFound((c) => {
    const { status, body } = toErrorResponse(DemoError.notFound(c.req.method, c.req.path));
    return c.json(body, status as ContentfulStatusCode);
  });

  return {
    app,
    closeStreams() {
      hub.closeAll();
      for (const channel of channels) channel.close();
    },
  };
}
