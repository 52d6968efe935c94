// HTML → PDF with Debian's Chromium through puppeteer-core. Launching Chromium costs far more than
// printing a page, so a renderer launches it once and reuses it, with a fresh page per render (no
// state leaks from one document into the next); a crashed browser is relaunched on the next render.
import puppeteer, { type Browser, type Page, type PDFOptions } from 'puppeteer-core';
import { config } from './config';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

export interface PdfPageOptions {
  /** The running footer's text next to "Seite x von y", e.g. the document number; escaped. */
  footer?: string;
}

export interface PdfRenderer {
  renderPdf(html: string, options?: PdfPageOptions): Promise<Buffer>;
  close(): Promise<void>;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The footer is rendered by Chromium outside the page, without its styles: inline only.
const RUNNING_STYLE =
  'font-family: DejaVu Sans, sans-serif; font-size: 7.5pt; color: #555; width: 100%; margin: 0 14mm; display: flex; justify-content: space-between;';

/**
 * A4 with a running footer "… · Seite x von y". Chromium lays the footer out once per page as a
 * document of its own, so a header would cost as much again: the first page carries the heading.
 */
export function pdfOptions(options: PdfPageOptions = {}): PDFOptions {
  return {
    format: 'A4',
    printBackground: true,
    displayHeaderFooter: true,
    headerTemplate: '<span></span>',
    footerTemplate: `<div style="${RUNNING_STYLE}"><span>${escapeHtml(options.footer ?? '')}</span><span>Seite <span class="pageNumber"></span> von <span class="totalPages"></span></span></div>`,
    margin: { top: '12mm', bottom: '15mm', left: '14mm', right: '14mm' },
  };
}

export function launchChromium(executablePath = config().PUPPETEER_EXECUTABLE_PATH): Promise<Browser> {
  return puppeteer.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
}

/**
 * Prints `html` on a new page of `browser`. Our documents need no scripts and load nothing from
 * the network, so JavaScript is off and the content is complete at `load`.
 */
export async function printPage(browser: Browser, html: string, options: PDFOptions): Promise<Buffer> {
  const page = await browser.newPage();
  try {
    await page.setJavaScriptEnabled(false);
    await page.setContent(html, { waitUntil: 'load' });
    return Buffer.from(await page.pdf(options));
  } finally {
    await page.close();
  }
}

/**
 * `browser`: print with a browser the caller launched and will close (the benchmark compares
 * against raw printing in the same browser); otherwise the renderer launches and closes its own.
 * Pages are kept and reused: opening a tab costs about as much as laying out a two-page statement.
 */
export function createPdfRenderer(options: { executablePath?: string; browser?: Browser } = {}): PdfRenderer {
  let browser: Promise<Browser> | null = options.browser ? Promise.resolve(options.browser) : null;
  let idlePages: Page[] = [];

  const connected = (): Promise<Browser> => {
    browser ??= launchChromium(options.executablePath).then(
      (launched) => {
        launched.once('disconnected', () => {
          browser = null;
          idlePages = [];
        });
        return launched;
      },
      (error: unknown) => {
        browser = null;
        throw error;
      },
    );
    return browser;
  };

  const takePage = async (): Promise<Page> => {
    const idle = idlePages.pop();
    if (idle && !idle.isClosed()) return idle;
    const page = await (await connected()).newPage();
    await page.setJavaScriptEnabled(false);
    return page;
  };

  return {
    async renderPdf(html, pageOptions) {
      const page = await takePage();
      try {
        await page.setContent(html, { waitUntil: 'load' });
        const pdf = Buffer.from(await page.pdf(pdfOptions(pageOptions)));
        idlePages.push(page);
        return pdf;
      } catch (error) {
        // A page that failed may be in any state: never hand it out again.
        await page.close().catch(() => undefined);
        throw error;
      }
    },
    async close() {
      const current = browser;
      const pages = idlePages;
      browser = null;
      idlePages = [];
      await Promise.all(pages.map((page) => page.close().catch(() => undefined)));
      if (current && !options.browser) await (await current.catch(() => null))?.close();
    },
  };
}
