// Optional two-factor log-in for staff: a TOTP secret (sealed with DOCUMENT_KEY, so a copy of the
// table alone is no use), ten single-use recovery codes kept as hashes, and the login challenge
// that stands between a correct password and the session: a short-lived cookie whose token's hash
// names a row with its own attempt budget.
import { createCookie, type Cookie } from '@remix-run/node';
import { Op, QueryTypes } from 'sequelize';
import {
  ATTEMPT_LIMITS,
  CHALLENGE_LIFETIME_MS,
  MAX_CHALLENGE_FAILURES,
  formatActivationCode,
  normaliseActivationCode,
} from '../domain/accounts';
import { isStaffRole, type Role } from '../domain/roles';
import type { User } from '../db';
import {
  TOO_MANY_ATTEMPTS,
  auditAccount,
  newActivationCode,
  newLinkSecret,
  passwordMatches,
  secretHash,
  takeAttempt,
  type AccountActor,
} from './account-security';
import { config, requireConfig } from './config';
import { db } from './db';
import { decrypt, documentKey, encrypt } from './documents';
import { createSession, type SessionUser } from './session';
import { matchTotp, newTotpSecret, otpauthUri, qrSvg } from './totp';

export const RECOVERY_CODE_COUNT = 10;
const ISSUER = 'Klarmeter';

// ---------------------------------------------------------------------------------------------
// The secret at rest

function associated(userId: number): string {
  return `totp|${userId}`;
}

function seal(userId: number, secret: string): string {
  const sealed = encrypt(Buffer.from(secret, 'utf8'), documentKey(), associated(userId));
  return [sealed.iv, sealed.authTag, sealed.ciphertext].map((part) => part.toString('base64')).join('.');
}

function unseal(userId: number, stored: string): string {
  const [iv, authTag, ciphertext] = stored.split('.').map((part) => Buffer.from(part, 'base64'));
  if (!iv || !authTag || !ciphertext) throw new Error(`sealed TOTP secret of user ${userId} is malformed`);
  return decrypt({ iv, authTag, ciphertext }, documentKey(), associated(userId)).toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// Status and set-up (the user's own settings page)

export interface SecondFactorSetup {
  secret: string;
  uri: string;
  qrSvg: string;
}

export interface SecondFactorStatus {
  available: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
  /** A set-up begun but not yet confirmed with a code. */
  pending: SecondFactorSetup | null;
}

function setupOf(user: Pick<User, 'email'>, secret: string): SecondFactorSetup {
  const uri = otpauthUri({ secret, account: user.email, issuer: ISSUER });
  return { secret, uri, qrSvg: qrSvg(uri, 'QR-Code für Ihre Authenticator-App') };
}

async function loadUser(userId: number): Promise<User> {
  const user = await db().models.User.findByPk(userId);
  if (!user) throw new Error(`user ${userId} vanished`);
  return user;
}

export async function secondFactorStatus(sessionUser: SessionUser): Promise<SecondFactorStatus> {
  const user = await loadUser(sessionUser.id);
  const recoveryCodesLeft = await db().models.RecoveryCode.count({ where: { userId: user.id, usedAt: null } });
  return {
    available: isStaffRole(user.role),
    enabledAt: user.totpEnabledAt ?? null,
    recoveryCodesLeft,
    pending: user.totpPendingSecret && !user.totpEnabledAt ? setupOf(user, unseal(user.id, user.totpPendingSecret)) : null,
  };
}

export type SecondFactorOutcome = { ok: true; message: string; recoveryCodes?: string[] } | { ok: false; message: string };

/** Starts (or restarts) setting up TOTP: a new pending secret, shown until a code confirms it. */
export async function beginSecondFactorSetup(sessionUser: SessionUser, actor: AccountActor): Promise<SecondFactorOutcome> {
  const user = await loadUser(sessionUser.id);
  if (!isStaffRole(user.role)) return { ok: false, message: 'Die Zwei-Faktor-Anmeldung ist für Mitarbeiterkonten vorgesehen.' };
  if (user.totpEnabledAt) return { ok: false, message: 'Die Zwei-Faktor-Anmeldung ist bereits eingerichtet.' };
  await user.update({ totpPendingSecret: seal(user.id, newTotpSecret()) });
  await auditAccount(actor, 'second_factor_setup_started', { type: 'user', id: user.id });
  return { ok: true, message: 'Scannen Sie den QR-Code mit Ihrer Authenticator-App und bestätigen Sie mit dem angezeigten Code.' };
}

async function newRecoveryCodes(userId: number): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newActivationCode);
  await db().sequelize.transaction(async (transaction) => {
    await db().models.RecoveryCode.destroy({ where: { userId }, transaction });
    await db().models.RecoveryCode.bulkCreate(
      codes.map((code) => ({ userId, codeHash: secretHash(code) })),
      { transaction },
    );
  });
  return codes.map(formatActivationCode);
}

/** Accepts a TOTP step once: the stored last step only grows, atomically. */
async function acceptStep(userId: number, step: number): Promise<boolean> {
  const rows = await db().sequelize.query(
    'UPDATE users SET totp_last_step = :step WHERE id = :userId AND (totp_last_step IS NULL OR totp_last_step < :step) RETURNING id',
    { replacements: { userId, step }, type: QueryTypes.SELECT },
  );
  return rows.length === 1;
}

export async function confirmSecondFactorSetup(sessionUser: SessionUser, code: string, actor: AccountActor): Promise<SecondFactorOutcome> {
  const user = await loadUser(sessionUser.id);
  if (user.totpEnabledAt || !user.totpPendingSecret) return { ok: false, message: 'Es ist keine Einrichtung begonnen.' };
  if (!(await takeAttempt(`totp:user:${user.id}`, ATTEMPT_LIMITS.secondFactor))) return { ok: false, message: TOO_MANY_ATTEMPTS };
  const secret = unseal(user.id, user.totpPendingSecret);
  const step = matchTotp(secret, code);
  if (step === null) {
    await auditAccount(actor, 'second_factor_setup_failed', { type: 'user', id: user.id });
    return { ok: false, message: 'Der Code stimmt nicht. Prüfen Sie die Uhrzeit Ihres Geräts und geben Sie den aktuellen Code ein.' };
  }
  await user.update({ totpSecret: seal(user.id, secret), totpPendingSecret: null, totpEnabledAt: new Date(), totpLastStep: step });
  const recoveryCodes = await newRecoveryCodes(user.id);
  await auditAccount(
    actor,
    'second_factor_enabled',
    { type: 'user', id: user.id },
    { method: 'totp', recoveryCodes: recoveryCodes.length },
  );
  return {
    ok: true,
    message:
      'Die Zwei-Faktor-Anmeldung ist eingerichtet. Bewahren Sie die Wiederherstellungscodes sicher auf: Sie werden nur jetzt angezeigt.',
    recoveryCodes,
  };
}

/** Checks a TOTP code or an unused recovery code (which is then used up). */
async function checkSecondFactor(user: User, input: string): Promise<'totp' | 'recovery-code' | null> {
  if (!user.totpSecret) return null;
  const digits = input.replace(/\s/g, '');
  if (/^\d{6}$/.test(digits)) {
    const step = matchTotp(unseal(user.id, user.totpSecret), digits);
    return step !== null && (await acceptStep(user.id, step)) ? 'totp' : null;
  }
  const code = normaliseActivationCode(input);
  if (!code) return null;
  const used = await db().sequelize.query(
    'UPDATE recovery_codes SET used_at = now() WHERE user_id = :userId AND code_hash = :hash AND used_at IS NULL RETURNING id',
    { replacements: { userId: user.id, hash: secretHash(code) }, type: QueryTypes.SELECT },
  );
  return used.length === 1 ? 'recovery-code' : null;
}

/** Turning it off needs the password and a current code (or a recovery code). */
export async function disableSecondFactor(
  sessionUser: SessionUser,
  input: { password: string; code: string },
  actor: AccountActor,
): Promise<SecondFactorOutcome> {
  const user = await loadUser(sessionUser.id);
  if (!user.totpEnabledAt) return { ok: false, message: 'Die Zwei-Faktor-Anmeldung ist nicht eingerichtet.' };
  if (!(await takeAttempt(`totp:user:${user.id}`, ATTEMPT_LIMITS.secondFactor))) return { ok: false, message: TOO_MANY_ATTEMPTS };
  const method = (await passwordMatches(user.passwordHash, input.password)) ? await checkSecondFactor(user, input.code) : null;
  if (!method) {
    await auditAccount(actor, 'second_factor_disable_failed', { type: 'user', id: user.id });
    return { ok: false, message: 'Passwort oder Code ist falsch.' };
  }
  await user.update({ totpSecret: null, totpPendingSecret: null, totpEnabledAt: null, totpLastStep: null });
  await db().models.RecoveryCode.destroy({ where: { userId: user.id } });
  await auditAccount(actor, 'second_factor_disabled', { type: 'user', id: user.id }, { confirmedWith: method });
  return { ok: true, message: 'Die Zwei-Faktor-Anmeldung ist ausgeschaltet.' };
}

export async function renewRecoveryCodes(sessionUser: SessionUser, code: string, actor: AccountActor): Promise<SecondFactorOutcome> {
  const user = await loadUser(sessionUser.id);
  if (!user.totpEnabledAt) return { ok: false, message: 'Die Zwei-Faktor-Anmeldung ist nicht eingerichtet.' };
  if (!(await takeAttempt(`totp:user:${user.id}`, ATTEMPT_LIMITS.secondFactor))) return { ok: false, message: TOO_MANY_ATTEMPTS };
  if ((await checkSecondFactor(user, code)) === null) return { ok: false, message: 'Der Code stimmt nicht.' };
  const recoveryCodes = await newRecoveryCodes(user.id);
  await auditAccount(actor, 'recovery_codes_renewed', { type: 'user', id: user.id }, { count: recoveryCodes.length });
  return { ok: true, message: 'Neue Wiederherstellungscodes sind erstellt; die bisherigen gelten nicht mehr.', recoveryCodes };
}

// ---------------------------------------------------------------------------------------------
// The login challenge

/** Whether this account must give a second factor after its password. */
export async function requiresSecondFactor(userId: number): Promise<boolean> {
  const user = await db().models.User.findByPk(userId, { attributes: ['role', 'totpEnabledAt'] });
  return Boolean(user && isStaffRole(user.role) && user.totpEnabledAt);
}

let challengeCookie: Cookie | undefined;

function secondFactorCookie(): Cookie {
  challengeCookie ??= createCookie('__klarmeter_2fa', {
    httpOnly: true,
    sameSite: 'lax',
    path: '/login',
    maxAge: CHALLENGE_LIFETIME_MS / 1000,
    secrets: [requireConfig('SESSION_SECRET').SESSION_SECRET],
  });
  return challengeCookie;
}

function secure(request: Request): boolean {
  const setting = config().COOKIE_SECURE;
  return setting === 'auto' ? new URL(request.url).protocol === 'https:' : setting === 'true';
}

/** After a correct password: a challenge row and the token for its cookie. */
export async function startLoginChallenge(input: { userId: number; ip: string | null; userAgent: string | null }): Promise<string> {
  const token = newLinkSecret();
  const { LoginChallenge } = db().models;
  await LoginChallenge.destroy({ where: { userId: input.userId, expiresAt: { [Op.lte]: new Date() } } });
  await LoginChallenge.create({
    id: secretHash(token),
    userId: input.userId,
    ip: input.ip,
    userAgent: input.userAgent,
    expiresAt: new Date(Date.now() + CHALLENGE_LIFETIME_MS),
  });
  return token;
}

export function serializeChallengeCookie(token: string, request: Request): Promise<string> {
  return secondFactorCookie().serialize(token, { secure: secure(request) });
}

export function clearChallengeCookie(request: Request): Promise<string> {
  return secondFactorCookie().serialize('', { secure: secure(request), maxAge: 0, expires: new Date(0) });
}

async function challengeToken(request: Request): Promise<string | null> {
  const value: unknown = await secondFactorCookie().parse(request.headers.get('Cookie'));
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** The account a pending challenge belongs to (for the page's greeting), or null. */
export async function pendingChallenge(request: Request): Promise<{ email: string } | null> {
  const token = await challengeToken(request);
  if (!token) return null;
  const [row] = await db().sequelize.query<{ email: string }>(
    `SELECT u.email FROM login_challenges c JOIN users u ON u.id = c.user_id
      WHERE c.id = :id AND c.expires_at > now() AND c.failed_attempts < :max`,
    { replacements: { id: secretHash(token), max: MAX_CHALLENGE_FAILURES }, type: QueryTypes.SELECT },
  );
  return row ?? null;
}

export type ChallengeResult =
  { ok: true; sessionToken: string; user: { id: number; email: string; role: Role } } | { ok: false; message: string; restart: boolean };

const RESTART = 'Die Anmeldung ist abgelaufen. Bitte melden Sie sich erneut mit Ihrem Passwort an.';

/** The second step of a login: a right code ends the challenge and opens the session. */
export async function completeLoginChallenge(
  request: Request,
  code: string,
  context: { ip: string | null; userAgent: string | null },
): Promise<ChallengeResult> {
  const token = await challengeToken(request);
  const { LoginChallenge } = db().models;
  const challenge = token ? await LoginChallenge.findByPk(secretHash(token)) : null;
  if (!challenge || challenge.expiresAt <= new Date() || challenge.failedAttempts >= MAX_CHALLENGE_FAILURES)
    return { ok: false, message: RESTART, restart: true };
  const user = await loadUser(challenge.userId);
  const actor: AccountActor = { userId: user.id, actor: user.email, organisationId: user.organisationId, ip: context.ip };
  if (!(await takeAttempt(`totp:user:${user.id}`, ATTEMPT_LIMITS.secondFactor))) {
    await auditAccount(actor, 'second_factor_failed', { type: 'user', id: user.id }, { reason: 'throttled' });
    return { ok: false, message: TOO_MANY_ATTEMPTS, restart: false };
  }
  const method = await checkSecondFactor(user, code);
  if (!method) {
    const [counted] = await db().sequelize.query<{ failures: number }>(
      'UPDATE login_challenges SET failed_attempts = failed_attempts + 1 WHERE id = :id RETURNING failed_attempts AS failures',
      { replacements: { id: challenge.id }, type: QueryTypes.SELECT },
    );
    const failures = counted?.failures ?? MAX_CHALLENGE_FAILURES;
    await auditAccount(actor, 'second_factor_failed', { type: 'user', id: user.id }, { reason: 'wrong_code', failures });
    return failures >= MAX_CHALLENGE_FAILURES
      ? { ok: false, message: RESTART, restart: true }
      : { ok: false, message: 'Der Code ist falsch oder wurde bereits verwendet.', restart: false };
  }
  await LoginChallenge.destroy({ where: { id: challenge.id } });
  const sessionToken = await createSession({ userId: user.id, ip: context.ip, userAgent: context.userAgent });
  await auditAccount(actor, 'login', { type: 'user', id: user.id }, { secondFactor: method });
  return { ok: true, sessionToken, user: { id: user.id, email: user.email, role: user.role } };
}
