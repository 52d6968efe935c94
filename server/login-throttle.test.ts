// Login throttling against the real database and the real login action (issue 12, item 2): the
// hard lock-out is gone, the count is atomic, delays grow exponentially, one source cannot spray
// passwords across accounts, and a browser where the user logged in before still gets in.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { QueryTypes } from 'sequelize';
import type { User } from '../db';
import { createOrgFixture } from '../tests/support/fixtures';
import { closeWebResources, createLoginUser, dataOf, run, testDb, TEST_PASSWORD } from '../tests/support/web';
import { action as loginAction } from '../app/routes/login';
import { DEVICE_COOKIE_NAME, THROTTLE_POLICIES, formatWait, throttleDelayMs } from './login-throttle';

const database = testDb();
let organisationId: number;

beforeAll(async () => {
  organisationId = (await createOrgFixture(database)).organisation.id;
});

afterAll(closeWebResources);

let ipCounter = 0;
/** A source address of its own per use (TEST-NET-2 plus a run-unique part), so tests never share an IP key. */
function freshIp(): string {
  ipCounter += 1;
  return `198.51.${(process.pid + ipCounter) % 250}.${ipCounter % 250}-${Date.now().toString(36)}`;
}

function loginRequest(email: string, password: string, cookie?: string) {
  const headers = new Headers({ Origin: 'http://klarmeter.test', 'Content-Type': 'application/x-www-form-urlencoded' });
  if (cookie) headers.set('Cookie', cookie);
  return new Request('http://klarmeter.test/login', { method: 'POST', headers, body: new URLSearchParams({ email, password }) });
}

async function attempt(email: string, password: string, ip: string, cookie?: string) {
  const outcome = await run(loginAction, loginRequest(email, password, cookie), {}, { clientIp: ip });
  if (outcome.kind === 'response') {
    const cookies = outcome.response.headers.getSetCookie();
    const device = cookies.find((c) => c.startsWith(`${DEVICE_COOKIE_NAME}=`))?.split(';')[0];
    return { ok: outcome.status === 302, message: null, device };
  }
  return { ok: false, message: outcome.data.error, device: undefined };
}

async function row(key: string) {
  const [found] = await database.sequelize.query<{ failures: number; refused: number; delayMs: number }>(
    `SELECT failures, refused, round(extract(epoch FROM next_attempt_at - last_attempt_at) * 1000)::int AS "delayMs"
       FROM login_throttle WHERE key = :key`,
    { replacements: { key }, type: QueryTypes.SELECT },
  );
  return found;
}

/** Lets the current wait pass (what the clock would do). */
async function waitOver(key: string) {
  await database.sequelize.query(`UPDATE login_throttle SET next_attempt_at = clock_timestamp() - interval '1 second' WHERE key = :key`, {
    replacements: { key },
  });
}

async function audits(email: string) {
  const rows = await database.models.AuditEntry.findAll({ where: { action: 'login_failed', actor: email }, raw: true });
  return rows.map((r) => (r.details as { reason: string }).reason);
}

describe('the delay rule', () => {
  test('free attempts, then doubling, capped', () => {
    const policy = THROTTLE_POLICIES.account;
    const delays = Array.from({ length: 22 }, (_, i) => throttleDelayMs(i + 1, policy));
    expect(delays.slice(0, policy.free - 1)).toEqual([0, 0, 0, 0]);
    expect(delays.slice(policy.free - 1, policy.free + 3)).toEqual([1000, 2000, 4000, 8000]);
    expect(Math.max(...delays)).toBe(policy.maxMs);
    expect(throttleDelayMs(10_000, policy)).toBe(policy.maxMs);
  });

  test('waits are stated in German, rounded up', () => {
    expect(formatWait(400)).toBe('1 Sekunde');
    expect(formatWait(4_000)).toBe('4 Sekunden');
    expect(formatWait(61_000)).toBe('2 Minuten');
    expect(formatWait(15 * 60_000)).toBe('15 Minuten');
  });
});

describe('login throttling', () => {
  let victim: User;
  beforeAll(async () => {
    victim = await createLoginUser(database, organisationId, 'manager');
  });

  test('40 concurrent bad logins count 40, and only the free ones (and those after a wait) reach the password check', async () => {
    const ip = freshIp();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(victim.email, `falsch-${i}`, ip)));
    const checked = results.filter((r) => r.message === 'E-Mail-Adresse oder Passwort ist falsch.').length;
    const refused = results.filter((r) => r.message?.startsWith('Zu viele fehlgeschlagene Anmeldeversuche')).length;
    expect(checked + refused).toBe(40);
    // The free five, plus at most a few whose wait (1 s, 2 s, …) ran out while the burst was still being checked.
    expect(checked).toBeGreaterThanOrEqual(THROTTLE_POLICIES.account.free);
    expect(checked).toBeLessThanOrEqual(THROTTLE_POLICIES.account.free + 3);
    expect(await row(`account:${victim.email}`)).toMatchObject({ failures: checked, refused });
    expect(await row(`ip:${ip}`)).toMatchObject({ failures: checked, refused });
    const reasons = await audits(victim.email);
    expect(reasons.filter((r) => r === 'wrong_password')).toHaveLength(checked);
    expect(reasons.filter((r) => r === 'throttled')).toHaveLength(refused);
  });

  /**
   * An attacker's burst of 40 concurrent guesses, then more whenever the account's wait has run out
   * (the clock is moved on instead of waited for), until the wait is at least a minute.
   */
  async function attackerBursts(email: string, ip: string): Promise<void> {
    const key = `account:${email}`;
    let size = 40;
    while (((await row(key))?.delayMs ?? 0) < 60_000) {
      await waitOver(key);
      await Promise.all(Array.from({ length: size }, (_, i) => attempt(email, `rate-${i}`, ip)));
      size = 4;
    }
  }

  test('the real user still gets in from their own browser after an attacker’s bursts', async () => {
    const user = await createLoginUser(database, organisationId, 'tenant');
    const home = freshIp();
    const attacker = freshIp();
    // Monday: the user logs in at home; the browser keeps the signed device cookie.
    const monday = await attempt(user.email, TEST_PASSWORD, home);
    expect(monday.ok).toBe(true);
    expect(monday.device).toBeDefined();

    await attackerBursts(user.email, attacker);
    // Even the right password is not checked for the attacker now …
    const guessed = await attempt(user.email, TEST_PASSWORD, attacker);
    expect(guessed.ok).toBe(false);
    expect(guessed.message).toMatch(/^Zu viele fehlgeschlagene Anmeldeversuche\. Bitte warten Sie \d+ Minuten? und/);
    // … nor for a browser that never logged in as this user (the account is slowed, from anywhere) …
    expect((await attempt(user.email, TEST_PASSWORD, home)).ok).toBe(false);
    // … but the user's own browser gets in at once, and its cookie is renewed.
    const tuesday = await attempt(user.email, TEST_PASSWORD, home, monday.device);
    expect(tuesday.ok).toBe(true);
    expect(tuesday.device).toBeDefined();
    expect(tuesday.device).not.toBe(monday.device);
    // From another network too: the cookie decides, not the address.
    expect((await attempt(user.email, TEST_PASSWORD, freshIp(), tuesday.device)).ok).toBe(true);
  });

  test('a device cookie counts only for the user it was issued to, and a forged one for nobody', async () => {
    const owner = await createLoginUser(database, organisationId, 'owner');
    const other = await createLoginUser(database, organisationId, 'owner');
    const ip = freshIp();
    const { device } = await attempt(owner.email, TEST_PASSWORD, ip);
    await attackerBursts(other.email, freshIp());
    expect((await attempt(other.email, TEST_PASSWORD, ip, device)).message).toMatch(/^Zu viele/);
    const forged = `${DEVICE_COOKIE_NAME}=${Buffer.from(JSON.stringify({ userId: other.id, deviceId: 'a'.repeat(24) })).toString('base64')}`;
    expect((await attempt(other.email, TEST_PASSWORD, ip, forged)).message).toMatch(/^Zu viele/);
    expect((await attempt(owner.email, TEST_PASSWORD, ip, device)).ok).toBe(true);
  });

  test('the known device has its own exponential delay for wrong passwords', async () => {
    const user = await createLoginUser(database, organisationId, 'technician');
    const ip = freshIp();
    const { device } = await attempt(user.email, TEST_PASSWORD, ip);
    const deviceRows = await database.sequelize.query<{ key: string }>(`SELECT key FROM login_throttle WHERE key LIKE :prefix`, {
      replacements: { prefix: `device:${user.id}:%` },
      type: QueryTypes.SELECT,
    });
    expect(deviceRows).toEqual([]); // a success leaves no row behind
    for (let i = 0; i < THROTTLE_POLICIES.device.free; i++) {
      expect((await attempt(user.email, `falsch-${i}`, ip, device)).message).toBe('E-Mail-Adresse oder Passwort ist falsch.');
    }
    const [key] = await database.sequelize.query<{ key: string; delayMs: number }>(
      `SELECT key, round(extract(epoch FROM next_attempt_at - last_attempt_at) * 1000)::int AS "delayMs" FROM login_throttle WHERE key LIKE :prefix`,
      { replacements: { prefix: `device:${user.id}:%` }, type: QueryTypes.SELECT },
    );
    expect(key?.delayMs).toBe(THROTTLE_POLICIES.device.baseMs);
    // The account itself was never counted: the device's failures are its own.
    expect(await row(`account:${user.email}`)).toBeUndefined();
  });

  test('no hard lock: the delay doubles per failure up to its cap, and after it the right password works', async () => {
    const user = await createLoginUser(database, organisationId, 'compliance');
    const ip = freshIp();
    const key = `account:${user.email}`;
    const policy = THROTTLE_POLICIES.account;
    const delays: number[] = [];
    for (let i = 0; i < policy.free + 4; i++) {
      expect((await attempt(user.email, `falsch-${i}`, ip)).message).toBe('E-Mail-Adresse oder Passwort ist falsch.');
      delays.push((await row(key))!.delayMs);
      await waitOver(key);
    }
    expect(delays).toEqual([0, 0, 0, 0, 1000, 2000, 4000, 8000, 16000]);
    await database.sequelize.query(`UPDATE login_throttle SET failures = 40 WHERE key = :key`, { replacements: { key } });
    await attempt(user.email, 'falsch', ip);
    expect((await row(key))!.delayMs).toBe(policy.maxMs);
    expect((await attempt(user.email, TEST_PASSWORD, freshIp())).ok).toBe(false);
    await waitOver(key);
    expect((await attempt(user.email, TEST_PASSWORD, freshIp())).ok).toBe(true);
    expect(await row(key)).toBeUndefined();
  });

  test('password spraying: one source is slowed across accounts, others are not', async () => {
    const sprayer = freshIp();
    const target = await createLoginUser(database, organisationId, 'manager');
    const free = THROTTLE_POLICIES.ip.free;
    for (let i = 0; i < free; i++) {
      expect((await attempt(`opfer-${i}-${sprayer}@example.org`, 'Sommer2026!', sprayer)).message).toBe(
        'E-Mail-Adresse oder Passwort ist falsch.',
      );
    }
    // The 21st account never failed before, yet this source has to wait (even with the right password).
    expect((await attempt(target.email, TEST_PASSWORD, sprayer)).message).toMatch(/^Zu viele/);
    expect(await row(`ip:${sprayer}`)).toMatchObject({ failures: free, refused: 1, delayMs: THROTTLE_POLICIES.ip.baseMs });
    // Another source logs in to the same account at once.
    expect((await attempt(target.email, TEST_PASSWORD, freshIp())).ok).toBe(true);
  });

  test('logging in to one’s own account does not reset a source’s count across accounts', async () => {
    const ip = freshIp();
    const user = await createLoginUser(database, organisationId, 'owner');
    for (let i = 0; i < 3; i++) await attempt(`niemand-${i}-${ip}@example.org`, 'x', ip);
    expect((await row(`ip:${ip}`))!.failures).toBe(3);
    expect((await attempt(user.email, TEST_PASSWORD, ip)).ok).toBe(true);
    expect((await row(`ip:${ip}`))!.failures).toBe(3);
  });

  test('unknown addresses are throttled exactly like known ones', async () => {
    const ip = freshIp();
    const email = `niemand-${ip}@example.org`;
    const messages = [];
    for (let i = 0; i < THROTTLE_POLICIES.account.free + 1; i++) messages.push((await attempt(email, 'x', ip)).message);
    expect(messages.at(-1)).toMatch(/^Zu viele/);
    expect(messages.slice(0, -1).every((m) => m === 'E-Mail-Adresse oder Passwort ist falsch.')).toBe(true);
    expect(dataOf(await run(loginAction, loginRequest(email, 'x'), {}, { clientIp: freshIp() })).error).toMatch(/^Zu viele/);
  });
});
