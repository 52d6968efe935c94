// The register in a real browser: log in as a manager, see the lights, and watch a light that a
// workflow changes (row update + NOTIFY, exactly as the worker does it) update without a reload.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LIVE_CHANNEL } from '../../db';
import { liveHub } from '../../server/live';
import { startWebServer, type WebServer } from '../../scripts/web';
import { launchBrowser, logIn, openPage } from '../support/browser';
import { eventually } from '../support/eventually';
import { createWebFixture, testDb, TEST_PASSWORD, type WebFixture } from '../support/web';

const database = testDb();
// Vite's dependency cache of its own, so that this run and a developer's `npm run dev` do not collide.
const viteCache = mkdtempSync(path.join(os.tmpdir(), 'klarmeter-e2e-vite-'));
let f: WebFixture;
let web: WebServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  f = await createWebFixture(database);
  // Vite middleware mode compiles the current sources on demand: no build/ to share or go stale.
  [web, browser] = await Promise.all([
    startWebServer({ dev: true, hmr: false, vite: { cacheDir: viteCache, logLevel: 'error' } }),
    launchBrowser(),
  ]);
  page = await openPage(browser);
});

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await database.close();
  rmSync(viteCache, { recursive: true, force: true });
});

function badgeText(deviceId: number): Promise<string | null> {
  return page.$eval(`tr[data-device-id="${deviceId}"] .badge__text`, (el) => el.textContent).catch(() => null);
}

test('the manager sees the lights, and a workflow’s light change arrives without reload', async () => {
  await logIn(page, web.url, f.manager.email, TEST_PASSWORD);
  expect(new URL(page.url()).pathname).toBe('/dashboard');

  const subscribersBefore = liveHub().subscriberCount;
  await page.goto(`${web.url}/geraete?property=${f.property.id}`, { waitUntil: 'load' });
  await page.waitForSelector('table');
  expect(await badgeText(f.devices.red.id)).toBe('Kritisch');
  expect(await badgeText(f.devices.yellow.id)).toBe('Warnung');
  expect(await badgeText(f.devices.green.id)).toBe('OK');
  const colours = await page.$$eval('tr[data-device-id] .badge', (els) => els.map((el) => el.getAttribute('data-light')));
  expect(new Set(colours)).toEqual(new Set(['red', 'yellow', 'green']));

  // Hydrated and listening: the page's EventSource is subscribed on the server.
  await eventually(() => expect(liveHub().subscriberCount).toBeGreaterThan(subscribersBefore), { timeoutMs: 30_000 });
  await page.evaluate(() => {
    (window as unknown as { sameDocument: boolean }).sameDocument = true;
  });

  const device = f.devices.green;
  await database.sequelize.transaction(async (transaction) => {
    await device.update({ light: 'red', lightChangedAt: new Date() }, { transaction });
    await database.notify(
      LIVE_CHANNEL,
      { type: 'device', deviceId: device.id, propertyId: device.propertyId, unitId: device.unitId, light: 'red', dueAt: device.dueAt },
      transaction,
    );
  });

  await page.waitForFunction(
    (id) => document.querySelector(`tr[data-device-id="${id}"] .badge__text`)?.textContent === 'Kritisch',
    { timeout: 15_000 },
    device.id,
  );
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  // The summary tiles were reloaded with the rows.
  const redTile = await page.$eval('.light-summary__item--red .light-summary__count', (el) => el.textContent);
  expect(redTile).toBe('2');
});
