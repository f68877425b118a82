// A burst of new jobs is written by the store's thread over several batches while the host
// goes on: the batches reach the file without a flush() or close(), whether the host is killed
// afterwards or simply runs out of work and exits.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStore } from '../../src/store/job-store.ts';
import { runtimeCommand, storeFixture } from './store-helpers.ts';

const BURST_HOST = fileURLToPath(new URL('./fixtures/burst-host.mjs', import.meta.url));
/** More than one batch (2,000 rows) of new jobs. */
const JOBS = 5_000;

function expectBurst(store: JobStore): void {
  expect(store.pendingCount).toBe(JOBS - 3);
  expect(store.runningCount).toBe(0);
  for (let index = 0; index < 3; index++) {
    expect(store.get(`job-${index}`)).toMatchObject({ status: 'completed', result: { index } });
  }
  expect(store.get(`job-${JOBS - 1}`)).toMatchObject({
    status: 'pending',
    params: { index: JOBS - 1 },
  });
}

describe('SQLite store, a burst written on its thread', () => {
  const fixture = storeFixture('sqlite');
  afterEach(() => fixture.cleanup());

  it('has every job of the burst in the file soon after, when its host is then killed', async () => {
    await (await fixture.open()).close();
    // A second is far more than the writes take (tens of ms); it only keeps a loaded machine
    // from failing the test.
    const [command, args] = runtimeCommand(BURST_HOST, [
      fixture.file,
      'kill',
      String(JOBS),
      '1000',
    ]);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.setEncoding('utf8');
    const [line] = (await once(child.stdout, 'data')) as [string];
    expect(line).toBe('written\n');
    child.kill('SIGKILL');
    const [, signal] = await once(child, 'exit');
    expect(signal).toBe('SIGKILL');
    expectBurst(await fixture.open());
  });

  it('writes the burst before its host exits on its own, with no flush() or close()', async () => {
    await (await fixture.open()).close();
    const [command, args] = runtimeCommand(BURST_HOST, [fixture.file, 'exit', String(JOBS)]);
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expectBurst(await fixture.open());
  });
});
