// The tenant's answer to a device-exchange offer in a real browser, with JavaScript off after log-in
// (the form must work without it) and at phone width: the browser holds back a slot after the deadline,
// a slot the server refuses comes back with its German message next to the field, the entries kept; the sent counter-proposal reaches the technician's page,
// where one of the slots is confirmed. SCREENSHOT_DIR=… keeps a screenshot of the form with its error.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { addDays } from '../../domain/dates';
import { calendarDate } from '../../domain/calendar';
import { startWebServer, type WebServer } from '../../scripts/web';
import { launchBrowser, logIn, openPage } from '../support/browser';
import { fileExchangeOffer } from '../support/exchange-offer';
import { uniqueSuffix } from '../support/fixtures';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../support/temporal';
import { createWebFixture, testDb, TEST_PASSWORD, type WebFixture } from '../support/web';

const database = testDb();
const viteCache = mkdtempSync(path.join(os.tmpdir(), 'klarmeter-e2e-vite-'));
const screenshots = process.env.SCREENSHOT_DIR;
const PHONE = { width: 390, height: 844 };
// Berlin's today: the form's dates are local dates. Only distances matter, no weekdays or month ends.
const today = calendarDate(new Date());
const dueAt = addDays(today, 40);
let f: WebFixture;
let web: WebServer;
let browser: Browser;
let worker: RunningWorker;
let temporal: TestClient;

beforeAll(async () => {
  // The web app's updates reach the appointment workflow on TEMPORAL_TASK_QUEUE: this file's worker serves it.
  process.env.TEMPORAL_TASK_QUEUE = `e2e-exchange-${uniqueSuffix()}`;
  f = await createWebFixture(database);
  [web, browser, worker, temporal] = await Promise.all([
    startWebServer({ dev: true, hmr: false, vite: { cacheDir: viteCache, logLevel: 'error' } }),
    launchBrowser(),
    bundleWorkflows().then((bundle) =>
      startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE!, db: database, workflowBundle: bundle }),
    ),
    connectTestClient(),
  ]);
  if (screenshots) mkdirSync(screenshots, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await worker?.stop();
  await temporal?.close();
  await database.close();
  rmSync(viteCache, { recursive: true, force: true });
});

/** Signed in with its own cookie jar (tenant and technician side by side), then without JavaScript. */
async function pageAs(email: string): Promise<Page> {
  const page = await openPage(await browser.createBrowserContext());
  await logIn(page, web.url, email, TEST_PASSWORD);
  await page.setJavaScriptEnabled(false);
  return page;
}

const text = (page: Page, selector: string) => page.$eval(selector, (el) => el.textContent?.trim() ?? '');
const valueOf = (page: Page, selector: string) => page.$eval(selector, (el) => (el as HTMLInputElement).value);
/** Date and time inputs take their value directly (typing depends on the browser's locale format). */
const setValue = (page: Page, selector: string, value: string) =>
  page.$eval(selector, (el, v) => void ((el as HTMLInputElement).value = v), value);
/** A plain form POST and the page it returns. */
const submit = (page: Page, selector: string) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
const COUNTER = 'section[aria-labelledby="counter"]';
const SEND = `${COUNTER} button[name="intent"][value="counter"]`;

test(
  'the tenant answers the exchange offer with own slots without JavaScript; the technician sees and confirms one',
  async () => {
    const id = await fileExchangeOffer(database, f, { dueAt, client: temporal.client, taskQueue: process.env.TEMPORAL_TASK_QUEUE! });

    const tenant = await pageAs(f.tenant.email);
    await tenant.setViewport(PHONE);
    await tenant.goto(`${web.url}/termine/${id}`, { waitUntil: 'load' });
    await tenant.waitForSelector(`${COUNTER} form`);
    expect(await text(tenant, '#appointment-status')).toBe('Andere Termine vorgeschlagen');
    // Every field has its label; the page fits the phone's width.
    const unlabelled = await tenant.$$eval(`${COUNTER} input:not([type=hidden]), ${COUNTER} textarea`, (fields) =>
      fields.filter((el) => !document.querySelector(`label[for="${el.id}"]`)).map((el) => el.getAttribute('name')),
    );
    expect(unlabelled).toEqual([]);
    expect(await tenant.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // (1) A slot after the exchange deadline: the browser itself holds the form back (the date field's max).
    await setValue(tenant, '#counter1Date', addDays(today, 3));
    await setValue(tenant, '#counter1From', '17:00');
    await setValue(tenant, '#counter1To', '18:30');
    await setValue(tenant, '#counter2Date', addDays(dueAt, 1));
    await setValue(tenant, '#counter2From', '17:00');
    await setValue(tenant, '#counter2To', '18:30');
    expect(await tenant.$eval('#counter2Date', (el) => (el as HTMLInputElement).validity.rangeOverflow)).toBe(true);
    expect(await tenant.$eval(`${COUNTER} form`, (form) => (form as HTMLFormElement).checkValidity())).toBe(false);
    // The same slot twice passes the browser; the server refuses it, names the field, nothing is sent.
    await setValue(tenant, '#counter2Date', addDays(today, 3));
    await setValue(tenant, '#counterNote', 'Nur abends oder ganz früh.');
    await submit(tenant, SEND);
    const message = 'Termin 2, Datum: Diesen Termin haben Sie schon angegeben.';
    expect(await text(tenant, '[role="alert"].alert')).toBe(message);
    expect(await text(tenant, '#counter2Date-error')).toBe(message);
    expect(await tenant.$eval('#counter2Date', (el) => [el.getAttribute('aria-invalid'), el.getAttribute('aria-describedby')])).toEqual([
      'true',
      'counter2Date-error',
    ]);
    // Only the refused field is marked; the entries come back for correction.
    expect(await tenant.$$eval(`${COUNTER} [aria-invalid="true"]`, (els) => els.map((el) => el.id))).toEqual(['counter2Date']);
    expect(await valueOf(tenant, '#counter1Date')).toBe(addDays(today, 3));
    expect(await valueOf(tenant, '#counter2From')).toBe('17:00');
    expect(await valueOf(tenant, '#counterNote')).toBe('Nur abends oder ganz früh.');
    expect(await text(tenant, '#appointment-status')).toBe('Andere Termine vorgeschlagen');
    if (screenshots) {
      await tenant.$eval(COUNTER, (el) => el.scrollIntoView());
      await tenant.screenshot({ path: path.join(screenshots, 'termine-gegenvorschlag-fehler.png') });
    }

    // (2) Corrected and sent: the confirmation, the request waits for the technician, the form is gone.
    await setValue(tenant, '#counter2Date', addDays(today, 5));
    await setValue(tenant, '#counter2From', '07:30');
    await setValue(tenant, '#counter2To', '08:15');
    await submit(tenant, SEND);
    expect(await text(tenant, '[role="status"].alert')).toBe('Ihre Terminvorschläge wurden an die Technik gesendet.');
    expect(await text(tenant, '#appointment-status')).toBe('Angefragt');
    expect(await tenant.$(COUNTER)).toBeNull();

    // The technician's page shows the counter-proposal in the history and confirms its second slot.
    const technician = await pageAs(f.technician.email);
    await technician.goto(`${web.url}/termine/${id}`, { waitUntil: 'load' });
    await technician.waitForSelector('#counter-proposal');
    expect(await technician.$$eval('.timeline__label', (els) => els.map((el) => el.textContent))).toEqual([
      'Terminangebot zum Gerätetausch',
      'Gegenvorschlag der Mietpartei',
    ]);
    expect(await technician.$$eval('.timeline__body', (els) => els.map((el) => el.textContent?.trim()))).toContain(
      'Nur abends oder ganz früh.',
    );
    // Positions 0–2 are the offer's slots, 3 and 4 the tenant's.
    expect(await text(technician, '[data-position="4"] .slots__when')).toMatch(/07:30–08:15 Uhr$/);
    await submit(technician, '[data-position="4"] button[name="intent"][value="choose"]');
    expect(await text(technician, '[role="status"].alert')).toBe('Der Termin ist bestätigt.');
    expect(await text(technician, '#appointment-status')).toBe('Bestätigt');
  },
  // Two log-ins, Vite's first compiles of the pages and three workflow updates on a loaded two-core machine.
  300_000,
);
