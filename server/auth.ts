// Log-in, log-out and "who is asking": argon2 passwords, server-side sessions, throttled failures
// (server/login-throttle.ts), every outcome in the audit log.
import { hash, verify } from '@node-rs/argon2';
import { redirect } from '@remix-run/node';
import { db } from './db';
import { appendAudit } from '../db/audit';
import { forgetSuccessfulAttempt, reserveLoginAttempt, throttledMessage, type KnownDevice } from './login-throttle';
import { createSession, revokeSession, sessionToken, userForToken, type SessionUser } from './session';
import { requiresSecondFactor, startLoginChallenge } from './second-factor';

export const LOGIN_MESSAGES = {
  invalid: 'E-Mail-Adresse oder Passwort ist falsch.',
  secondFactor: 'Bitte bestätigen Sie die Anmeldung mit dem Code Ihrer Authenticator-App.',
} as const;

/**
 * Lookups in flight per Cookie header: a page's root and route loaders run at the same time and
 * would each verify the cookie's signature and query the session. Only callers that arrive while the
 * lookup runs share it, so a revoked session or a changed role is seen exactly as without sharing.
 */
const lookupsInFlight = new Map<string, Promise<SessionUser | null>>();

export async function getOptionalUser(request: Request): Promise<SessionUser | null> {
  const cookie = request.headers.get('Cookie');
  if (!cookie) return null;
  let lookup = lookupsInFlight.get(cookie);
  if (!lookup) {
    lookup = sessionToken(request).then((token) => (token ? userForToken(token) : null));
    lookupsInFlight.set(cookie, lookup);
    const forget = () => lookupsInFlight.delete(cookie);
    void lookup.then(forget, forget);
  }
  const user = await lookup;
  // Each caller gets its own copy: one may not change what another sees.
  return user ? { ...user } : null;
}

/** The signed-in user, or a redirect to the login page that brings the user back afterwards. */
export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await getOptionalUser(request);
  if (user) return user;
  const url = new URL(request.url);
  const back = `${url.pathname}${url.search}`;
  throw redirect(back === '/' ? '/login' : `/login?redirectTo=${encodeURIComponent(back)}`);
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

let dummyHash: Promise<string> | undefined;

/** Unknown e-mail addresses cost the same argon2 work as known ones, so timing reveals nothing. */
function hashForUnknownUser(): Promise<string> {
  dummyHash ??= hash('klarmeter-no-such-user');
  return dummyHash;
}

/**
 * `challenge`: the password was right, but the account has a second factor; no session yet. The
 * caller sets the challenge cookie and sends the user to /login/zweiter-faktor. A caller that
 * does not know about it treats it as a failed login, which is the safe side.
 */
export type LoginResult = { ok: true; user: SessionUser; token: string } | { ok: false; message: string; challenge?: string };

export async function login(input: {
  email: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
  /** The browser's signed device cookie (login-throttle.ts): its own throttle instead of the account's. */
  device?: KnownDevice | null;
}): Promise<LoginResult> {
  const database = db();
  const email = normaliseEmail(input.email);
  const user = await database.models.User.findOne({
    where: database.sequelize.where(database.sequelize.fn('lower', database.sequelize.col('email')), email),
  });
  const auditFailure = (reason: string) =>
    appendAudit(database, {
      organisationId: user?.organisationId ?? null,
      actorId: user?.id ?? null,
      actor: email,
      action: 'login_failed',
      entity: 'user',
      entityId: user?.id ?? null,
      ip: input.ip,
      details: { reason },
    });

  const gate = await reserveLoginAttempt({ email, ip: input.ip, userId: user?.id ?? null, device: input.device ?? null });
  if (!gate.allowed) {
    await auditFailure('throttled');
    return { ok: false, message: throttledMessage(gate.retryAfterMs) };
  }

  const passwordOk = await verify(user?.passwordHash ?? (await hashForUnknownUser()), input.password).catch(() => false);
  if (!user || !passwordOk) {
    await auditFailure(user ? 'wrong_password' : 'unknown_user');
    return { ok: false, message: LOGIN_MESSAGES.invalid };
  }

  // The password was right: its guessing counters start afresh (the second factor has its own budget).
  await forgetSuccessfulAttempt(gate);
  if (await requiresSecondFactor(user.id)) {
    const challenge = await startLoginChallenge({ userId: user.id, ip: input.ip, userAgent: input.userAgent });
    await appendAudit(database, {
      organisationId: user.organisationId,
      actorId: user.id,
      actor: user.email,
      action: 'login_second_factor_required',
      entity: 'user',
      entityId: user.id,
      ip: input.ip,
    });
    return { ok: false, message: LOGIN_MESSAGES.secondFactor, challenge };
  }
  const token = await createSession({ userId: user.id, ip: input.ip, userAgent: input.userAgent });
  await appendAudit(database, {
    organisationId: user.organisationId,
    actorId: user.id,
    actor: user.email,
    action: 'login',
    entity: 'user',
    entityId: user.id,
    ip: input.ip,
  });
  const sessionUser = await userForToken(token);
  if (!sessionUser) throw new Error('A session created a moment ago is not found');
  return { ok: true, user: sessionUser, token };
}

/** Revokes the request's session (if any) and records the log-out. */
export async function logout(request: Request, ip: string | null): Promise<void> {
  const token = await sessionToken(request);
  if (!token) return;
  const user = await userForToken(token);
  await revokeSession(token);
  if (user) {
    await appendAudit(db(), {
      organisationId: user.organisationId,
      actorId: user.id,
      actor: user.email,
      action: 'logout',
      entity: 'user',
      entityId: user.id,
      ip,
    });
  }
}
