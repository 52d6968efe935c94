// The building blocks every account step shares: random secrets kept only as hashes, attempt
// budgets that cannot be raced, password hashing, and the audit entry of a step.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { QueryTypes, type Transaction } from 'sequelize';
import { appendAudit } from '../db/audit';
import { ATTEMPT_WINDOW_MINUTES, activationCodeFrom, passwordProblem } from '../domain/accounts';
import { db } from './db';
import { config } from './config';

/** A URL-safe random secret for links: 256 bits. */
export function newLinkSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A random activation code for a letter (60 bits; the attempt budget makes guessing hopeless). */
export function newActivationCode(): string {
  return activationCodeFrom(randomBytes(12));
}

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

// ---------------------------------------------------------------------------------------------
// Attempt budgets

/**
 * Records one attempt in `bucket` and tells whether it is within `limit` for the window. The
 * attempt is committed before it is counted (two statements, no surrounding transaction), so
 * concurrent requests cannot all slip under the limit: the n-th committed attempt counts at least n.
 */
export async function takeAttempt(bucket: string, limit: number): Promise<boolean> {
  const { sequelize } = db();
  await sequelize.query('INSERT INTO account_attempts (bucket) VALUES (:bucket)', { replacements: { bucket } });
  const [row] = await sequelize.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM account_attempts WHERE bucket = :bucket AND at > now() - make_interval(mins => :minutes)',
    { replacements: { bucket, minutes: ATTEMPT_WINDOW_MINUTES }, type: QueryTypes.SELECT },
  );
  // Old rows of this bucket are no use to anyone: keep the table small.
  await sequelize.query('DELETE FROM account_attempts WHERE bucket = :bucket AND at < now() - make_interval(mins => :minutes)', {
    replacements: { bucket, minutes: ATTEMPT_WINDOW_MINUTES * 4 },
  });
  return (row?.n ?? Number.POSITIVE_INFINITY) <= limit;
}

export const TOO_MANY_ATTEMPTS = `Zu viele Versuche. Bitte warten Sie ${ATTEMPT_WINDOW_MINUTES} Minuten und versuchen Sie es dann erneut.`;

// ---------------------------------------------------------------------------------------------
// Passwords

export class PasswordPolicyError extends Error {
  override name = 'PasswordPolicyError';
}

/** The argon2 hash of a new password that meets the policy; throws PasswordPolicyError (German) otherwise. */
export async function hashNewPassword(password: string, context: { email?: string | null; name?: string | null } = {}): Promise<string> {
  const problem = passwordProblem(password, context);
  if (problem) throw new PasswordPolicyError(problem);
  return hash(password);
}

export function passwordMatches(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) return Promise.resolve(false);
  return verify(passwordHash, password).catch(() => false);
}

// ---------------------------------------------------------------------------------------------
// Audit and links

export interface AccountActor {
  userId: number | null;
  /** E-mail of the acting user, or what identifies an anonymous one (the typed address, "Aktivierungscode"). */
  actor: string;
  organisationId: number | null;
  ip: string | null;
}

export function auditAccount(
  actor: AccountActor,
  action: string,
  entity: { type: string; id: number | string | null },
  details: Record<string, unknown> = {},
  transaction?: Transaction,
): Promise<void> {
  return appendAudit(
    db(),
    {
      organisationId: actor.organisationId,
      actorId: actor.userId,
      actor: actor.actor,
      action,
      entity: entity.type,
      entityId: entity.id,
      ip: actor.ip,
      details,
    },
    transaction,
  );
}

/**
 * The portal's address for links in e-mails and letters: PUBLIC_URL, else the local port. Never
 * the request's Host header: a forged Host would otherwise send reset links to an attacker's site.
 */
export function publicBaseUrl(): string {
  const settings = config();
  return (settings.PUBLIC_URL ?? `http://localhost:${settings.PORT}`).replace(/\/+$/, '');
}
