// The delivery proof in a real browser: the manager watches the statement page while the tenant,
// in a second browser context, opens the statement; that tenant's row turns "geöffnet" on the
// manager's page without a reload (proof event → NOTIFY → SSE → revalidation).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { User } from '../../db';
import { type StatementData } from '../../domain/billing/statement';
import { liveHub } from '../../server/live';
import { startWebServer, type WebServer } from '../../scripts/web';
import { launchBrowser, logIn, openPage } from '../support/browser';
import { eventually } from '../support/eventually';
import { createOrgFixture, uniqueSuffix } from '../support/fixtures';
import { createStatementFixture, type StatementFixture } from '../support/statement-fixtures';
import { deliveredStatement } from '../support/delivered-statement';
import { startTestWorker, type RunningWorker } from '../support/temporal';
import { createLoginUser, testDb, TEST_PASSWORD } from '../support/web';

const database = testDb();
process.env.TEMPORAL_TASK_QUEUE = `statement-opened-${uniqueSuffix()}`;
const viteCache = mkdtempSync(path.join(os.tmpdir(), 'klarmeter-e2e-vite-'));
let web: WebServer;
let browser: Browser;
let tenantContext: BrowserContext;
let managerPage: Page;
let tenantPage: Page;
let worker: RunningWorker;
let house: StatementFixture;
let manager: User;
let tenant: User;
let statement: StatementData;

beforeAll(async () => {
  worker = await startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE!, db: database });
  const org = await createOrgFixture(database);
  manager = await createLoginUser(database, org.organisation.id, 'manager');
  tenant = await createLoginUser(database, org.organisation.id, 'tenant');
  house = await createStatementFixture(database, { tenantA: tenant }, org);
  statement = await deliveredStatement(database, house, manager);

  [web, browser] = await Promise.all([
    startWebServer({ dev: true, hmr: false, vite: { cacheDir: viteCache, logLevel: 'error' } }),
    launchBrowser(),
  ]);
  managerPage = await openPage(browser);
  tenantContext = await browser.createBrowserContext();
  tenantPage = await openPage(tenantContext);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await worker?.stop();
  await database.close();
  rmSync(viteCache, { recursive: true, force: true });
});

const lifecycleState = (page: Page) =>
  page.$eval('[aria-labelledby="lifecycle"] [data-lifecycle-state]', (el) => el.getAttribute('data-lifecycle-state')).catch(() => null);

test("the tenant opens the statement and the manager's open page shows that tenant's delivery as opened without reload", async () => {
  await logIn(managerPage, web.url, manager.email, TEST_PASSWORD);
  const subscribersBefore = liveHub().subscriberCount;
  await managerPage.goto(`${web.url}/abrechnungen/${statement.stored!.id}`, { waitUntil: 'load' });
  expect(await lifecycleState(managerPage)).toBe('delivered');
  expect(await managerPage.$$('[data-recipient-state="opened"]')).toHaveLength(0);
  await eventually(() => expect(liveHub().subscriberCount).toBeGreaterThan(subscribersBefore), { timeoutMs: 30_000 });
  await managerPage.evaluate(() => {
    (window as unknown as { sameDocument: boolean }).sameDocument = true;
  });

  await logIn(tenantPage, web.url, tenant.email, TEST_PASSWORD);
  await tenantPage.goto(`${web.url}/meine-abrechnungen/${statement.stored!.id}?einheit=${house.units.a.id}`, { waitUntil: 'load' });
  await tenantPage.waitForSelector('.statement-document');

  // Each tenant's receipt and opening is their own (issue 10): the version stays "delivered" for the
  // others, and the opening tenant's row turns "geöffnet".
  await managerPage.waitForSelector('[data-recipient-state="opened"]', { timeout: 20_000 });
  expect(await managerPage.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  const opened = await managerPage.$$eval('[data-recipient-state="opened"]', (rows) => rows.map((row) => row.textContent ?? ''));
  expect(opened).toHaveLength(1);
  expect(opened[0]).toContain(tenant.name);
}, 120_000);
