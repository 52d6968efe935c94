// A tenant's way into the portal in a real browser: the manager prints the activation letter (a
// real download of the PDF), the tenant types the code from it on /aktivieren in a browser of its
// own, sets a password and logs in for the first time.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { User } from '../../db';
import { startWebServer, type WebServer } from '../../scripts/web';
import { launchBrowser, logIn, openPage } from '../support/browser';
import { eventually } from '../support/eventually';
import { createOrgFixture, uniqueSuffix, type OrgFixture } from '../support/fixtures';
import { createLoginUser, testDb, TEST_PASSWORD } from '../support/web';

const database = testDb();
const viteCache = mkdtempSync(path.join(os.tmpdir(), 'klarmeter-e2e-vite-'));
const downloads = mkdtempSync(path.join(os.tmpdir(), 'klarmeter-e2e-downloads-'));
let org: OrgFixture;
let manager: User;
let tenancyId: number;
let web: WebServer;
let browser: Browser;
let tenantContext: BrowserContext;
let managerPage: Page;
let tenantPage: Page;

beforeAll(async () => {
  org = await createOrgFixture(database);
  manager = await createLoginUser(database, org.organisation.id, 'manager');
  const tenancy = await database.models.Tenancy.create({
    unitId: org.unit.id,
    userId: null,
    tenantName: 'Greta Gärtner',
    startsOn: '2023-04-01',
    endsOn: null,
  });
  tenancyId = tenancy.id;
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
  await database.close();
  rmSync(viteCache, { recursive: true, force: true });
  rmSync(downloads, { recursive: true, force: true });
});

test('invite → activation letter → activation with the code → first login', async () => {
  // The manager prints the letter from the tenants' access page.
  await logIn(managerPage, web.url, manager.email, TEST_PASSWORD);
  await managerPage.goto(`${web.url}/einladungen/${org.property.id}`, { waitUntil: 'load' });
  const row = `#mietverhaeltnis-${tenancyId}`;
  expect(await managerPage.$eval(row, (el) => el.textContent)).toContain('Kein Zugang');
  const cdp = await managerPage.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
  await managerPage.click(`${row} form[action$="/briefe"] button[type="submit"]`);
  const pdf = await eventually(
    () => {
      const file = readdirSync(downloads).find((f) => f.endsWith('.pdf'));
      expect(file).toBeDefined();
      return path.join(downloads, file!);
    },
    { timeoutMs: 30_000 },
  );
  expect(existsSync(pdf)).toBe(true);
  const letter = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  expect(letter).toContain('Greta Gärtner');
  expect(letter).toContain('/aktivieren');
  const code = /\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\b/.exec(letter)?.[1];
  expect(code).toBeDefined();
  await managerPage.reload({ waitUntil: 'load' });
  expect(await managerPage.$eval(row, (el) => el.textContent)).toContain('Aktivierungsbrief erstellt');

  // The tenant, in a browser of its own, types what the letter says.
  const email = `greta-${uniqueSuffix()}@example.de`;
  const password = 'Tomaten wachsen auf dem Balkon';
  await tenantPage.goto(`${web.url}/aktivieren`, { waitUntil: 'load' });
  await tenantPage.type('#field-code', code!.toLowerCase());
  await tenantPage.type('#field-surname', 'Gärtner');
  await tenantPage.type('#field-email', email);
  await tenantPage.type('#field-password', password);
  await tenantPage.type('#field-passwordRepeat', password);
  await tenantPage.click('button[type="submit"]');
  await tenantPage.waitForFunction(() => document.querySelector('h1')?.textContent === 'Zugang eingerichtet', { timeout: 30_000 });
  expect(await tenantPage.$eval('[role="status"]', (el) => el.textContent)).toContain(email);

  await logIn(tenantPage, web.url, email, password);
  expect(new URL(tenantPage.url()).pathname).toBe('/meine-wohnung');
  expect(await tenantPage.$eval('main', (el) => el.textContent)).toContain(org.unit.label);

  // The manager's page now shows the account.
  await managerPage.reload({ waitUntil: 'load' });
  expect(await managerPage.$eval(row, (el) => el.textContent)).toContain('Zugang aktiv');
}, 180_000);
