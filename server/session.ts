// Server-side sessions: the cookie carries only a signed, opaque random token; the row in `sessions`
// (keyed by the token's SHA-256, so a leaked table cannot be replayed) decides whether it is valid.
import { createHash, randomBytes } from 'node:crypto';
import { createCookie, type Cookie } from '@remix-run/node';
import { Op, QueryTypes } from 'sequelize';
import { db } from './db';
import { config, requireConfig } from './config';
import type { Role } from '../domain/roles';

export const SESSION_COOKIE_NAME = '__klarmeter';
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

let cookie: Cookie | undefined;

/** Created on first use so that tests and scripts can set SESSION_SECRET before. */
function sessionCookie(): Cookie {
  cookie ??= createCookie(SESSION_COOKIE_NAME, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    maxAge: SESSION_TTL_MS / 1000,
    secrets: [requireConfig('SESSION_SECRET').SESSION_SECRET],
  });
  return cookie;
}

function cookieSecure(request: Request): boolean {
  const setting = config().COOKIE_SECURE;
  if (setting === 'auto') return new URL(request.url).protocol === 'https:';
  return setting === 'true';
}

export function sessionKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface SessionUser {
  id: number;
  organisationId: number;
  organisationName: string;
  email: string;
  name: string;
  role: Role;
}

export async function createSession(input: { userId: number; ip: string | null; userAgent: string | null }): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const { Session } = db().models;
  // Each login also sweeps that user's expired rows, so the table does not grow without bound.
  await Session.destroy({ where: { userId: input.userId, expiresAt: { [Op.lte]: new Date() } } });
  await Session.create({
    id: sessionKey(token),
    userId: input.userId,
    expiresAt: new Date(Date.now() + SESSION_TTL_MS),
    ip: input.ip,
    userAgent: input.userAgent,
  });
  return token;
}

export function serializeSessionCookie(token: string, request: Request): Promise<string> {
  return sessionCookie().serialize(token, { secure: cookieSecure(request) });
}

export function serializeClearedCookie(request: Request): Promise<string> {
  return sessionCookie().serialize('', { secure: cookieSecure(request), maxAge: 0, expires: new Date(0) });
}

/** The token from the request's cookie, or null when absent or the signature does not match. */
export async function sessionToken(request: Request): Promise<string | null> {
  const value: unknown = await sessionCookie().parse(request.headers.get('Cookie'));
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** The user of a valid, unexpired session: one indexed query joining session, user and organisation. */
export async function userForToken(token: string): Promise<SessionUser | null> {
  const rows = await db().sequelize.query<SessionUser>(
    `SELECT u.id, u.organisation_id AS "organisationId", o.name AS "organisationName", u.email, u.name, u.role
       FROM sessions s
       JOIN users u ON u.id = s.user_id
       JOIN organisations o ON o.id = u.organisation_id
      WHERE s.id = :key AND s.expires_at > now()`,
    { replacements: { key: sessionKey(token) }, type: QueryTypes.SELECT },
  );
  return rows[0] ?? null;
}

export async function revokeSession(token: string): Promise<void> {
  await db().models.Session.destroy({ where: { id: sessionKey(token) } });
}
