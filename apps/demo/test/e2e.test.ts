// The web UI in headless Chromium (Debian's chromium driven by playwright-core) against the real
// server, on a desktop (1440 px) and a phone (390 px). Every test leaves screenshots in
// apps/demo/test-results/screenshots/ (gitignored) for a person to look at; a failing one adds
// a full-page screenshot of the moment it failed.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server/start-server.ts';
import { screenshotOnFailure, screenshotPath, useChromium, VIEWPORTS } from './support/chromium.ts';
import { startTestServer } from './support/server.ts';

const chromium = useChromium();

describe.each(VIEWPORTS)('the demo UI at $width px ($name)', (viewport) => {
  let server: RunningServer;
  let page: Page;

  beforeAll(async () => {
    server = await startTestServer();
    page = await chromium.openPage(viewport);
    await page.goto(server.url);
  });

  afterAll(async () => {
    await page?.close();
    await server?.close();
  });

  /** Names this test's screenshots, and keeps a full page one if the test fails. */
  function shots(test: string) {
    screenshotOnFailure(page, `${viewport.width}-${test}`);
    return async (moment: string, options: { fullPage?: boolean } = {}) => {
      await page.screenshot({
        path: screenshotPath(`${viewport.width}-${test}-${moment}`),
        fullPage: options.fullPage ?? false,
      });
    };
  }

  async function selectPlugin(id: string): Promise<void> {
    await page.click(`#plugin-list [data-plugin="${id}"] button`);
    await page.waitForSelector(`#plugin-panel [data-plugin="${id}"]`);
  }

  /** Clicks Run and waits until the job panel shows the new job (not the one shown before). */
  async function run(): Promise<string> {
    const before = (await page.textContent('#job-id')) ?? '';
    await page.click('[data-testid="run-button"]');
    const handle = await page.waitForFunction((previous) => {
      const id = document.querySelector('#job-id')?.textContent ?? '';
      return id !== '' && id !== previous ? id : undefined;
    }, before);
    return (await handle.jsonValue()) as string;
  }

  async function waitForStatus(status: string): Promise<void> {
    await page.waitForFunction(
      (wanted) => document.querySelector('[data-testid="job-status"]')?.textContent === wanted,
      status,
    );
  }

  async function waitForToast(text: RegExp): Promise<string> {
    const handle = await page.waitForFunction(
      (source) =>
        [...document.querySelectorAll('.toast')]
          .map((toast) => toast.textContent ?? '')
          .find((content) => new RegExp(source).test(content)),
      text.source,
    );
    return (await handle.jsonValue()) as string;
  }

  /** Nothing sticks out sideways: the page is as wide as the screen, and so is its header. */
  async function expectNoSidewaysScroll(): Promise<void> {
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      header: document.querySelector('.topbar')!.scrollWidth,
      jobs: document.querySelector('.table-wrap')!.scrollWidth,
      jobsBox: document.querySelector('.table-wrap')!.clientWidth,
      screen: window.innerWidth,
    }));
    expect(widths.page).toBeLessThanOrEqual(widths.screen);
    expect(widths.header).toBeLessThanOrEqual(widths.screen);
    expect(widths.jobs).toBeLessThanOrEqual(widths.jobsBox);
  }

  it('lists the plugins with their sources, the workers, and the broken plugin’s diagnostic', async () => {
    const shot = shots('catalog');
    await page.waitForSelector('[data-testid="connection"][data-state="live"]');
    const plugins = await page.$$eval('#plugin-list .plugin-item', (items) =>
      items.map((item) => [
        item.getAttribute('data-plugin'),
        item.querySelector('.badge[class*="source-"]')?.textContent,
      ]),
    );
    expect(plugins).toEqual([
      ['slugify', 'fs'],
      ['text-stats', 'fs'],
      ['word-stream', 'fs'],
      ['hash-chain', 'fs'],
      ['py-sentences', 'python'],
      ['markdown-toc', 'npm'],
    ]);
    const diagnostic = page.locator('[data-testid="diagnostic"]');
    expect(await diagnostic.count()).toBe(1);
    const text = (await diagnostic.textContent()) ?? '';
    expect(text).toContain('broken-example');
    expect(text).toContain('INVALID_MANIFEST');
    expect(text).toContain('plugwork.streaming');
    await page.waitForSelector('[data-testid="pool-fs"] [data-testid="worker"]');
    const pids = await page.$$eval('[data-testid="worker"] .worker-pid', (items) =>
      items.map((item) => item.textContent),
    );
    // fs: 2, python: 1, npm: 1.
    expect(pids).toHaveLength(4);
    await page.waitForSelector('[data-testid="pool-python"] [data-testid="worker"]');
    for (const pid of pids) expect(pid).toMatch(/^pid \d+$/);
    await expectNoSidewaysScroll();
    await shot('top');
    await shot('page', { fullPage: true });
  });

  it("builds every plugin's params form from the plugin's own schema", async () => {
    const shot = shots('forms');
    for (const [id, fields] of [
      ['text-stats', ['text', 'top']],
      ['word-stream', ['text', 'delay_ms', 'uppercase']],
      ['slugify', ['text']],
      ['hash-chain', ['rounds', 'size_kb', 'seed']],
      ['py-sentences', ['text', 'delay_ms']],
      ['markdown-toc', ['markdown']],
    ] as const) {
      await selectPlugin(id);
      const shown = await page.$$eval('#plugin-panel [data-testid^="param-"]', (inputs) =>
        inputs.map((input) => input.getAttribute('data-testid')!.slice('param-'.length)),
      );
      expect([id, shown]).toEqual([id, fields]);
      // On a phone the list is above the form: picking a plugin brings its form into view.
      const top = await page.evaluate(
        () => document.querySelector('#plugin-panel')!.getBoundingClientRect().top,
      );
      expect(top).toBeGreaterThanOrEqual(0);
      expect(top).toBeLessThan(viewport.height / 2);
    }
    // A value the schema refuses is marked in the form and never sent.
    await selectPlugin('text-stats');
    await page.fill('[data-testid="param-top"]', '99');
    await page.click('[data-testid="run-button"]');
    expect(await page.getAttribute('[data-testid="param-top"]', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#plugin-panel .field-error:not([hidden])')).toBe(
      'must be at most 50',
    );
    await shot('refused');
    await page.fill('[data-testid="param-top"]', '5');
  });

  it('runs a streaming job: chunks as they arrive, its params and what the plugin printed', async () => {
    const shot = shots('stream');
    await selectPlugin('word-stream');
    await page.fill('[data-testid="param-text"]', 'one two three four five six seven eight');
    await page.fill('[data-testid="param-delay_ms"]', '150');
    expect(await page.isChecked('[data-testid="stream-toggle"]')).toBe(true);
    await run();
    // Part of the output is on screen while the job still runs.
    await page.waitForFunction(() => {
      const status = document.querySelector('[data-testid="job-status"]')?.textContent;
      const output = document.querySelector('[data-testid="job-output"]')?.textContent ?? '';
      return status === 'running' && output.startsWith('one') && !output.includes('eight');
    });
    await page.locator('#job-panel').scrollIntoViewIfNeeded();
    await shot('running');
    await waitForStatus('completed');
    expect(await page.textContent('[data-testid="job-output"]')).toBe(
      'one two three four five six seven eight',
    );
    expect(
      await page.getAttribute('[data-testid="job-progress"] .progress-bar', 'style'),
    ).toContain('width: 100%');
    expect(
      JSON.parse((await page.textContent('[data-testid="job-params-preview"]')) ?? ''),
    ).toEqual({
      text: 'one two three four five six seven eight',
      delay_ms: 150,
      uppercase: false,
    });
    await page.waitForFunction(() =>
      document
        .querySelector('[data-testid="job-console"]')
        ?.textContent?.includes('word-stream: 8 words, 150 ms apart'),
    );
    await page.waitForSelector('#jobs-body tr[data-status="completed"]');
    await expectNoSidewaysScroll();
    await shot('done');
  });

  it('runs the Python plugin beside the JavaScript ones: streamed lines, progress, its print()', async () => {
    const shot = shots('python');
    await selectPlugin('py-sentences');
    await page.fill('[data-testid="param-text"]', 'One fish swims. Two fish follow it! Where to?');
    await page.fill('[data-testid="param-delay_ms"]', '300');
    await run();
    await page.waitForFunction(() => {
      const status = document.querySelector('[data-testid="job-status"]')?.textContent;
      const output = document.querySelector('[data-testid="job-output"]')?.textContent ?? '';
      return status === 'running' && output.startsWith('1. 3 words') && !output.includes('3. ');
    });
    await page.locator('#job-panel').scrollIntoViewIfNeeded();
    await shot('running');
    await waitForStatus('completed');
    const output = (await page.textContent('[data-testid="job-output"]')) ?? '';
    expect(output.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^1\. 3 words, longest "swims", .*: One fish swims\.$/),
      expect.stringMatching(/^2\. 4 words, .*: Two fish follow it!$/),
      expect.stringMatching(/^3\. 2 words, .*: Where to\?$/),
    ]);
    expect(
      await page.getAttribute('[data-testid="job-progress"] .progress-bar', 'style'),
    ).toContain('width: 100%');
    await page.waitForFunction(() =>
      document
        .querySelector('[data-testid="job-console"]')
        ?.textContent?.includes('py-sentences: 3 sentences, 300 ms apart'),
    );
    // The job ran on the Python pool's worker.
    await page.waitForSelector(
      '[data-testid="pool-python"] [data-testid="worker"] .chip:has-text("py-sentences")',
    );
    await expectNoSidewaysScroll();
    await shot('done');
  });

  it('a cancelled streaming job keeps its partial output and shows how far it got', async () => {
    const shot = shots('cancel-stream');
    await selectPlugin('word-stream');
    await page.fill('[data-testid="param-text"]', 'one two three four five six seven eight');
    await page.fill('[data-testid="param-delay_ms"]', '400');
    await run();
    await page.waitForFunction(() =>
      (document.querySelector('[data-testid="job-output"]')?.textContent ?? '').includes('two'),
    );
    await page.click('[data-testid="cancel-button"]');
    await waitForStatus('cancelled');
    const output = (await page.textContent('[data-testid="job-output"]')) ?? '';
    expect(output).toMatch(/^one two/);
    expect(output).not.toContain('eight');
    expect(await page.textContent('[data-testid="job-progress-message"]')).toMatch(
      /^\d+% · word \d of 8$/,
    );
    await page.waitForFunction(() =>
      document
        .querySelector('[data-testid="job-console"] .stderr')
        ?.textContent?.match(/cancelled after \d of 8 words/),
    );
    const row = page.locator('#jobs-body tr[data-status="cancelled"]').first();
    expect(await row.locator('.summary').textContent()).toMatch(
      /^JOB_CANCELLED stopped at \d+% · word \d of 8 · \d+ characters of output — Job/,
    );
    await shot('cancelled');
  });

  it('a long CPU job without progress yet: a moving bar, a ticking Ran column, then cancel', async () => {
    const shot = shots('cpu');
    await selectPlugin('hash-chain');
    // 64 MiB per round: the first progress report is far off, so the page has only time to show.
    await page.fill('[data-testid="param-rounds"]', '100000');
    await page.fill('[data-testid="param-size_kb"]', '65536');
    await page.uncheck('[data-testid="stream-toggle"]');
    await run();
    await waitForStatus('running');
    const bar = await page.evaluate(() => {
      const progress = document.querySelector('[data-testid="job-progress"]') as HTMLElement;
      const element = progress.firstElementChild as HTMLElement;
      return {
        indeterminate: progress.dataset.indeterminate,
        inline: element.style.width,
        width: element.getBoundingClientRect().width,
        animation: getComputedStyle(element).animationName,
      };
    });
    expect(bar).toMatchObject({ indeterminate: 'true', inline: '', animation: 'slide' });
    expect(bar.width).toBeGreaterThan(10);
    const ran = page.locator('#jobs-body tr[data-status="running"] [data-testid="ran"]');
    const first = await readRan();
    await page.waitForFunction(
      (before) => {
        const cell = document.querySelector(
          '#jobs-body tr[data-status="running"] [data-testid="ran"]',
        );
        const text = cell?.textContent ?? '';
        const ms = text.endsWith(' ms') ? Number.parseFloat(text) : Number.parseFloat(text) * 1000;
        return ms >= before + 1500;
      },
      first,
      { timeout: 15_000 },
    );
    await page.locator('#job-panel').scrollIntoViewIfNeeded();
    await shot('running');
    await page.click('[data-testid="cancel-button"]');
    await waitForStatus('cancelled');
    expect(await page.textContent('[data-testid="job-error"]')).toMatch(
      /^JOB_CANCELLED.*was cancelled/,
    );
    expect(await page.isVisible('[data-testid="cancel-button"]')).toBe(false);
    // Its worker is free again.
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="worker"][data-state="busy"]').length === 0,
    );
    await shot('cancelled');

    async function readRan(): Promise<number> {
      const text = (await ran.textContent()) ?? '';
      return text.endsWith(' ms') ? Number.parseFloat(text) : Number.parseFloat(text) * 1000;
    }
  });

  it('applies a config from the generated form and runs the plugin with it', async () => {
    const shot = shots('config');
    await selectPlugin('slugify');
    await page.selectOption('[data-testid="config-separator"]', { label: '_' });
    await page.fill('[data-testid="config-maxLength"]', '11');
    await page.click('[data-testid="apply-config"]');
    await page.waitForSelector('[data-testid="config-message"].ok');
    await page.fill('[data-testid="param-text"]', 'Hello wide World');
    await run();
    await waitForStatus('completed');
    expect(JSON.parse((await page.textContent('[data-testid="job-result"]')) ?? '')).toEqual({
      slug: 'hello_wide',
    });
    await page.fill('[data-testid="config-maxLength"]', '500');
    await page.click('[data-testid="apply-config"]');
    expect(await page.getAttribute('[data-testid="config-maxLength"]', 'aria-invalid')).toBe(
      'true',
    );
    expect(await page.textContent('#plugin-panel .field-error:not([hidden])')).toBe(
      'must be at most 200',
    );
    await page.fill('[data-testid="config-maxLength"]', '80');
    await shot('applied', { fullPage: true });
  });

  it('reloads and unloads the plugin with its buttons; the worker panel follows', async () => {
    shots('reload-unload');
    await selectPlugin('slugify');
    await page.fill('[data-testid="param-text"]', 'Load me');
    await run();
    await waitForStatus('completed');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="pool-fs"] .chip')].some(
        (chip) => chip.textContent === 'slugify',
      ),
    );
    await page.click('[data-testid="reload-button"]');
    await waitForToast(/^Reloaded slugify on worker-\d$/);
    await page.click('[data-testid="unload-button"]');
    await waitForToast(/^Unloaded slugify from worker-\d$/);
    await page.waitForFunction(
      () =>
        ![...document.querySelectorAll('[data-testid="pool-fs"] .chip')].some(
          (chip) => chip.textContent === 'slugify',
        ),
    );
    await page.click('[data-testid="unload-button"]');
    await waitForToast(/^slugify was not loaded on any worker$/);
  });

  it('restarts a worker from its card: a fresh process', async () => {
    const shot = shots('restart');
    // An idle worker (an earlier cancel may have had one replaced: wait for it to be back).
    const card = page.locator(
      '[data-testid="worker"][data-source="fs"][data-worker="worker-1"][data-state="idle"]',
    );
    await card.waitFor();
    // The cards are drawn anew with every update of the pool: click (which waits for a stable,
    // attached button and scrolls to it) rather than hold on to one element.
    await card.locator('[data-testid="restart-worker"]').click();
    const toast = await waitForToast(/^Restarted worker-1 \(fs\): pid \d+ → \d+$/);
    const [, from, to] = /pid (\d+) → (\d+)/.exec(toast)!;
    expect(to).not.toBe(from);
    await page.waitForFunction(
      (pid) =>
        document.querySelector(
          '[data-testid="worker"][data-source="fs"][data-worker="worker-1"] .worker-pid',
        )?.textContent === `pid ${pid}`,
      to,
    );
    await shot('done');
  });

  it('when the server is gone: workers are marked unknown, and Run says the server is not answering', async () => {
    const shot = shots('server-gone');
    await selectPlugin('text-stats');
    await server.close();
    await page.waitForSelector('[data-testid="connection"][data-state="connecting"]');
    await page.waitForSelector('[data-testid="server-gone"]:not([hidden])');
    const states = await page.$$eval('[data-testid="worker"]', (cards) =>
      cards.map((card) => card.getAttribute('data-state')),
    );
    expect(states.length).toBeGreaterThan(0);
    expect(new Set(states)).toEqual(new Set(['unknown']));
    await page.click('[data-testid="run-button"]');
    const message = page.locator('[data-testid="run-error"]:not([hidden])');
    await message.waitFor();
    expect(await message.textContent()).toMatch(
      /^The demo server at 127\.0\.0\.1:\d+ is not answering: it may have stopped\./,
    );
    expect(await message.textContent()).not.toContain('Failed to fetch');
    await shot('top');
    await shot('page', { fullPage: true });
  });
});
