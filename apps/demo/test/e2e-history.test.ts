// The job history in the web UI (headless Chromium, as in e2e.test.ts) at 1440 and 390 px: its
// pages, its filters and re-running a job, on a server whose SQLite stores hold 64 jobs of both
// sources. Screenshots go to apps/demo/test-results/screenshots/ (`<width>-history-…`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../src/index.ts';
import type { RunningServer } from '../src/server/start-server.ts';
import { screenshotOnFailure, screenshotPath, useChromium, VIEWPORTS } from './support/chromium.ts';
import { startTestServer, waitFor } from './support/server.ts';

const JOBS = 64;

const chromium = useChromium();

describe.each(VIEWPORTS)('the job history at $width px ($name)', (viewport) => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'plugwork-e2e-history-'));
  let server: RunningServer;
  let base: string;
  let page: Page;
  /** The jobs submitted before the page opened, oldest first, as they ended. */
  let jobs: JobView[] = [];

  async function api<T>(route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${base}/api/${route}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return (await response.json()) as T;
  }

  beforeAll(async () => {
    server = await startTestServer({ store: path.join(scratch, 'store') });
    base = server.url.replace(/\/$/, '');
    // Of each four: two text-stats (fs), one markdown-toc (npm), one slugify that fails (fs).
    const submitted: string[] = [];
    for (let index = 0; index < JOBS; index++) {
      const body = [
        { plugin: 'text-stats', params: { text: `history ${index}`, top: 1 } },
        { plugin: 'markdown-toc', params: { markdown: `# History ${index}` } },
        { plugin: 'text-stats', params: { text: `again ${index}`, top: 2 } },
        { plugin: 'slugify', params: { text: '' } },
      ][index % 4]!;
      submitted.push((await api<{ job: JobView }>('jobs', body)).job.id);
    }
    jobs = await Promise.all(
      submitted.map((id) =>
        waitFor(async () => {
          const { job } = await api<{ job: JobView }>(`jobs/${id}`);
          return ['completed', 'failed'].includes(job.status) ? job : undefined;
        }, `job ${id} to end`),
      ),
    );
    page = await chromium.openPage(viewport);
    await page.goto(server.url);
    await page.waitForSelector('[data-testid="connection"][data-state="live"]');
  });

  afterAll(async () => {
    await page?.close();
    await server?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  function shots(test: string) {
    screenshotOnFailure(page, `${viewport.width}-history-${test}`);
    /** A screenshot with `target` at the top of the screen, below the page's sticky header. */
    return async (moment: string, target = '#jobs-filters') => {
      await page.evaluate((selector) => {
        document.querySelector(selector)!.scrollIntoView({ block: 'start' });
        window.scrollBy(0, -(document.querySelector('.topbar')!.clientHeight + 12));
      }, target);
      await page.screenshot({
        path: screenshotPath(`${viewport.width}-history-${test}-${moment}`),
      });
    };
  }

  /** The job ids of the table's rows, top to bottom. */
  function rowIds(): Promise<string[]> {
    return page.$$eval('#jobs-body tr', (rows) => rows.map((row) => row.getAttribute('data-job')!));
  }

  /** Waits until the table shows `count` rows, each of that status and plugin when given. */
  async function waitForRows(
    count: number,
    want: { status?: string; plugin?: string } = {},
  ): Promise<void> {
    await page.waitForFunction(
      ({ count, want }) => {
        const rows = [...document.querySelectorAll<HTMLElement>('#jobs-body tr')];
        return (
          rows.length === count &&
          rows.every(
            (row) =>
              (want.status === undefined || row.dataset.status === want.status) &&
              (want.plugin === undefined ||
                row.querySelector('.plugin-name')?.textContent === want.plugin),
          )
        );
      },
      { count, want },
    );
  }

  async function expectNoSidewaysScroll(): Promise<void> {
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      jobs: document.querySelector('.table-wrap')!.scrollWidth,
      jobsBox: document.querySelector('.table-wrap')!.clientWidth,
      screen: window.innerWidth,
    }));
    expect(widths.page).toBeLessThanOrEqual(widths.screen);
    expect(widths.jobs).toBeLessThanOrEqual(widths.jobsBox);
  }

  it('pages the history: 50 jobs, then the older ones, and back, none twice', async () => {
    const shot = shots('pages');
    const newest = [...jobs].reverse().map((job) => job.id);
    await waitForRows(50);
    const first = await rowIds();
    expect(new Set(first)).toEqual(new Set(newest.slice(0, 50)));
    expect(await page.textContent('[data-testid="jobs-page"]')).toBe('Page 1');
    expect(await page.isDisabled('[data-testid="jobs-newer"]')).toBe(true);
    await expectNoSidewaysScroll();
    await shot('first');

    await page.click('[data-testid="jobs-older"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="jobs-page"]')?.textContent === 'Page 2',
    );
    await waitForRows(JOBS - 50);
    const second = await rowIds();
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    expect(new Set([...first, ...second])).toEqual(new Set(newest));
    expect(await page.isDisabled('[data-testid="jobs-older"]')).toBe(true);
    await shot('second');
    await shot('second-pager', '#jobs-pager');

    await page.click('[data-testid="jobs-newer"]');
    await waitForRows(50);
    expect(await rowIds()).toEqual(first);
  });

  it('filters by status and by plugin, from the store', async () => {
    const shot = shots('filters');
    const failed = jobs.filter((job) => job.status === 'failed');
    expect(failed).toHaveLength(JOBS / 4);
    await page.selectOption('[data-testid="filter-status"]', 'failed');
    await waitForRows(failed.length, { status: 'failed' });
    expect(new Set(await rowIds())).toEqual(new Set(failed.map((job) => job.id)));
    // One page holds them all: no pager.
    expect(await page.isHidden('[data-testid="jobs-pager"]')).toBe(true);
    await expectNoSidewaysScroll();
    await shot('failed');

    await page.selectOption('[data-testid="filter-status"]', '');
    await page.selectOption('[data-testid="filter-plugin"]', 'markdown-toc');
    await waitForRows(JOBS / 4, { plugin: 'markdown-toc' });
    await shot('plugin');
    await page.selectOption('[data-testid="filter-status"]', 'failed');
    await waitForRows(0);
    expect(await page.textContent('#jobs-empty')).toBe('No jobs match these filters.');
    await page.selectOption('[data-testid="filter-status"]', '');
    await page.selectOption('[data-testid="filter-plugin"]', '');
    await waitForRows(50);
  });

  it('re-runs a finished job from its panel: a new job, same params, on top of the list', async () => {
    const shot = shots('rerun');
    await page.selectOption('[data-testid="filter-plugin"]', 'text-stats');
    await waitForRows(JOBS / 2, { plugin: 'text-stats' });
    const [oldId] = await rowIds();
    const old = jobs.find((job) => job.id === oldId)!;
    await page.click(`#jobs-body tr[data-job="${oldId}"]`);
    await page.waitForFunction(
      (id) => document.querySelector('#job-id')?.textContent === id,
      oldId,
    );
    expect(await page.isVisible('[data-testid="rerun-button"]')).toBe(true);
    expect(await page.isHidden('[data-testid="cancel-button"]')).toBe(true);
    await page.click('[data-testid="rerun-button"]');
    const handle = await page.waitForFunction((id) => {
      const shown = document.querySelector('#job-id')?.textContent ?? '';
      return shown !== '' && shown !== id ? shown : undefined;
    }, oldId!);
    const newId = (await handle.jsonValue()) as string;
    await page.waitForFunction(
      () => document.querySelector('[data-testid="job-status"]')?.textContent === 'completed',
    );
    expect(JSON.parse((await page.textContent('[data-testid="job-params"]'))!)).toEqual(old.params);
    expect(await page.textContent('[data-testid="job-result"]')).toBe(
      JSON.stringify(old.result, null, 2),
    );
    // The first page is live: the new job comes on top, the old one stays.
    await page.waitForFunction(
      (id) => document.querySelector('#jobs-body tr')?.getAttribute('data-job') === id,
      newId,
    );
    const rows = await rowIds();
    expect(rows.slice(0, 2)).toEqual([newId, oldId]);
    const stored = await api<{ job: JobView }>(`jobs/${newId}`);
    expect(stored.job).toMatchObject({
      plugin: 'text-stats',
      params: old.params,
      status: 'completed',
    });
    expect(stored.job.metadata).toMatchObject({ rerunOf: oldId });
    await expectNoSidewaysScroll();
    await shot('done', '#job-panel');
    await page.selectOption('[data-testid="filter-plugin"]', '');
  });
});
