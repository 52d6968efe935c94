// Tickets in a real browser: a tenant files one through the form, the manager sees it with its SLA
// countdown and resolves it, and the tenant's open status page changes without a reload.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { liveHub } from '../../server/live';
import { startWebServer, type WebServer } from '../../scripts/web';
import { launchBrowser, logIn, openPage } from '../support/browser';
import { eventually } from '../support/eventually';
import { uniqueSuffix } from '../support/fixtures';
import { bundleWorkflows, startTestWorker, type RunningWorker } from '../support/temporal';
import { createWebFixture, testDb, TEST_PASSWORD, type WebFixture } from '../support/web';

const database = testDb();
const viteCache = mkdtempSync(path.join(os.tmpdir(), 'klarmeter-e2e-vite-'));
let f: WebFixture;
let web: WebServer;
let browser: Browser;
let worker: RunningWorker;

beforeAll(async () => {
  // The web app starts ticket workflows on TEMPORAL_TASK_QUEUE: this file's worker serves it.
  process.env.TEMPORAL_TASK_QUEUE = `e2e-tickets-${uniqueSuffix()}`;
  f = await createWebFixture(database);
  // A manager handles this ticket from filing to solution: no technician gets the device work by default
  // (work routing has its own tests, app/routes/work-routing.test.ts).
  await f.property.update({ technicianId: null });
  [web, browser, worker] = await Promise.all([
    startWebServer({ dev: true, hmr: false, vite: { cacheDir: viteCache, logLevel: 'error' } }),
    launchBrowser(),
    bundleWorkflows().then((bundle) =>
      startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE!, db: database, workflowBundle: bundle }),
    ),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await worker?.stop();
  await database.close();
  rmSync(viteCache, { recursive: true, force: true });
});

/** A page with its own cookie jar, so tenant and manager are signed in side by side. */
async function pageAs(email: string): Promise<Page> {
  const page = await openPage(await browser.createBrowserContext());
  await logIn(page, web.url, email, TEST_PASSWORD);
  return page;
}

const text = (page: Page, selector: string) => page.$eval(selector, (el) => el.textContent?.trim() ?? '');

test('a tenant files a ticket, the manager resolves it, and the tenant’s status page follows live', async () => {
  const tenant = await pageAs(f.tenant.email);
  await tenant.goto(`${web.url}/anliegen/neu`, { waitUntil: 'load' });
  await tenant.select('#topic', 'hot_water');
  await tenant.type('#subject', 'Kein warmes Wasser im Bad');
  await tenant.type('#body', 'Seit heute Morgen kommt im Bad kein Warmwasser.');
  await tenant.click('button[type="submit"].button--primary');
  await tenant.waitForFunction(() => /^\/anliegen\/\d+$/.test(location.pathname) && document.querySelector('#ticket-status') !== null, {
    timeout: 20_000,
  });
  const ticketId = Number(new URL(tenant.url()).pathname.split('/').pop());
  expect(await text(tenant, '#ticket-status')).toBe('Eingegangen');

  // The tenant's page listens for changes (it is the only open page so far); the marker proves
  // later that it was not reloaded.
  await eventually(() => expect(liveHub().subscriberCount).toBeGreaterThan(0), { timeoutMs: 30_000 });
  await tenant.evaluate(() => {
    (window as unknown as { sameDocument: boolean }).sameDocument = true;
  });

  const manager = await pageAs(f.manager.email);
  await manager.goto(`${web.url}/vorgaenge`, { waitUntil: 'load' });
  const row = `tr[data-ticket-id="${ticketId}"]`;
  await manager.waitForSelector(row);
  expect(await text(manager, `${row} [data-status]`)).toBe('Offen');
  // Urgent (kein Warmwasser): two hours to react, counted down live.
  await manager.waitForFunction(
    (selector) => /Innerhalb SLA.*(1 h 5\d min|2 h) verbleibend/.test(document.querySelector(selector)?.textContent ?? ''),
    { timeout: 15_000 },
    `${row} .sla`,
  );

  await Promise.all([manager.waitForNavigation({ waitUntil: 'load' }), manager.click(`${row} a`)]);
  await manager.waitForSelector('#resolve-text');
  await manager.type('#resolve-text', 'Der Warmwasserboiler wurde neu gestartet.');
  await manager.click('button[name="intent"][value="resolve"]');
  await manager.waitForFunction(() => document.querySelector('[role="status"].alert')?.textContent?.includes('Der Vorgang ist gelöst.'), {
    timeout: 20_000,
  });
  await manager.waitForFunction(() => document.querySelector('[data-status="resolved"]') !== null, { timeout: 10_000 });

  await tenant.waitForFunction(() => document.querySelector('#ticket-status')?.textContent === 'Gelöst', { timeout: 20_000 });
  expect(await tenant.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  const timeline = await tenant.$$eval('.timeline__label', (els) => els.map((el) => el.textContent));
  expect(timeline).toEqual(['Erstellt', 'Gelöst']);
  expect(await text(tenant, '.timeline__item:last-child .timeline__body')).toBe('Der Warmwasserboiler wurde neu gestartet.');
});
