// The README's two-terminal example is real: the node command is run as written (with the
// test's own Redis), and the client is embedded verbatim from examples/ and run against it.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from './helpers/redis.ts';

const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const firstSection = readme.split('\n## ')[1] ?? '';

describe('README', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.close();
  });

  it('starts with two terminals: a node, then a client embedded from examples/', () => {
    expect(firstSection.startsWith('Two terminals')).toBe(true);
    const blocks = [...firstSection.matchAll(/```(\w+)\n([\s\S]*?)```/g)];
    expect(blocks.map((block) => block[1])).toEqual(['sh', 'js']);
    expect(blocks[1]![2]).toBe(readFileSync(new URL('examples/client.mjs', root), 'utf8'));
  });

  it('runs: the node as written, the client against it, printing what the comments say', async () => {
    const command = /```sh\n(.*)\n```/.exec(firstSection)![1]!;
    expect(command).toMatch(/^npx plugwork-node --redis redis:\/\/127\.0\.0\.1:6379 /);
    const args = command
      .replace(/^npx plugwork-node /, '')
      .replace('redis://127.0.0.1:6379', redis.url)
      .split(' ');
    const cwd = fileURLToPath(root);
    const node = spawn(
      process.execPath,
      [fileURLToPath(new URL('dist/cli/main.js', root)), ...args],
      {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const nodeErrors: string[] = [];
    node.stderr!.on('data', (data: Buffer) => nodeErrors.push(data.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: node.stdout! }).on('line', (line) => {
          if (line.includes('"ready":true')) resolve();
        });
        node.once('exit', (code) => reject(new Error(`the node exited with ${code}`)));
      });
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        [fileURLToPath(new URL('examples/client.mjs', root))],
        { cwd, env: { ...process.env, REDIS_URL: redis.url }, timeout: 20_000 },
      );
      // One assertion, so that a failure shows both streams.
      expect({ stdout, stderr }).toEqual({
        stdout: "{ text: 'Hello, world!' }\nHello, stream!\n[ 'greet' ] 2\n",
        stderr: '',
      });
    } finally {
      const exited = new Promise((resolve) => node.once('exit', resolve));
      node.kill('SIGINT');
      expect({ code: await exited, stderr: nodeErrors.join('') }).toMatchObject({ code: 0 });
    }
  });
});
