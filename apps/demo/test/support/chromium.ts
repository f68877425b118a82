// Headless Chromium for the end-to-end tests: Debian's chromium driven by playwright-core, one
// browser per test file, one page per viewport. Screenshots go to apps/demo/test-results/
// screenshots/ (gitignored) for a person to look at.
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, onTestFailed } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(import.meta.dirname, '../../test-results/screenshots');

/** The two screens every end-to-end test runs on. */
export const VIEWPORTS = [
  { name: 'desktop', width: 1440, height: 1000 },
  { name: 'phone', width: 390, height: 844 },
] as const;

export type Viewport = (typeof VIEWPORTS)[number];

/** Launches headless Chromium (and makes the screenshot folder); fails saying how to get one. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    // No background traffic: the tests talk to their own server on loopback only.
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
}

/**
 * One browser for the calling test file: launched before its tests, closed after them. Call at
 * the top of the file; `openPage` works from its tests and hooks on.
 */
export function useChromium(): { openPage(viewport: Viewport): Promise<Page> } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return { openPage: (viewport) => openPage(browser!, viewport) };
}

/** A page the size of `viewport` (a phone one touches), with a timeout for a loaded machine. */
export async function openPage(browser: Browser, viewport: Viewport): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width: viewport.width, height: viewport.height },
    isMobile: viewport.name === 'phone',
    hasTouch: viewport.name === 'phone',
  });
  page.setDefaultTimeout(20_000);
  return page;
}

/** Where the screenshot `name` (without `.png`) goes. */
export function screenshotPath(name: string): string {
  return path.join(SCREENSHOTS, `${name}.png`);
}

/** If the running test fails, keeps a full-page screenshot `<name>-FAILED` of that moment. */
export function screenshotOnFailure(page: Page, name: string): void {
  onTestFailed(async () => {
    await page.screenshot({ path: screenshotPath(`${name}-FAILED`), fullPage: true });
  });
}
