// The compliance desk in a real browser, with JavaScript off after log-in (the desk must work
// without it): search the overdue calibrations, open one's history, show a raw event, read the
// audit log. SCREENSHOT_DIR=… keeps a screenshot of each page.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Device, User } from '../../db';
import { ensureDeviceWorkflow } from '../../server/device-obligation';
import { startWebServer, type WebServer } from '../../scripts/web';
import { launchBrowser, logIn, openPage } from '../support/browser';
import { eventually } from '../support/eventually';
import { createDeviceFixture, createOrgFixture, uniqueSuffix, type OrgFixture } from '../support/fixtures';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../support/temporal';
import { createLoginUser, testDb, TEST_PASSWORD } from '../support/web';

const database = testDb();
const viteCache = mkdtempSync(path.join(os.tmpdir(), 'klarmeter-e2e-vite-'));
const screenshots = process.env.SCREENSHOT_DIR;
let org: OrgFixture;
let expired: Device;
let officer: User;
let worker: RunningWorker;
let temporal: TestClient;
let web: WebServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const taskQueue = `e2e-pruefung-${uniqueSuffix()}`;
  process.env.TEMPORAL_TASK_QUEUE = taskQueue;
  worker = await startTestWorker({ taskQueue, db: database, workflowBundle: await bundleWorkflows() });
  temporal = await connectTestClient();
  org = await createOrgFixture(database);
  // Calibrated in 2019: the warm-water meter's calibration ended on 31.12.2025.
  expired = await createDeviceFixture(database, org, { type: 'WZ-W', installedAt: '2019-03-01', calibratedYear: 2019 });
  const current = await createDeviceFixture(database, org);
  for (const device of [expired, current]) await ensureDeviceWorkflow(temporal.client, device.id, { taskQueue, db: database });
  officer = await createLoginUser(database, org.organisation.id, 'compliance');
  [web, browser] = await Promise.all([
    startWebServer({ dev: true, hmr: false, vite: { cacheDir: viteCache, logLevel: 'error' } }),
    launchBrowser(),
  ]);
  page = await openPage(browser);
  if (screenshots) mkdirSync(screenshots, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await worker?.stop();
  await temporal?.close();
  await database.close();
  rmSync(viteCache, { recursive: true, force: true });
});

async function shot(name: string): Promise<void> {
  if (screenshots) await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
}

test('a compliance officer walks the desk without JavaScript', async () => {
  await logIn(page, web.url, officer.email, TEST_PASSWORD);
  expect(new URL(page.url()).pathname).toBe('/pruefung');
  await page.setJavaScriptEnabled(false);

  // The search form, submitted as a plain GET; visibility may need a moment after the escalation.
  await eventually(
    async () => {
      await page.goto(`${web.url}/pruefung`, { waitUntil: 'load' });
      await page.select('#filter-kind', 'calibration');
      await page.click('#filter-overdue');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form[role="search"] button[type="submit"]')]);
      expect(await page.$(`a[href^="/pruefung/verlauf/device-${expired.id}?"]`)).not.toBeNull();
    },
    { timeoutMs: 30_000 },
  );
  const url = new URL(page.url());
  expect(Object.fromEntries(url.searchParams)).toMatchObject({ kind: 'calibration', overdue: '1' });
  const row = await page.$eval(`a[href^="/pruefung/verlauf/device-${expired.id}?"]`, (a) => a.closest('tr')!.textContent);
  expect(row).toContain('Frist abgelaufen (eskaliert)');
  expect(row).toContain('überfällig');
  expect(row).toContain('31.12.2025');
  await shot('pruefung-pflichten');

  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(`a[href^="/pruefung/verlauf/device-${expired.id}?"]`)]);
  expect(await page.$eval('h1', (h) => h.textContent)).toBe('Verlauf: Eichfrist');
  const lines = await page.$$eval('.timeline__label', (els) => els.map((el) => el.textContent));
  expect(lines[0]).toBe(`Fristüberwachung für ${expired.serial} begonnen (eingebaut am 01.03.2019)`);
  expect(lines.some((line) => line?.startsWith('Eichfrist 31.12.2025 abgelaufen: eskaliert an '))).toBe(true);
  // A raw event on demand: <details> opens without script.
  await page.click('.raw-event summary');
  expect(await page.$eval('.raw-event[open] pre', (pre) => pre.textContent)).toContain('"WorkflowExecutionStarted"');
  await shot('pruefung-verlauf');

  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a[href="/pruefung/protokoll"]')]);
  expect(await page.$eval('[role="status"]', (el) => el.textContent)).toMatch(/^Kette unversehrt: /);
  await shot('pruefung-protokoll');

  // Coverage: both devices are watched.
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a[href="/pruefung/abdeckung"]')]);
  expect(await page.$eval('#devices ~ [role="status"], section[aria-labelledby="devices"] [role="status"]', (el) => el.textContent)).toBe(
    '2 von 2 Geräten in Betrieb überwacht: lückenlos.',
  );
  await shot('pruefung-abdeckung');
});
