// The web server with its PostgreSQL gone (a port nobody listens on), over real HTTP: a request
// that needs the database gets the German "vorübergehend nicht erreichbar" page with 503 and
// Retry-After within seconds, not a stack trace, a generic 500 or a hang.
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
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
