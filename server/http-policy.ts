// What every HTTP answer of the portal promises before any route runs: how large a request body may
// be, which scripts and styles a page may load (CSP with a nonce per response), which browser
// features it may use, and the German pages for requests refused at the door (403, 413).
import { randomBytes } from 'node:crypto';
import { formatNumber } from '../domain/format';

const KB = 1024;
const MB = 1024 * KB;

/** Forms: far above any field's limit (the longest is 5,000 characters), far below a memory problem. */
export const FORM_BODY_LIMIT_BYTES = 100 * KB;

/** Routes that accept uploads, by path, with their own cap. Every other route gets FORM_BODY_LIMIT_BYTES. */
export const UPLOAD_BODY_LIMITS: Readonly<Record<string, number>> = {
  // The readings import: a year of a large portfolio's radio readings as CSV.
  '/monatsinformationen/ablesungen': 20 * MB,
};

/** The route a request path belongs to: without Remix's `.data` suffix (single fetch) and trailing slash. */
function routePath(pathname: string): string {
  const path = pathname.replace(/\.data$/, '').replace(/\/+$/, '');
  return path === '' || path === '/_root' ? '/' : path;
}

export function bodyLimitFor(pathname: string): number {
  return UPLOAD_BODY_LIMITS[routePath(pathname)] ?? FORM_BODY_LIMIT_BYTES;
}

/** "100 kB", "20 MB": the limit as the refusal page states it. */
export function formatBytes(bytes: number): string {
  return bytes >= MB ? `${formatNumber(bytes / MB)} MB` : `${formatNumber(Math.ceil(bytes / KB))} kB`;
}

/** 128 random bits per response, base64 as CSP wants it. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

export interface CspOptions {
  nonce: string;
  /** Vite's development server: hot reload over a WebSocket and styles injected by script. */
  dev: boolean;
  /** `sha256-…` of inline <style> blocks the app embeds verbatim (the statement document). */
  styleHashes?: readonly string[];
}

/**
 * A strict policy: scripts only from our origin and only with this response's nonce for inline
 * ones (Remix's hydration data, scroll restoration); no plugins, no <base>, forms only to us, never
 * framed. Style attributes stay allowed (React's `style={{ width }}` progress bars and the statement
 * document's layout); they cannot load anything, and `<style>` elements need a nonce or a known hash.
 */
export function contentSecurityPolicy({ nonce, dev, styleHashes = [] }: CspOptions): string {
  const styles = dev ? ["'self'", "'unsafe-inline'"] : ["'self'", `'nonce-${nonce}'`, ...styleHashes.map((hash) => `'${hash}'`)];
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", `'nonce-${nonce}'`],
    'style-src': styles,
    'style-src-attr': ["'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': dev ? ["'self'", 'ws:', 'wss:'] : ["'self'"],
    // The development mail sink shows mails in a sandboxed srcdoc frame.
    'frame-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** Browser features the portal never uses, switched off for it and anything it might embed. */
export const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'autoplay=()',
  'camera=()',
  'display-capture=()',
  'geolocation=()',
  'gyroscope=()',
  'hid=()',
  'magnetometer=()',
  'microphone=()',
  'midi=()',
  'payment=()',
  'publickey-credentials-get=()',
  'serial=()',
  'usb=()',
  'browsing-topics=()',
].join(', ');

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export interface RefusalPage {
  status: number;
  html: string;
}

function page(status: number, title: string, text: string): RefusalPage {
  return {
    status,
    html: `<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Klarmeter</title></head>
<body>
<main>
<p>Fehler ${status}</p>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(text)}</p>
<p><a href="/">Zur Startseite</a></p>
</main>
</body>
</html>
`,
  };
}

/** 403 for a state-changing request that did not come from one of our own pages. */
export function crossSiteRefusal(): RefusalPage {
  return page(
    403,
    'Anfrage abgelehnt',
    'Die Anfrage kam nicht von einer Seite des Portals und wurde deshalb nicht ausgeführt. Bitte öffnen Sie das Formular im Portal und senden Sie es dort erneut ab.',
  );
}

/** 413 for a body over the route's limit, naming the limit. */
export function tooLargeRefusal(limitBytes: number): RefusalPage {
  return page(
    413,
    'Anfrage zu groß',
    `Die gesendeten Daten überschreiten die zulässige Größe von ${formatBytes(limitBytes)}. Bitte kürzen Sie Ihre Eingabe oder teilen Sie die Datei auf.`,
  );
}
