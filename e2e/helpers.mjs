// Shared helpers of the browser tests (`./portal e2e`, which runs them with `node --test`).
//
// Each test file opens one Chromium (Debian's, driven by playwright-core) with a fresh profile, signs in
// as guest once, and uses `e2eTest` so that a failing test leaves a screenshot of the page behind.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

export const root = new URL('..', import.meta.url).pathname;
export const BASE_URL = (
  process.env.E2E_BASE_URL ?? 'http://localhost:3000'
).replace(/\/+$/, '');
/** The portal's backend, as the app's config names it. */
export const BACKEND_URL = (
  process.env.E2E_BACKEND_URL ?? 'http://localhost:7007'
).replace(/\/+$/, '');
export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots the READMEs show. */
export const SCREENSHOTS = join(root, 'docs', 'screenshots');
/** Screenshots of failed tests (git-ignored). */
export const FAILURES = join(root, '.portal', 'e2e', 'failures');
export const VIEWPORT = { width: 1440, height: 900 };
/** How long to wait for something to show up: the dev server compiles lazily and the CPU is shared. */
export const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS ?? 60_000);

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];

/** Launches Chromium with a fresh profile directory; `close()` also removes the profile. */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'capa-e2e-profile-'));
  // launchPersistentContext is playwright's way to pass --user-data-dir (a fresh one per file).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    colorScheme: 'light',
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT * 2);
  // The dev server's error overlays (iframes over the whole page) would hide the app from screenshots and
  // swallow clicks; a test fails on what the page shows, not on the overlay.
  await context.addInitScript(() => {
    const style = document.createElement('style');
    style.textContent =
      '#webpack-dev-server-client-overlay, #react-refresh-overlay { display: none !important; }';
    document.addEventListener('DOMContentLoaded', () =>
      document.head.appendChild(style),
    );
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in with the guest provider ("Enter" on the sign-in page). */
export async function signInAsGuest(page) {
  await page.goto(`${BASE_URL}/`);
  const enter = page.getByRole('button', { name: /^enter$/i });
  // A backend that restarts (the dev server does on file changes) refuses the first click: try again.
  for (let attempt = 1; ; attempt++) {
    await enter.waitFor();
    await enter.click();
    try {
      await enter.waitFor({ state: 'detached', timeout: 20_000 });
      return;
    } catch (error) {
      if (attempt === 3) {
        throw new Error(
          `guest sign-in failed 3 times; the page says: ${(
            await page.locator('body').innerText()
          ).slice(0, 300)}`,
        );
      }
      await page.waitForTimeout(5_000);
      await page.reload();
    }
  }
}

/**
 * Declares the suite's browser: launched and signed in before the first test, closed after the last.
 * Returns a getter for the page.
 */
export function useBrowser() {
  let browser;
  before(async () => {
    browser = await launch();
    await signInAsGuest(browser.page);
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser.page;
}

function slug(name) {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** A test with a screenshot of the page in `.portal/e2e/failures/` when it fails. */
export function e2eTest(name, getPage, fn) {
  test(name, async t => {
    const page = getPage();
    try {
      await fn(page, t);
    } catch (error) {
      mkdirSync(FAILURES, { recursive: true });
      const file = join(FAILURES, `${slug(name)}.png`);
      await page
        .screenshot({ path: file, fullPage: true, timeout: 15_000 })
        .then(() => t.diagnostic(`screenshot of the failure: ${file}`))
        .catch(e => t.diagnostic(`no screenshot: ${e.message}`));
      t.diagnostic(`page: ${page.url()}`);
      throw error;
    }
  });
}

/** Saves a screenshot the READMEs show: docs/screenshots/<name>.png (the viewport, 1440×900). */
export async function saveScreenshot(page, name, options = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // No blinking caret or running animation in the pictures; wait for fonts and images.
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({
    path: join(SCREENSHOTS, `${name}.png`),
    animations: 'disabled',
    caret: 'hide',
    ...options,
  });
}

/**
 * Opens a catalog entity page, `/catalog/default/resource/<name>[/<tab>]`, and waits for the entity's tabs.
 * Reloads up to twice when they do not show: the dev backend restarts (for a few seconds) on file changes.
 */
export async function openEntity(page, name, tab = '') {
  const url = `${BASE_URL}/catalog/default/resource/${name}${
    tab ? `/${tab}` : ''
  }`;
  for (let attempt = 1; ; attempt++) {
    await page.goto(url);
    try {
      await page
        .getByRole('navigation', { name: 'Content navigation' })
        .waitFor({ timeout: attempt === 3 ? TIMEOUT : TIMEOUT / 2 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.waitForTimeout(5_000);
    }
  }
}

/** Waits until no progress bar is on the page (lazy cards load their data behind one). */
export async function waitForProgressGone(page) {
  await page
    .locator('[role="progressbar"]')
    .first()
    .waitFor({ state: 'detached' })
    .catch(() => {});
}

/** Scrolls an element to the top of the viewport, leaving a little of what is above it in view. */
export async function scrollToTop(locator, margin = 16) {
  await locator.evaluate((element, m) => {
    element.scrollIntoView({ block: 'start' });
    // The page scrolls in the window or in the app's main container: nudge whichever moved.
    const scroller = document.scrollingElement;
    if (scroller && scroller.scrollTop > 0) scroller.scrollTop -= m;
  }, margin);
}

/** An entity card by its title: the catalog's cards are `article`s, ours (InfoCard) MUI cards. */
export function entityCard(page, title) {
  return page
    .locator('article, .MuiCard-root')
    .filter({
      has: page.getByRole('heading', { name: title, exact: true }),
    })
    .last();
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

async function answers(url) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return true;
  } catch {
    return false;
  }
}

/** A guest token of a backend (whoever its `auth.providers.guest.userEntityRef` names). */
export async function guestToken(backendUrl) {
  const response = await fetch(`${backendUrl}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`guest refresh: HTTP ${response.status}`);
  return (await response.json()).backstageIdentity.token;
}

/**
 * Starts one more backend of the portal, `backstage-cli package start` in packages/backend with app-config.yaml
 * and `extraConfig` (YAML, written to .portal/e2e/<name>.yaml), in its own process group; its output goes to
 * .portal/e2e/<name>-backend.log. Resolves once it is ready, capa has read every management cluster and the
 * catalog holds the `ready` entity refs (asked as its guest user). `stop()` ends the whole group.
 */
export async function startBackend({ name, url, extraConfig, ready = [] }) {
  if (await answers(`${url}/.backstage/health/v1/liveness`)) {
    throw new Error(
      `${url} already answers: stop what listens there, or pick another port`,
    );
  }
  const dir = join(root, '.portal', 'e2e');
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, `${name}.yaml`);
  writeFileSync(configFile, extraConfig);
  const logFile = join(dir, `${name}-backend.log`);
  const child = spawn(
    join(root, 'node_modules', '.bin', 'backstage-cli'),
    [
      'package',
      'start',
      '--config',
      join(root, 'app-config.yaml'),
      '--config',
      configFile,
    ],
    {
      cwd: join(root, 'packages', 'backend'),
      detached: true,
      stdio: ['ignore', openSync(logFile, 'w'), openSync(logFile, 'a')],
      env: { ...process.env, FORCE_COLOR: '0' },
    },
  );
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const stop = async () => {
    const kill = signal => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    if (exited) return;
    kill('SIGTERM');
    for (let i = 0; i < 30 && !exited; i++) await sleep(500);
    kill('SIGKILL');
  };
  const logTail = () =>
    readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n');
  const deadline =
    Date.now() + Number(process.env.E2E_START_TIMEOUT_S ?? 480) * 1000;
  let last = '';
  try {
    for (;;) {
      if (exited) throw new Error(`it exited; last lines:\n${logTail()}`);
      try {
        if (await isReady(url, ready)) return { stop, url };
      } catch (error) {
        last = error.cause?.code ?? error.message;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `not ready in time (last: ${last}); last lines:\n${logTail()}`,
        );
      }
      await sleep(2_000);
    }
  } catch (error) {
    await stop();
    throw new Error(`backend ${name} (${url}): ${error.message}`);
  }
}

async function isReady(url, refs) {
  const health = await fetch(`${url}/.backstage/health/v1/readiness`);
  if (!health.ok) return false;
  const headers = { Authorization: `Bearer ${await guestToken(url)}` };
  const mgmt = await fetch(`${url}/api/capa/management-clusters`, { headers });
  if (!mgmt.ok) throw new Error(`management-clusters: HTTP ${mgmt.status}`);
  const { items } = await mgmt.json();
  if (!items.every(m => m.lastSync || m.lastAttempt)) return false;
  for (const ref of refs) {
    const [kind, rest] = ref.split(':');
    const entity = await fetch(
      `${url}/api/catalog/entities/by-name/${kind}/${rest}`,
      { headers },
    );
    if (!entity.ok) return false;
  }
  return true;
}
