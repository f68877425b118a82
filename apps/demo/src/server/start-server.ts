import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from '@plugwork/worker';
import type { DemoSettings } from '../config/settings.ts';
import { DemoError } from '../errors.ts';
import { DemoHost } from '../host/demo-host.ts';
import { createApp } from './app.ts';

export interface RunningServer {
  /** http://host:port/ as bound (port 0 becomes the port the system picked). */
  url: string;
  host: DemoHost;
  /** Ends the event streams, stops accepting requests, then stops every worker. Safe twice. */
  close(): Promise<void>;
}

/** Starts the workers, then the HTTP server on settings.server.host and .port. */
export async function startServer(options: {
  settings: DemoSettings;
  logger?: Logger;
}): Promise<RunningServer> {
  const { settings } = options;
  const host = await DemoHost.start({
    settings,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const { app, closeStreams } = createApp(host, { bodyLimitBytes: settings.server.bodyLimitBytes });
  let server: Server;
  let address: AddressInfo;
  try {
    ({ server, address } = await listen(app.fetch, settings.server.host, settings.server.port));
  } catch (error) {
    await host.shutdown();
    throw error;
  }
  const hostname = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostname}:${address.port}/`,
    host,
    close() {
      closing ??= (async () => {
        closeStreams();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Event streams end on their own right after closeStreams(); nothing may hold shutdown.
        const force = setTimeout(() => server.closeAllConnections(), 1_000);
        await Promise.all([closed, host.shutdown()]);
        clearTimeout(force);
      })();
      return closing;
    },
  };
}

function listen(
  fetch: Parameters<typeof serve>[0]['fetch'],
  hostname: string,
  port: number,
): Promise<{ server: Server; address: AddressInfo }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }) as Server;
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(DemoError.listenFailed(hostname, port, error));
    });
    server.once('listening', () => resolve({ server, address: server.address() as AddressInfo }));
  });
}
