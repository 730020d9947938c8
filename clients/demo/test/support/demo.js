// What every browser test needs: the real local runtime (MISSIVE_LOCAL_BIN, by default the
// repository's target/debug/missive-local) on a free port with its own data directory,
// serving the freshly built dist/ at /demo/; Debian's Chromium through playwright-core (one
// browser context per person, so each has its own storage and connection); and `eventually`,
// which polls a condition with a generous timeout instead of sleeping.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MissiveRest } from '@missive/client';
import { chromium } from 'playwright-core';
// The client's integration tests start missive-local the same way: one launcher for both (test
// code of the same repository, so a relative import rather than a package).
import { eventually as pollUntil } from '../../../js/test/support/eventually.js';
import { spawnLocal } from '../../../js/test/support/spawn-local.js';

const DEMO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO_ROOT = resolve(DEMO_ROOT, '..', '..');
export const BINARY = resolve(process.env.MISSIVE_LOCAL_BIN || join(REPO_ROOT, 'target', 'debug', 'missive-local'));
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO_ROOT, 'target', 'demo-screenshots');

/** How long a condition may take to come true (the machine may be busy building). */
export const TIMEOUT_MS = 30_000;

const PLATFORM_KEY = 'missive-demo-tests-platform-key';

/**
 * Starts missive-local for the test `t` (stopped, and its data removed, after it) and a
 * browser. `open(hash)` opens a page in a new browser context at `/demo/<hash>`.
 */
export async function startDemo(t, { env = {}, args = [] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'missive-demo-test-'));
  const server = await startServer({ dataDir, env, args });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--lang=fr-FR',
      // Every person's page is in its own context, all "in the background" but one: their
      // timers and sockets must run as in a visible tab.
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
  const pageErrors = [];
  // What the pages said and did (console, sockets, failed requests), shown with the server's
  // log and each page's text should the test fail: a failure seen once in CI explains itself.
  const journal = [];
  const started = Date.now();
  const note = (who, what) => journal.push(`${String(Date.now() - started).padStart(6)} ms ${who}: ${what}`);
  const pages = [];

  t.after(async () => {
    if (!t.passed) await report(t, { journal, pages, serverLog: server.stderr() });
    await browser.close().catch(() => {});
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  return {
    base: server.base,
    browser,
    pageErrors,
    /** A new person (browser context) on `/demo/<hash>`. */
    async open(hash = '', { viewport = { width: 1280, height: 800 } } = {}) {
      const context = await browser.newContext({ viewport, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
      context.setDefaultTimeout(TIMEOUT_MS);
      const page = await context.newPage();
      const who = `page ${pages.length} (${hash || '/'})`;
      pages.push({ who, page });
      page.on('pageerror', (error) => {
        pageErrors.push(error);
        note(who, `uncaught ${error.stack ?? error}`);
      });
      page.on('console', (message) => note(who, `console.${message.type()} ${message.text()}`));
      page.on('requestfailed', (request) => note(who, `${request.method()} ${request.url()} failed: ${request.failure()?.errorText}`));
      page.on('response', (response) => {
        if (response.status() >= 400) note(who, `${response.request().method()} ${response.url()} → ${response.status()}`);
      });
      page.on('websocket', (socket) => {
        note(who, `socket open ${socket.url().replace(/token=[^&]+/, 'token=…')}`);
        socket.on('socketerror', (error) => note(who, `socket error ${error}`));
        socket.on('close', () => note(who, 'socket closed'));
      });
      await page.goto(`${server.base}/demo/${hash}`);
      return page;
    },
    /** Fails if a page threw an uncaught error. */
    assertNoPageErrors() {
      if (pageErrors.length > 0)
        throw new Error(`the demo threw in the browser:\n${pageErrors.map((e) => e.stack ?? e).join('\n')}`);
    },
  };
}

/** Prints what a failed test's pages and server said, and the text each page showed at the end. */
async function report(t, { journal, pages, serverLog }) {
  const shown = await Promise.all(
    pages.map(async ({ who, page }) => {
      const text = await page
        .locator('body')
        .innerText({ timeout: 2_000 })
        .catch((error) => `(unreadable: ${error.message})`);
      return `--- ${who} shows:\n${text.slice(0, 3_000)}`;
    }),
  );
  const lines = [
    `=== ${t.name} failed; what happened meanwhile:`,
    ...journal,
    ...shown,
    `--- the server's log (warnings and errors, last 4,000 characters):`,
    serverLog.slice(-4_000) || '(nothing)',
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}

/** missive-local on a free port over `dataDir`, with the demo served from the built dist/. */
async function startServer({ dataDir, env, args }) {
  const { base, stop, stderr } = await spawnLocal({
    binary: BINARY,
    args: [
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--demo-dir',
      join(DEMO_ROOT, 'dist'),
      '--scheduler-interval-ms',
      '100',
      ...args,
    ],
    env: {
      MISSIVE_JWT_SECRET: 'missive-demo-tests-secret-0123456789',
      MISSIVE_PLATFORM_KEY: PLATFORM_KEY,
      MISSIVE_RETRY_BASE_MS: '50',
      MISSIVE_MESSAGE_EMAIL_DELAY_SECS: '0',
      ...env,
    },
  });
  return { base, stop, stderr };
}

/** The REST client of one of the demo's people (`alice`…), with the token the local runtime gives the demo. */
export async function restAs(demo, who) {
  const response = await fetch(`${demo.base}/local/demo/session?as=${who}`);
  if (!response.ok) throw new Error(`session of ${who}: ${response.status} ${await response.text()}`);
  const { token } = await response.json();
  return new MissiveRest({ baseUrl: demo.base, getToken: () => token });
}

/** Polls `check` until it holds (see the shared helper), within the demo's timeout by default. */
export function eventually(check, { what = 'a condition', timeoutMs = TIMEOUT_MS, everyMs = 50 } = {}) {
  return pollUntil(check, { what, timeoutMs, everyMs });
}

/** Waits until `locator`'s text (trimmed) is `expected`. */
export async function expectText(locator, expected, what = `text "${expected}"`) {
  await eventually(async () => (await locator.textContent({ timeout: 1_000 }))?.trim() === expected, { what });
}

/** Waits until `locator` matches no element. */
export async function expectGone(locator) {
  await locator.waitFor({ state: 'detached' });
}

/** The directory the screenshots go to, created. */
export function screenshotDir() {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return SCREENSHOTS;
}

/** A PNG of a little bouquet, drawn by the page's own canvas (no image file in the repository). */
export async function bouquet(page, width = 640, height = 480) {
  const dataUrl = await page.evaluate(
    ([w, h]) => {
      const canvas = document.createElement('canvas');
      [canvas.width, canvas.height] = [w, h];
      const g = canvas.getContext('2d');
      g.fillStyle = '#fdf3e7';
      g.fillRect(0, 0, w, h);
      g.strokeStyle = '#5f8f4e';
      g.lineWidth = 6;
      for (const x of [-60, -25, 0, 30, 65]) {
        g.beginPath();
        g.moveTo(w / 2, h * 0.95);
        g.lineTo(w / 2 + x * 1.6, h * 0.42);
        g.stroke();
      }
      const petals = ['#f4a6b8', '#e8718d', '#fbd3dc', '#f7b267', '#e8718d', '#fbd3dc', '#f4a6b8'];
      petals.forEach((color, i) => {
        const angle = (i / petals.length) * Math.PI * 2;
        g.fillStyle = color;
        g.beginPath();
        g.arc(w / 2 + Math.cos(angle) * 80, h * 0.36 + Math.sin(angle) * 55, 58, 0, Math.PI * 2);
        g.fill();
      });
      g.fillStyle = '#e8718d';
      g.beginPath();
      g.arc(w / 2, h * 0.36, 62, 0, Math.PI * 2);
      g.fill();
      return canvas.toDataURL('image/png');
    },
    [width, height],
  );
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}
