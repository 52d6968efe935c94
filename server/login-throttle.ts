// Login throttling that slows guessing without locking anybody out (OWASP: exponential delay per
// account and per source IP, and a device cookie that exempts the owner's own browser).
//
// Each attempt is counted under a row lock on its keys before the password is checked:
// - `account:<e-mail>`: guesses at one account from anywhere;
// - `ip:<address>`: guesses from one source across all accounts (password spraying);
// - `device:<user>:<id>`: guesses from a browser where that user has logged in before. Such a browser
//   presents a signed device cookie and is counted on this key alone, so an attacker's burst against
//   the account (or from the user's shared network) does not keep the real user out.
// Up to `free` failures a key checks passwords at once; after that the next check waits
// base·2^(failures−free), at most `max`. Attempts during the wait are refused without checking the
// password (counted as refused; the wait runs on from the last checked attempt). A successful login
// clears the account and device keys; the IP key forgets that attempt only. Keys without a checked
// attempt for a day start afresh.
import { randomBytes } from 'node:crypto';
import { createCookie, type Cookie } from '@remix-run/node';
import { QueryTypes, type Transaction } from 'sequelize';
import { db } from './db';
import { config, requireConfig } from './config';

export type ThrottleKind = 'account' | 'ip' | 'device';

export interface ThrottlePolicy {
  /** Failures checked without delay. */
  free: number;
  baseMs: number;
  maxMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const THROTTLE_POLICIES: Readonly<Record<ThrottleKind, ThrottlePolicy>> = {
  account: { free: 5, baseMs: SECOND, maxMs: 15 * MINUTE },
  ip: { free: 20, baseMs: SECOND, maxMs: 60 * MINUTE },
  device: { free: 10, baseMs: SECOND, maxMs: 15 * MINUTE },
};

/** A key without attempts for this long starts afresh (and is swept). */
export const FORGET_AFTER_MS = 24 * 60 * MINUTE;

/** The wait before the next password check after `failures` failures. */
export function throttleDelayMs(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.free) return 0;
  return Math.min(policy.baseMs * 2 ** Math.min(failures - policy.free, 30), policy.maxMs);
}

/** "45 Sekunden", "1 Minute", "15 Minuten": the wait as the login form states it (rounded up). */
export function formatWait(ms: number): string {
  if (ms <= 60 * SECOND) {
    const seconds = Math.max(1, Math.ceil(ms / SECOND));
    return seconds === 1 ? '1 Sekunde' : `${seconds} Sekunden`;
  }
  const minutes = Math.ceil(ms / MINUTE);
  return minutes === 1 ? '1 Minute' : `${minutes} Minuten`;
}

export function throttledMessage(retryAfterMs: number): string {
  return (
    `Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie ${formatWait(retryAfterMs)} und versuchen Sie es dann erneut. ` +
    'Auf einem Gerät, mit dem Sie sich hier schon angemeldet haben, ist die Anmeldung weiterhin möglich.'
  );
}

// ---- the device cookie ----

export const DEVICE_COOKIE_NAME = '__klarmeter_device';
const DEVICE_COOKIE_MAX_AGE_S = 180 * 24 * 60 * 60;

export interface KnownDevice {
  userId: number;
  deviceId: string;
}

let deviceCookie: Cookie | undefined;

/** Signed with the session secret: only the server can say "this browser logged in as user N". */
function knownDeviceCookie(): Cookie {
  deviceCookie ??= createCookie(DEVICE_COOKIE_NAME, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    maxAge: DEVICE_COOKIE_MAX_AGE_S,
    secrets: [requireConfig('SESSION_SECRET').SESSION_SECRET],
  });
  return deviceCookie;
}

/** The browser's device cookie, if it carries a valid signature; else null. */
export async function knownDeviceOf(request: Request): Promise<KnownDevice | null> {
  const value: unknown = await knownDeviceCookie().parse(request.headers.get('Cookie'));
  if (!value || typeof value !== 'object') return null;
  const { userId, deviceId } = value as Partial<KnownDevice>;
  return typeof userId === 'number' && typeof deviceId === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(deviceId)
    ? { userId, deviceId }
    : null;
}

/** Set at every successful login: the browser is known for this user from now on (a fresh id each time). */
export function serializeKnownDevice(userId: number, request: Request): Promise<string> {
  const setting = config().COOKIE_SECURE;
  const secure = setting === 'auto' ? new URL(request.url).protocol === 'https:' : setting === 'true';
  return knownDeviceCookie().serialize({ userId, deviceId: randomBytes(18).toString('base64url') } satisfies KnownDevice, { secure });
}

// ---- counting ----

export interface LoginAttempt {
  email: string;
  ip: string | null;
  /** The user the e-mail address belongs to (null: unknown address). */
  userId: number | null;
  device: KnownDevice | null;
}

interface Key {
  key: string;
  kind: ThrottleKind;
}

/** The keys an attempt counts on: a matching device cookie alone, else the account and the source IP. */
export function throttleKeys(attempt: LoginAttempt): Key[] {
  if (attempt.device && attempt.userId !== null && attempt.device.userId === attempt.userId) {
    return [{ key: `device:${attempt.userId}:${attempt.device.deviceId}`, kind: 'device' }];
  }
  const keys: Key[] = [{ key: `account:${attempt.email}`, kind: 'account' }];
  if (attempt.ip) keys.push({ key: `ip:${attempt.ip}`, kind: 'ip' });
  return keys;
}

export type LoginGate = { allowed: true; keys: Key[] } | { allowed: false; keys: Key[]; retryAfterMs: number; kinds: ThrottleKind[] };

interface Row {
  key: string;
  failures: number;
  lastAttemptMs: number;
  nextAttemptMs: number;
  nowMs: number;
}

/**
 * Reserves one password check for an attempt, or refuses it. Runs under row locks on the attempt's
 * keys (taken in key order, so concurrent attempts cannot deadlock): 40 concurrent attempts are
 * counted as 40, and only as many reach the password check as the policies allow.
 */
export async function reserveLoginAttempt(attempt: LoginAttempt): Promise<LoginGate> {
  const keys = throttleKeys(attempt);
  const kindOf = new Map(keys.map((k) => [k.key, k.kind]));
  const sequelize = db().sequelize;
  return sequelize.transaction(async (transaction: Transaction) => {
    const names = keys.map((k) => k.key);
    await sequelize.query(`INSERT INTO login_throttle (key) SELECT unnest(ARRAY[:names]::text[]) ORDER BY 1 ON CONFLICT (key) DO NOTHING`, {
      replacements: { names },
      transaction,
    });
    const rows = await sequelize.query<Row>(
      `SELECT key, failures,
              extract(epoch FROM last_attempt_at) * 1000 AS "lastAttemptMs",
              extract(epoch FROM next_attempt_at) * 1000 AS "nextAttemptMs",
              extract(epoch FROM clock_timestamp()) * 1000 AS "nowMs"
         FROM login_throttle WHERE key IN (:names) ORDER BY key FOR UPDATE`,
      { replacements: { names }, type: QueryTypes.SELECT, transaction },
    );
    const current = rows.map((row) => {
      const nowMs = Number(row.nowMs);
      const stale = nowMs - Number(row.lastAttemptMs) > FORGET_AFTER_MS;
      return {
        key: row.key,
        kind: kindOf.get(row.key)!,
        nowMs,
        failures: stale ? 0 : row.failures,
        waitMs: stale ? 0 : Math.max(0, Number(row.nextAttemptMs) - nowMs),
      };
    });
    const waiting = current.filter((row) => row.waitMs > 0);
    if (waiting.length > 0) {
      // Counted, but the wait stays as it is: it runs from the last checked attempt.
      await sequelize.query(`UPDATE login_throttle SET refused = refused + 1 WHERE key IN (:names)`, {
        replacements: { names },
        transaction,
      });
      return {
        allowed: false,
        keys,
        retryAfterMs: Math.max(...waiting.map((row) => row.waitMs)),
        kinds: waiting.map((row) => row.kind),
      };
    }
    // Counted as a failure now; a success takes it back (forgetSuccessfulAttempt).
    for (const row of current) {
      const failures = row.failures + 1;
      await sequelize.query(
        `UPDATE login_throttle
            SET failures = :failures,
                refused = CASE WHEN :fresh THEN 0 ELSE refused END,
                last_attempt_at = to_timestamp(:nowMs / 1000.0),
                next_attempt_at = to_timestamp(:nowMs / 1000.0) + make_interval(secs => :delayMs / 1000.0)
          WHERE key = :key`,
        {
          replacements: {
            key: row.key,
            failures,
            fresh: failures === 1,
            nowMs: row.nowMs,
            delayMs: throttleDelayMs(failures, THROTTLE_POLICIES[row.kind]),
          },
          transaction,
        },
      );
    }
    return { allowed: true, keys };
  });
}

/**
 * After the right password: the account and device keys start afresh; the IP key only takes back
 * this attempt (logging in to one's own account must not reset a sprayer's count). Idle keys are swept.
 */
export async function forgetSuccessfulAttempt(gate: LoginGate): Promise<void> {
  const sequelize = db().sequelize;
  const reset = gate.keys.filter((k) => k.kind !== 'ip').map((k) => k.key);
  const ip = gate.keys.find((k) => k.kind === 'ip');
  if (reset.length > 0) await sequelize.query('DELETE FROM login_throttle WHERE key IN (:reset)', { replacements: { reset } });
  if (ip) {
    const { free, baseMs, maxMs } = THROTTLE_POLICIES.ip;
    // The same delay rule as throttleDelayMs, for the decremented count, in one statement.
    await sequelize.query(
      `UPDATE login_throttle
          SET failures = greatest(failures - 1, 0),
              next_attempt_at = last_attempt_at + make_interval(secs => CASE WHEN failures - 1 < :free THEN 0
                ELSE least(:baseMs * power(2, least(failures - 1 - :free, 30)), :maxMs) / 1000.0 END)
        WHERE key = :key`,
      { replacements: { key: ip.key, free, baseMs, maxMs } },
    );
  }
  await sequelize.query(`DELETE FROM login_throttle WHERE last_attempt_at < clock_timestamp() - make_interval(secs => :seconds)`, {
    replacements: { seconds: FORGET_AFTER_MS / 1000 },
  });
}
