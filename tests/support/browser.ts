// Debian's Chromium through puppeteer-core, for browser tests and screenshots.
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { CHROMIUM_ARGS as PDF_CHROMIUM_ARGS } from '../../server/pdf';

/** The renderer's flags, plus headless mode carried as a flag. */
export const CHROMIUM_ARGS = [...PDF_CHROMIUM_ARGS, '--headless=new'];

export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
    // The flags above carry headless mode; puppeteer must not add its own.
    headless: false,
    args: CHROMIUM_ARGS,
    defaultViewport: { width: 1360, height: 1000 },
  });
}

/**
 * A page with waits long enough for Vite's first, on-demand compile of a route on a busy two-core
 * machine (puppeteer's 30 s default was exceeded there, never on a quiet one).
 */
export async function openPage(owner: Browser | BrowserContext): Promise<Page> {
  const page = await owner.newPage();
  page.setDefaultTimeout(90_000);
  return page;
}

/**
 * Logs in through the real form and waits for the landing page. (Never "networkidle0" here: the
 * pages keep an EventSource open, so the network is never idle.)
 */
export async function logIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`, { waitUntil: 'load' });
  await page.type('#email', email);
  await page.type('#password', password);
  await page.click('button[type="submit"]');
  await page.waitForFunction(() => location.pathname !== '/login' || document.querySelector('[role="alert"]'), { timeout: 90_000 });
  if (new URL(page.url()).pathname === '/login') {
    const message = await page.$eval('[role="alert"]', (el) => el.textContent);
    throw new Error(`login as ${email} failed: ${message}`);
  }
}
