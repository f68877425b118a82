// The web UI in headless Chromium (Debian's chromium driven by playwright-core) against the real
// server. A failing test leaves a screenshot in apps/demo/test-results/.
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { RunningServer } from '../src/server/start-server.ts';
import { startTestServer } from './support/server.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RESULTS = path.join(import.meta.dirname, '../test-results');

let server: RunningServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  mkdirSync(RESULTS, { recursive: true });
  server = await startTestServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(20_000);
  await page.goto(server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Keeps a screenshot of the page when the running test fails. */
function screenshotOnFailure(name: string): void {
  onTestFailed(async () => {
    await page.screenshot({ path: path.join(RESULTS, `e2e-failed-${name}.png`), fullPage: true });
  });
}

async function selectPlugin(id: string): Promise<void> {
  await page.click(`#plugin-list [data-plugin="${id}"] button`);
  await page.waitForSelector(`#plugin-panel [data-plugin="${id}"]`);
}

async function waitForToast(text: RegExp): Promise<void> {
  await page.waitForFunction(
    (source) =>
      [...document.querySelectorAll('.toast')].some((toast) =>
        new RegExp(source).test(toast.textContent ?? ''),
      ),
    text.source,
  );
}

async function jobStatus(): Promise<string> {
  return (await page.textContent('[data-testid="job-status"]')) ?? '';
}

describe('the demo UI', () => {
  it('lists the plugins with their sources, the workers, and the broken plugin’s diagnostic', async () => {
    screenshotOnFailure('catalog');
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
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(pid).toMatch(/^pid \d+$/);
  });

  it('runs a streaming job and shows its chunks as they arrive', async () => {
    screenshotOnFailure('stream');
    await selectPlugin('word-stream');
    await page.fill('[data-testid="param-text"]', 'one two three four five six seven eight');
    await page.fill('[data-testid="param-delay_ms"]', '150');
    expect(await page.isChecked('[data-testid="stream-toggle"]')).toBe(true);
    await page.click('[data-testid="run-button"]');
    // Part of the output is on screen while the job still runs.
    await page.waitForFunction(() => {
      const status = document.querySelector('[data-testid="job-status"]')?.textContent;
      const output = document.querySelector('[data-testid="job-output"]')?.textContent ?? '';
      return status === 'running' && output.startsWith('one') && !output.includes('eight');
    });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="job-status"]')?.textContent === 'completed',
    );
    expect(await page.textContent('[data-testid="job-output"]')).toBe(
      'one two three four five six seven eight',
    );
    expect(
      await page.getAttribute('[data-testid="job-progress"] .progress-bar', 'style'),
    ).toContain('width: 100%');
    await page.waitForSelector('#jobs-body tr[data-status="completed"]');
  });

  it('cancels a long CPU-heavy job and shows it cancelled', async () => {
    screenshotOnFailure('cancel');
    await selectPlugin('hash-chain');
    await page.fill('[data-testid="param-rounds"]', '100000');
    await page.fill('[data-testid="param-size_kb"]', '256');
    await page.uncheck('[data-testid="stream-toggle"]');
    await page.click('[data-testid="run-button"]');
    // Running, with progress reported by the plugin, and its worker busy.
    await page.waitForFunction(() =>
      document.querySelector('#job-progress-message')?.textContent?.includes('round'),
    );
    expect(await jobStatus()).toBe('running');
    await page.waitForSelector('[data-testid="worker"][data-state="busy"]');
    await page.click('[data-testid="cancel-button"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="job-status"]')?.textContent === 'cancelled',
    );
    expect(await page.textContent('[data-testid="job-error"]')).toMatch(
      /^JOB_CANCELLED.*was cancelled; the plugin stopped when asked/,
    );
    expect(await page.isVisible('[data-testid="cancel-button"]')).toBe(false);
    await page.waitForSelector('#jobs-body tr[data-status="cancelled"]');
    // Its worker is free again.
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="worker"][data-state="busy"]').length === 0,
    );
  });

  it('applies a config from the generated form and runs the plugin with it', async () => {
    screenshotOnFailure('config');
    await selectPlugin('slugify');
    await page.selectOption('[data-testid="config-separator"]', { label: '_' });
    await page.fill('[data-testid="config-maxLength"]', '11');
    await page.click('[data-testid="apply-config"]');
    await page.waitForSelector('[data-testid="config-message"].ok');
    await page.fill('[data-testid="param-text"]', 'Hello wide World');
    await page.click('[data-testid="run-button"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="job-status"]')?.textContent === 'completed',
    );
    expect(JSON.parse((await page.textContent('[data-testid="job-result"]')) ?? '')).toEqual({
      slug: 'hello_wide',
    });
    // A value the schema refuses is marked in the form and never sent.
    await page.fill('[data-testid="config-maxLength"]', '500');
    await page.click('[data-testid="apply-config"]');
    expect(await page.getAttribute('[data-testid="config-maxLength"]', 'aria-invalid')).toBe(
      'true',
    );
    expect(await page.textContent('#plugin-panel .field-error:not([hidden])')).toBe(
      'must be at most 200',
    );
    await page.screenshot({ path: path.join(RESULTS, 'demo-ui.png'), fullPage: true });
  });

  it('reloads and unloads the plugin with its buttons; the worker panel follows', async () => {
    screenshotOnFailure('reload-unload');
    await selectPlugin('slugify');
    // Run it, so that a worker has it loaded.
    await page.fill('[data-testid="param-text"]', 'Load me');
    await page.click('[data-testid="run-button"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="job-status"]')?.textContent === 'completed',
    );
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
});
