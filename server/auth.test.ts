// Log-in and log-out against the real database: what the cookie looks like, what the audit log
// records and that log-out revokes the server-side session. Throttling: login-throttle.test.ts.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { QueryTypes } from 'sequelize';
import type { User } from '../db';
import { createOrgFixture } from '../tests/support/fixtures';
import { closeWebResources, createLoginUser, dataOf, makeRequest, run, testDb, TEST_PASSWORD } from '../tests/support/web';
import { action as loginAction } from '../app/routes/login';
import { action as logoutAction } from '../app/routes/logout';
import { loader as registerLoader } from '../app/routes/geraete._index';
import { LOGIN_MESSAGES } from './auth';
import { sessionKey } from './session';

const database = testDb();
let user: User;

beforeAll(async () => {
  const org = await createOrgFixture(database);
  user = await createLoginUser(database, org.organisation.id, 'manager');
});

afterAll(closeWebResources);

function loginRequest(email: string, password: string, base = 'http://klarmeter.test') {
  return new Request(`${base}/login`, {
    method: 'POST',
    headers: { Origin: base, 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'vitest-browser' },
    body: new URLSearchParams({ email, password, redirectTo: '/geraete?light=red' }),
  });
}

async function auditOf(action: string, actor: string) {
  return database.models.AuditEntry.findAll({ where: { action, actor }, order: [['id', 'ASC']], raw: true });
}

async function sessionRows(userId: number) {
  return database.models.Session.findAll({ where: { userId }, raw: true });
}

describe('login', () => {
  test('a wrong password fails with a German message and is audited with the IP', async () => {
    const outcome = await run(loginAction, loginRequest(user.email, 'falsch'), {}, { clientIp: '198.51.100.23' });
    expect(dataOf(outcome)).toMatchObject({ error: LOGIN_MESSAGES.invalid });
    expect(await sessionRows(user.id)).toEqual([]);
    const [entry] = await auditOf('login_failed', user.email);
    expect(entry).toMatchObject({
      actorId: user.id,
      organisationId: user.organisationId,
      ip: '198.51.100.23',
      details: { reason: 'wrong_password' },
    });
  });

  test('an unknown address fails the same way', async () => {
    const email = `niemand-${Date.now()}@example.org`;
    expect(dataOf(await run(loginAction, loginRequest(email, 'x')))).toMatchObject({ error: LOGIN_MESSAGES.invalid });
    expect((await auditOf('login_failed', email))[0]).toMatchObject({ actorId: null, details: { reason: 'unknown_user' } });
  });

  test('the right password starts an 8-hour session in an HttpOnly, SameSite=Lax cookie and goes back', async () => {
    const outcome = await run(loginAction, loginRequest(` ${user.email.toUpperCase()} `, TEST_PASSWORD), {}, { clientIp: '198.51.100.24' });
    if (outcome.kind !== 'response') throw new Error('expected a redirect');
    expect(outcome.status).toBe(302);
    expect(outcome.response.headers.get('Location')).toBe('/geraete?light=red');
    const cookie = outcome.response.headers.get('Set-Cookie')!;
    expect(cookie).toMatch(/^__klarmeter=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Max-Age=28800/);
    expect(cookie).not.toMatch(/Secure/); // plain http and COOKIE_SECURE=auto
    const [row] = await sessionRows(user.id);
    expect(row).toMatchObject({ ip: '198.51.100.24', userAgent: 'vitest-browser' });
    expect(row!.expiresAt.getTime() - Date.now()).toBeGreaterThan(7.9 * 3600_000);
    expect((await auditOf('login', user.email)).at(-1)).toMatchObject({ actorId: user.id, ip: '198.51.100.24' });
    // The cookie holds a token whose hash (not the token) is the row's key.
    expect(cookie).not.toContain(row!.id);
  });

  test('over https (COOKIE_SECURE=auto) the cookie is Secure', async () => {
    const outcome = await run(loginAction, loginRequest(user.email, TEST_PASSWORD, 'https://klarmeter.test'));
    expect(outcome.kind === 'response' && outcome.response.headers.get('Set-Cookie')).toMatch(/; Secure/);
  });

  test('invalid input is answered per field', async () => {
    const outcome = await run(loginAction, loginRequest('kein-at-zeichen', ''));
    expect(dataOf(outcome).fieldErrors).toEqual({
      email: 'Bitte geben Sie eine gültige E-Mail-Adresse ein.',
      password: 'Bitte geben Sie Ihr Passwort ein.',
    });
  });

  test('redirectTo never leaves the site', async () => {
    const request = new Request('http://klarmeter.test/login', {
      method: 'POST',
      headers: { Origin: 'http://klarmeter.test', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: user.email, password: TEST_PASSWORD, redirectTo: '//evil.example/phish' }),
    });
    const outcome = await run(loginAction, request);
    expect(outcome.kind === 'response' && outcome.response.headers.get('Location')).toBe('/dashboard');
  });
});

describe('logout', () => {
  test('revokes the session row, clears the cookie and is audited', async () => {
    const login = await run(loginAction, loginRequest(user.email, TEST_PASSWORD));
    if (login.kind !== 'response') throw new Error('expected a redirect');
    const cookie = login.response.headers.get('Set-Cookie')!.split(';')[0];
    expect(dataOf(await run(registerLoader, makeRequest('/geraete', { cookie }))).page).toBeDefined();
    const before = await sessionRows(user.id);

    const outcome = await run(logoutAction, makeRequest('/logout', { cookie, form: {} }), {}, { clientIp: '198.51.100.99' });
    if (outcome.kind !== 'response') throw new Error('expected a redirect');
    expect(outcome.response.headers.get('Location')).toBe('/login');
    expect(outcome.response.headers.get('Set-Cookie')).toMatch(/__klarmeter=;.*Max-Age=0/);

    const after = await sessionRows(user.id);
    expect(after).toHaveLength(before.length - 1);
    // The old cookie is worthless now, even if someone kept it.
    const reused = await run(registerLoader, makeRequest('/geraete', { cookie }));
    expect(reused.kind === 'response' && reused.response.headers.get('Location')).toMatch(/^\/login/);
    expect((await auditOf('logout', user.email)).at(-1)).toMatchObject({ actorId: user.id, ip: '198.51.100.99' });
  });

  test('an expired session is no session', async () => {
    const login = await run(loginAction, loginRequest(user.email, TEST_PASSWORD));
    if (login.kind !== 'response') throw new Error('expected a redirect');
    const cookie = login.response.headers.get('Set-Cookie')!.split(';')[0];
    await database.sequelize.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = :userId`, {
      replacements: { userId: user.id },
      type: QueryTypes.UPDATE,
    });
    const outcome = await run(registerLoader, makeRequest('/geraete', { cookie }));
    expect(outcome.kind === 'response' && outcome.status).toBe(302);
  });

  test('session keys are SHA-256 hex of the token', () => {
    expect(sessionKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
