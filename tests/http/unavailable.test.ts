// The web server with its PostgreSQL gone (a port nobody listens on), over real HTTP: a request
// that needs the database gets the German "vorübergehend nicht erreichbar" page with 503 and
// Retry-After within seconds, not a stack trace, a generic 500 or a hang; a Remix data request
// (client navigation, form submission) gets a 503 whose German text the app's error boundary shows.
import { createCookie } from '@remix-run/node';
import { decode } from 'turbo-stream';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { SESSION_COOKIE_NAME } from '../../server/session';
import { freePort } from '../../scripts/lib/temporal';
import { startTestWebServer, type TestWebServer } from '../support/http';

let web: TestWebServer;

beforeAll(async () => {
  const url = new URL(inject('databaseUrl'));
  url.port = String(await freePort());
  process.env.DATABASE_URL = url.toString();
  process.env.SESSION_SECRET ??= 'test-session-secret-0123456789';
  web = await startTestWebServer();
  // The first request compiles the app; later ones measure the server, not Vite.
  await fetch(`${web.url}/login`);
}, 120_000);

afterAll(async () => {
  await web?.stop();
});

test('a login while PostgreSQL is unreachable answers 503 in German within 5 s', async () => {
  const started = Date.now();
  const response = await fetch(`${web.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: web.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'mieterin@example.de', password: 'irrelevant-passwort' }).toString(),
  });
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(response.status).toBe(503);
  expect(response.headers.get('Retry-After')).toBe('30');
  const html = await response.text();
  expect(html).toContain('Klarmeter ist vorübergehend nicht erreichbar');
  expect(html).toContain('Die Datenbank antwortet gerade nicht');
  expect(html).not.toMatch(/at .*\.ts:\d+/);
});

/** A single-fetch body decoded as Remix's client decodes it (an ErrorResponse becomes what the boundary gets). */
async function decodeSingleFetch(response: Response): Promise<unknown> {
  const decoded = await decode(response.body!, {
    plugins: [
      (type: string, ...rest: unknown[]) =>
        type === 'ErrorResponse' ? { value: { data: rest[0], status: rest[1], statusText: rest[2] } } : undefined,
    ],
  });
  await decoded.done;
  return decoded.value;
}

const OUTAGE_ERROR = {
  status: 503,
  data: {
    title: 'Klarmeter ist vorübergehend nicht erreichbar',
    text: expect.stringContaining('Die Datenbank antwortet gerade nicht') as unknown,
  },
};

test('a client navigation (single-fetch loader request) while PostgreSQL is unreachable gets 503 with the German text', async () => {
  // A signed session cookie: the root loader looks its session up in the database.
  const cookie = await createCookie(SESSION_COOKIE_NAME, { secrets: [process.env.SESSION_SECRET!] }).serialize('some-session-token');
  const started = Date.now();
  const response = await fetch(`${web.url}/geraete.data`, { headers: { Cookie: cookie.split(';')[0]! } });
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(response.status).toBe(503);
  expect(response.headers.get('Retry-After')).toBe('30');
  expect(await decodeSingleFetch(response)).toEqual({ root: { error: expect.objectContaining(OUTAGE_ERROR) as unknown } });
});

test('a form submitted by the app (single-fetch action request) while PostgreSQL is unreachable gets 503 with the German text', async () => {
  const response = await fetch(`${web.url}/login.data`, {
    method: 'POST',
    headers: { Origin: web.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'mieterin@example.de', password: 'irrelevant-passwort' }).toString(),
  });
  expect(response.status).toBe(503);
  expect(response.headers.get('Retry-After')).toBe('30');
  expect(await decodeSingleFetch(response)).toEqual({ error: expect.objectContaining(OUTAGE_ERROR) as unknown });
});

test('a legacy ?_data= request gets the German text as a caught 503', async () => {
  const response = await fetch(`${web.url}/login?_data=routes%2Flogin`, {
    method: 'POST',
    headers: { Origin: web.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'mieterin@example.de', password: 'irrelevant-passwort' }).toString(),
  });
  expect(response.status).toBe(503);
  expect(response.headers.get('X-Remix-Catch')).toBe('yes');
  expect(await response.json()).toEqual(OUTAGE_ERROR.data);
});
