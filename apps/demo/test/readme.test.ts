// The README's examples are real: the example config, the CLI output, the API table (every route
// documented is served, every route served is documented) and the curl examples.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoErrorCode } from '../src/errors.ts';
import { createApp } from '../src/server/app.ts';
import type { RunningServer } from '../src/server/start-server.ts';
import { startTestServer, waitFor } from './support/server.ts';

const DEMO = path.resolve(import.meta.dirname, '..');
const readme = readFileSync(path.join(DEMO, 'README.md'), 'utf8');
const run = promisify(execFile);

function blocks(language: string): string[] {
  return [...readme.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map(
    (match) => match[1]!,
  );
}

let server: RunningServer;
let base: string;
beforeAll(async () => {
  server = await startTestServer();
  base = server.url.replace(/\/$/, '');
});
afterAll(async () => {
  await server?.close();
});

describe('README', () => {
  it('starts with the command a new user runs', () => {
    expect(blocks('sh')[0]).toBe('npx -y pnpm@12.4.2 install && npx -y pnpm@12.4.2 demo\n');
  });

  it('shows plugwork.config.example.json unchanged', () => {
    const example = readFileSync(path.join(DEMO, 'plugwork.config.example.json'), 'utf8');
    expect(blocks('json')).toContain(example);
  });

  it('shows what `pnpm plugwork list` prints from the repository root', async () => {
    const { stdout } = await run(process.execPath, [path.join(DEMO, 'dist/cli/main.js'), 'list'], {
      cwd: path.resolve(DEMO, '../..'),
      env: { ...process.env, PLUGWORK_CONFIG: '' },
    });
    expect(blocks('text')).toContain(stdout);
  });

  it('documents exactly the API routes the server has, and each of them answers', async () => {
    const documented = [...readme.matchAll(/^\| `(GET|POST)` \| `(\/api\/[^`]+)` \|/gm)].map(
      (match) => `${match[1]} ${match[2]}`,
    );
    const { app } = createApp(server.host);
    const served = app.routes
      .filter((route) => route.path.startsWith('/api/') && !route.path.endsWith('*'))
      .map((route) => `${route.method} ${route.path.replace(/\/$/, '')}`);
    expect([...new Set(documented)].sort()).toEqual([...new Set(served)].sort());

    const job = (
      (await await fetch(`${base}/api/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ plugin: 'text-stats', params: { text: 'readme' } }),
      }).then((response) => response.json())) as { job: { id: string } }
    ).job;
    for (const route of documented) {
      const [method, template] = route.split(' ') as [string, string];
      const url =
        base +
        template
          .replace(':name', 'text-stats')
          .replace(':id', job.id)
          .replace(':source', 'fs')
          .replace(':worker', 'worker-2');
      const controller = new AbortController();
      const response = await fetch(url, { method, signal: controller.signal });
      // 200 everywhere, except a POST /api/jobs without a body: refused as such, not as a 404;
      // and a re-run (of the job the cancel before it ended): a new job, 202.
      const expected =
        route === 'POST /api/jobs' ? 400 : route === 'POST /api/jobs/:id/rerun' ? 202 : 200;
      expect([route, response.status]).toEqual([route, expected]);
      controller.abort();
    }
  });

  it('runs the curl examples that submit jobs and reload a plugin', async () => {
    const examples = [
      ...readme.matchAll(
        /curl -s -X POST http:\/\/127\.0\.0\.1:3000(\/api\/[^ ]+) -H 'content-type: application\/json' \\\n {2}-d '([^']+)'/g,
      ),
    ];
    expect(examples.length).toBe(3);
    for (const [, route, body] of examples) {
      const response = await fetch(base + route, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const answer = (await response.json()) as { job?: { id: string } };
      expect([route, response.status]).toEqual([route, route === '/api/jobs' ? 202 : 200]);
      if (answer.job !== undefined) {
        const id = answer.job.id;
        const done = await waitFor(async () => {
          const { job } = (await (await fetch(`${base}/api/jobs/${id}`)).json()) as {
            job: { status: string };
          };
          return job.status === 'running' || job.status === 'pending' ? undefined : job;
        }, `job ${id}`);
        expect(done.status).toBe('completed');
      }
    }
  });

  it('lists every API error code', () => {
    const notApi = new Set<string>([
      DemoErrorCode.CONFIG_INVALID,
      DemoErrorCode.CONFIG_UNREADABLE,
      DemoErrorCode.INVALID_ARGUMENT,
      DemoErrorCode.START_FAILED,
      DemoErrorCode.LISTEN_FAILED,
      DemoErrorCode.INTERNAL,
    ]);
    for (const code of Object.values(DemoErrorCode).filter((code) => !notApi.has(code))) {
      expect(readme, code).toMatch(new RegExp(`^\\| \`${code}\` \\| \\d{3} \\|`, 'm'));
    }
  });
});
