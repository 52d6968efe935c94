// Issue 12 in a real browser: the strict CSP (with nonces) lets the app hydrate and work without a
// single violation, and after an attacker's bursts against an account its owner still logs in from
// the browser used before, while a browser that never logged in as them is asked to wait.
import type { Browser, Page } from 'puppeteer-core';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchBrowser, logIn, openPage } from '../support/browser';
import { startTestWebServer, type TestWebServer } from '../support/http';
import { createWebFixture, testDb, TEST_PASSWORD, type WebFixture } from '../support/web';

const database = testDb();
let f: WebFixture;
let web: TestWebServer;
let browser: Browser;

beforeAll(async () => {
  f = await createWebFixture(database);
  [web, browser] = await Promise.all([startTestWebServer(), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await database.close();
});

/** A page in its own browser context (own cookies) that records every CSP violation it meets. */
async function freshPage(): Promise<{ page: Page; violations: () => Promise<string[]> }> {
  const page = await openPage(await browser.createBrowserContext());
  await page.evaluateOnNewDocument(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  const violations = () => page.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? []);
  return { page, violations };
}

test('pages hydrate under the strict CSP without violations', async () => {
  const { page, violations } = await freshPage();
  await logIn(page, web.url, f.manager.email, TEST_PASSWORD);
  await page.goto(`${web.url}/geraete`, { waitUntil: 'load' });
  await page.waitForSelector('table');
  // Hydrated: a link click is a client-side navigation in the same document.
  await page.evaluate(() => {
    (window as unknown as { sameDocument: boolean }).sameDocument = true;
  });
  await page.click('a[href="/liegenschaften"]');
  await page.waitForFunction(() => location.pathname === '/liegenschaften');
  await page.waitForSelector('h1');
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  expect(await violations()).toEqual([]);
}, 120_000);

async function accountWaitMs(email: string): Promise<number> {
  const [row] = await database.sequelize.query<{ waitMs: number }>(
    `SELECT round(extract(epoch FROM next_attempt_at - clock_timestamp()) * 1000)::int AS "waitMs" FROM login_throttle WHERE key = :key`,
    { replacements: { key: `account:${email}` }, type: QueryTypes.SELECT },
  );
  return row?.waitMs ?? 0;
}

test('after an attacker’s bursts the user logs in from their own browser; a new browser is asked to wait', async () => {
  const email = f.otherTenant.email;
  const own = await freshPage();
  await logIn(own.page, web.url, email, TEST_PASSWORD);
  await own.page.waitForSelector('.button--header');
  await own.page.click('.button--header'); // Abmelden
  await own.page.waitForFunction(() => location.pathname === '/login');

  // The attacker, from the same network (127.0.0.1): bursts of concurrent guesses, each time the wait has run out.
  const guess = (password: string) =>
    fetch(`${web.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: web.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password }),
    }).then((response) => response.text());
  let size = 40;
  while ((await accountWaitMs(email)) < 60_000) {
    await database.sequelize.query(`UPDATE login_throttle SET next_attempt_at = clock_timestamp() WHERE key = :key`, {
      replacements: { key: `account:${email}` },
    });
    await Promise.all(Array.from({ length: size }, (_, i) => guess(`rate-${i}`)));
    size = 4;
  }

  const stranger = await freshPage();
  await stranger.page.goto(`${web.url}/login`, { waitUntil: 'load' });
  await stranger.page.type('#email', email);
  await stranger.page.type('#password', TEST_PASSWORD);
  await stranger.page.click('button[type="submit"]');
  await stranger.page.waitForSelector('[role="alert"]');
  expect(await stranger.page.$eval('[role="alert"]', (el) => el.textContent)).toMatch(
    /^Zu viele fehlgeschlagene Anmeldeversuche\. Bitte warten Sie \d+ (Minuten?|Sekunden?) und versuchen Sie es dann erneut\./,
  );

  await logIn(own.page, web.url, email, TEST_PASSWORD);
  expect(new URL(own.page.url()).pathname).toBe('/meine-wohnung');
  expect(await own.violations()).toEqual([]);
}, 180_000);
