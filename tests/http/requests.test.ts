// The door of the web server, over real HTTP: every finding of issue 12's request section as it
// was reproduced (open redirect, 500 for cross-site POSTs, unlimited bodies, forged client IPs, a
// CSP of one directive) and what the server answers now.
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { trustProxySetting } from '../../scripts/web';
import { FORM_BODY_LIMIT_BYTES, UPLOAD_BODY_LIMITS } from '../../server/http-policy';
import { startTestWebServer, rawRequest, type TestWebServer } from '../support/http';
import { cookieFor, createWebFixture, testDb, TEST_PASSWORD, type WebFixture } from '../support/web';

const database = testDb();
let web: TestWebServer;
let f: WebFixture;
const READINGS = '/monatsinformationen/ablesungen';

beforeAll(async () => {
  f = await createWebFixture(database);
  web = await startTestWebServer();
  // The first request compiles the app; later ones measure the server, not Vite.
  await fetch(`${web.url}/login`);
}, 120_000);

afterAll(async () => {
  await web?.stop();
  await database.close();
});

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function postLogin(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${web.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: web.url, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: form(fields),
  });
}

describe('redirect after login', () => {
  test.each([
    ['/%09/evil.example', 'the issue’s finding: %09 decoded into the hidden field'],
    ['/\t/evil.example', 'a literal tab'],
    ['/\r\n/evil.example', 'CR/LF (answered 500 before)'],
    ['/\n/evil.example', 'LF'],
    ['/\\evil.example', 'a backslash'],
    ['/%5Cevil.example', 'an encoded backslash'],
    ['/%2F/evil.example', 'an encoded slash'],
    ['//evil.example', 'protocol-relative'],
    ['https://evil.example/', 'absolute'],
  ])('%j (%s) lands on the home page', async (redirectTo) => {
    const response = await postLogin({ email: f.manager.email, password: TEST_PASSWORD, redirectTo });
    expect(response.status).toBe(302);
    expect(response.headers.get('Location')).toBe('/dashboard');
  });

  test('a same-site path is kept', async () => {
    const response = await postLogin({ email: f.manager.email, password: TEST_PASSWORD, redirectTo: '/geraete?light=red' });
    expect(response.headers.get('Location')).toBe('/geraete?light=red');
  });
});

describe('cross-site requests', () => {
  test('a POST from another site gets 403 and a German page, and nothing is logged', async () => {
    const errors = vi.spyOn(console, 'error');
    try {
      const response = await postLogin({ email: f.manager.email, password: TEST_PASSWORD }, { Origin: 'https://evil.example' });
      expect(response.status).toBe(403);
      expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
      const page = await response.text();
      expect(page).toContain('<html lang="de">');
      expect(page).toContain('Anfrage abgelehnt');
      expect(response.headers.get('Set-Cookie')).toBeNull();
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });

  test('a POST with neither Origin nor Referer gets 403; a same-site Referer is enough', async () => {
    const body = form({ email: f.manager.email, password: TEST_PASSWORD });
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    expect((await rawRequest(`${web.url}/login`, { headers, body })).status).toBe(403);
    const withReferer = await rawRequest(`${web.url}/login`, { headers: { ...headers, Referer: `${web.url}/login` }, body });
    expect(withReferer.status).toBe(302);
  });

  test('a single-fetch data request from another site gets 403 too', async () => {
    const response = await fetch(`${web.url}/login.data`, {
      method: 'POST',
      headers: { Origin: 'https://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form({ email: f.manager.email, password: TEST_PASSWORD }),
    });
    expect(response.status).toBe(403);
  });
});

describe('body limits', () => {
  const html = { 'Content-Type': 'application/x-www-form-urlencoded', Origin: '' };
  beforeAll(() => {
    html.Origin = web.url;
  });

  test('a 25 MB form to /login is refused with 413 before it is read', async () => {
    const started = performance.now();
    const response = await rawRequest(`${web.url}/login`, {
      headers: html,
      body: `email=a%40b.de&password=${'x'.repeat(25 * 1024 * 1024)}`,
    });
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('Anfrage zu groß');
    expect(response.body).toContain('100 kB');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  test('a chunked form without Content-Length is cut off at 100 kB', async () => {
    const response = await rawRequest(`${web.url}/login`, {
      headers: html,
      chunked: true,
      chunkBytes: 16 * 1024,
      body: `email=a%40b.de&password=${'x'.repeat(FORM_BODY_LIMIT_BYTES + 1)}`,
    });
    expect(response.status).toBe(413);
    expect(response.body).toContain('100 kB');
  });

  test('a form just under the limit passes the door (and gets the form’s own German answer)', async () => {
    const response = await rawRequest(`${web.url}/login`, {
      headers: html,
      chunked: true,
      body: `email=a%40b.de&password=${'x'.repeat(FORM_BODY_LIMIT_BYTES - 100)}`,
    });
    expect(response.status).toBe(200);
    expect(response.body).toContain('Das Passwort ist zu lang');
  });

  function multipart(file: Buffer, boundary = 'klarmeterboundary') {
    return Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="intent"\r\n\r\nimport\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n`,
      ),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
  }

  test('the readings import: a chunked 22 MB upload is refused at its 20 MB cap', async () => {
    const cookie = await cookieFor(f.manager);
    const response = await rawRequest(`${web.url}${READINGS}`, {
      headers: { Cookie: cookie, Origin: web.url, 'Content-Type': 'multipart/form-data; boundary=klarmeterboundary' },
      chunked: true,
      body: multipart(Buffer.alloc(22 * 1024 * 1024, 'a')),
    });
    expect(response.status).toBe(413);
    expect(response.body).toContain('20 MB');
  });

  test('the readings import: a declared 21 MB body is refused without reading it', async () => {
    const cookie = await cookieFor(f.manager);
    const response = await rawRequest(`${web.url}${READINGS}`, {
      headers: {
        Cookie: cookie,
        Origin: web.url,
        'Content-Type': 'multipart/form-data; boundary=klarmeterboundary',
        'Content-Length': String(21 * 1024 * 1024),
      },
      body: Buffer.alloc(1024),
    });
    expect(response.status).toBe(413);
  });

  test('the readings import accepts a file over the form limit but under its own', async () => {
    expect(UPLOAD_BODY_LIMITS[READINGS]).toBe(20 * 1024 * 1024);
    const cookie = await cookieFor(f.manager);
    const header = 'Zählernummer;Zeitpunkt;Wert;Einheit\n';
    const line = `UNBEKANNT-1;01.01.2026 00:00;1;m³\n`;
    const csv = Buffer.from(header + line.repeat(Math.ceil((300 * 1024) / line.length)));
    const response = await rawRequest(`${web.url}${READINGS}`, {
      headers: { Cookie: cookie, Origin: web.url, 'Content-Type': 'multipart/form-data; boundary=klarmeterboundary' },
      chunked: true,
      body: multipart(csv),
    });
    expect(response.status).toBe(200);
    expect(response.body).toContain('unbekannte Zählernummer');
  });
});

describe('client IP', () => {
  test('X-Forwarded-For from a client is not believed without TRUST_PROXY', async () => {
    const response = await postLogin({ email: f.technician.email, password: TEST_PASSWORD }, { 'X-Forwarded-For': '203.0.113.66' });
    expect(response.status).toBe(302);
    const sessions = await database.models.Session.findAll({ where: { userId: f.technician.id }, raw: true });
    expect(sessions.map((s) => s.ip)).not.toContain('203.0.113.66');
    expect(sessions.at(-1)?.ip).toMatch(/127\.0\.0\.1|::1/);
  });

  test.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['true', true],
    ['1', 1],
    ['loopback', 'loopback'],
    ['10.0.0.5, 10.1.0.0/16', '10.0.0.5, 10.1.0.0/16'],
  ])('TRUST_PROXY=%j → trust proxy %j', (value, expected) => {
    expect(trustProxySetting(value)).toBe(expected);
  });
});

describe('security headers', () => {
  test('a page has a strict CSP whose nonce its inline scripts carry, fresh per response', async () => {
    const first = await fetch(`${web.url}/login`);
    const second = await fetch(`${web.url}/login`);
    const csp = first.headers.get('Content-Security-Policy')!;
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/) as [string, ...string[]])
        .map(([k, ...v]) => [k, v]),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    const nonce = directives
      .get('script-src')!
      .find((v) => v.startsWith("'nonce-"))!
      .slice(7, -1);
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(directives.get('script-src')).not.toContain("'unsafe-inline'");
    const page = await first.text();
    const scripts = [...page.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(second.headers.get('Content-Security-Policy')).not.toContain(nonce);
    expect(first.headers.get('Permissions-Policy')).toContain('camera=()');
    expect(first.headers.get('Permissions-Policy')).toContain('geolocation=()');
  });
});
