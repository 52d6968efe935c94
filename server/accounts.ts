// The account holder's side of the lifecycle: activation with an invitation link or a letter's
// code, e-mail verification, password reset by a one-time link, changing password and e-mail
// (the new address verified before it counts), the own sessions, and staff accounts a manager
// creates. Every step is audited; every secret is single-use, expiring and stored as a hash.
import { QueryTypes, type Transaction } from 'sequelize';
import { z } from 'zod';
import { ATTEMPT_LIMITS, MAX_CODE_CONFIRMATION_FAILURES, PASSWORD_MAX_LENGTH, surnameMatches, type TokenPurpose } from '../domain/accounts';
import { calendarDate } from '../domain/calendar';
import { formatDate, formatDateTime, ROLE_LABELS } from '../domain/format';
import { STAFF_ROLES, type StaffRole } from '../domain/roles';
import type { AccountToken, User } from '../db';
import {
  PasswordPolicyError,
  TOO_MANY_ATTEMPTS,
  auditAccount,
  hashNewPassword,
  passwordMatches,
  publicBaseUrl,
  takeAttempt,
  type AccountActor,
} from './account-security';
import { consume, countFailure, findUsable, issueSecret, revokePending } from './account-tokens';
import { sendAccountMail } from './account-mail';
import { normaliseEmail } from './auth';
import { db } from './db';
import { newAccountMailRhythm } from '../domain/contracts/mail-digest';
import { saveMailRhythm } from './notifications';
import { clientIp, type RequestContext } from './request';
import { sessionKey, type SessionUser } from './session';

import { INVALID_LINK } from '../domain/accounts';
export { INVALID_LINK };
export const INVALID_CODE = 'Der Aktivierungscode oder der Nachname stimmt nicht, oder der Code ist abgelaufen.';

const emailField = z
  .string({ required_error: 'Bitte geben Sie Ihre E-Mail-Adresse ein.' })
  .trim()
  .min(1, 'Bitte geben Sie Ihre E-Mail-Adresse ein.')
  .max(254, 'Die E-Mail-Adresse ist zu lang (höchstens 254 Zeichen).')
  .email('Bitte geben Sie eine gültige E-Mail-Adresse ein.')
  .transform(normaliseEmail);
const passwordField = z
  .string({ required_error: 'Bitte geben Sie ein Passwort ein.' })
  .min(1, 'Bitte geben Sie ein Passwort ein.')
  .max(PASSWORD_MAX_LENGTH * 4, `Das Passwort darf höchstens ${PASSWORD_MAX_LENGTH} Zeichen lang sein.`);

export const AccountForms = {
  email: emailField,
  password: passwordField,
  newPassword: z
    .object({ password: passwordField, passwordRepeat: z.string({ required_error: 'Bitte wiederholen Sie das Passwort.' }) })
    .refine((v) => v.password === v.passwordRepeat, { path: ['passwordRepeat'], message: 'Die beiden Passwörter stimmen nicht überein.' }),
};

export type FormOutcome = { ok: true; message: string } | { ok: false; message: string; fieldErrors?: Record<string, string> };

function contextActor(
  actor: string,
  userId: number | null,
  organisationId: number | null,
  context: RequestContext | undefined,
): AccountActor {
  return { userId, actor, organisationId, ip: clientIp(context) };
}

export function sessionActor(user: SessionUser, context: RequestContext | undefined): AccountActor {
  return contextActor(user.email, user.id, user.organisationId, context);
}

async function userByEmail(email: string, transaction?: Transaction): Promise<User | null> {
  const database = db();
  return database.models.User.findOne({
    where: database.sequelize.where(database.sequelize.fn('lower', database.sequelize.col('email')), normaliseEmail(email)),
    transaction,
  });
}

async function organisationName(id: number): Promise<string> {
  return (await db().models.Organisation.findByPk(id, { attributes: ['name'] }))?.name ?? 'Klarmeter';
}

// ---------------------------------------------------------------------------------------------
// Activation

export interface ActivationTarget {
  via: 'invitation' | 'letter-code';
  tenantName: string;
  unitLabel: string;
  propertyName: string;
  /** Invitation links fix the address they were sent to. */
  email: string | null;
}

async function targetOf(
  token: AccountToken,
): Promise<(ActivationTarget & { tenancyId: number; userId: number | null; endsOn: string | null }) | null> {
  if (token.tenancyId === null) return null;
  const [row] = await db().sequelize.query<{
    tenantName: string;
    unitLabel: string;
    propertyName: string;
    userId: number | null;
    endsOn: string | null;
  }>(
    `SELECT t.tenant_name AS "tenantName", u.label AS "unitLabel", p.name AS "propertyName", t.user_id AS "userId", t.ends_on AS "endsOn"
       FROM tenancies t JOIN units u ON u.id = t.unit_id JOIN properties p ON p.id = u.property_id
      WHERE t.id = :id AND p.organisation_id = :organisationId`,
    { replacements: { id: token.tenancyId, organisationId: token.organisationId }, type: QueryTypes.SELECT },
  );
  if (!row) return null;
  return { via: token.purpose === 'invitation' ? 'invitation' : 'letter-code', email: token.email, tenancyId: token.tenancyId, ...row };
}

/** For the activation page reached by an e-mail link: what it activates, or null (a read, nothing is used). */
export async function invitationByLink(secret: string): Promise<ActivationTarget | null> {
  const token = await findUsable(['invitation'], secret);
  const target = token ? await targetOf(token) : null;
  if (!target) return null;
  const { via, tenantName, unitLabel, propertyName, email } = target;
  return { via, tenantName, unitLabel, propertyName, email };
}

export const ActivationForm = z
  .object({
    token: z.string().max(200).optional(),
    code: z.string().max(40, 'Der Aktivierungscode hat 12 Zeichen.').optional(),
    surname: z.string().trim().max(200, 'Der Name ist zu lang (höchstens 200 Zeichen).').optional(),
    email: emailField.optional(),
    password: passwordField,
    passwordRepeat: z.string({ required_error: 'Bitte wiederholen Sie das Passwort.' }),
  })
  .refine((v) => v.password === v.passwordRepeat, { path: ['passwordRepeat'], message: 'Die beiden Passwörter stimmen nicht überein.' });

type Presented = { token?: string; code?: string; surname?: string };

/** The token a link or code names, after the rate limit and (for codes) the name confirmation. */
async function presentedToken(
  input: Presented,
  context: RequestContext | undefined,
): Promise<
  | { ok: true; token: AccountToken; target: NonNullable<Awaited<ReturnType<typeof targetOf>>> }
  | { ok: false; message: string; field?: string }
> {
  const ip = clientIp(context) ?? 'unknown';
  if (!(await takeAttempt(`activation:ip:${ip}`, ATTEMPT_LIMITS.activation))) return { ok: false, message: TOO_MANY_ATTEMPTS };
  const anonymous = contextActor(input.token ? 'Einladungslink' : 'Aktivierungscode', null, null, context);
  if (input.token) {
    const token = await findUsable(['invitation'], input.token);
    const target = token ? await targetOf(token) : null;
    if (!token || !target) {
      await auditAccount(anonymous, 'activation_failed', { type: 'account_token', id: null }, { reason: 'invalid_link' });
      return { ok: false, message: INVALID_LINK };
    }
    return { ok: true, token, target };
  }
  if (!input.code) return { ok: false, field: 'code', message: 'Bitte geben Sie Ihren Aktivierungscode ein.' };
  if (!input.surname) return { ok: false, field: 'surname', message: 'Bitte geben Sie Ihren Nachnamen ein.' };
  const token = await findUsable(['letter-code'], input.code);
  const target = token ? await targetOf(token) : null;
  if (!token || !target) {
    await auditAccount(anonymous, 'activation_failed', { type: 'account_token', id: null }, { reason: 'unknown_code' });
    return { ok: false, message: INVALID_CODE };
  }
  if (!surnameMatches(target.tenantName, input.surname)) {
    const failures = await countFailure(token, MAX_CODE_CONFIRMATION_FAILURES);
    await auditAccount(
      { ...anonymous, organisationId: token.organisationId },
      'activation_failed',
      { type: 'account_token', id: token.id },
      { reason: 'name_mismatch', failures, revoked: failures >= MAX_CODE_CONFIRMATION_FAILURES, tenancyId: target.tenancyId },
    );
    return { ok: false, message: INVALID_CODE };
  }
  return { ok: true, token, target };
}

export type ActivationOutcome = { ok: true; email: string; verificationSent: boolean } | { ok: false; message: string; field?: string };

/**
 * A new tenant account from an invitation link or a letter code: sets the password, links the
 * tenancy, and uses the secret up (and every other pending one of the tenancy). An address typed
 * with a code is verified by a link sent to it; an invitation's address is verified by the link.
 */
export async function activateAccount(
  input: Presented & { email?: string; password: string },
  context: RequestContext | undefined,
): Promise<ActivationOutcome> {
  const found = await presentedToken(input, context);
  if (!found.ok) return found;
  const { token, target } = found;
  if (target.userId !== null) return { ok: false, message: 'Für diese Wohnung ist bereits ein Zugang eingerichtet.' };
  if (target.endsOn !== null && target.endsOn < calendarDate(new Date())) return { ok: false, message: 'Das Mietverhältnis ist beendet.' };
  const email = target.email ?? (input.email ? normaliseEmail(input.email) : null);
  if (!email) return { ok: false, field: 'email', message: 'Bitte geben Sie Ihre E-Mail-Adresse ein.' };
  if (await userByEmail(email))
    return {
      ok: false,
      field: 'email',
      message:
        'Für diese E-Mail-Adresse besteht bereits ein Konto. Melden Sie sich damit an und lösen Sie den Code unter „Mein Konto“ ein, oder wählen Sie eine andere Adresse.',
    };
  let passwordHash: string;
  try {
    passwordHash = await hashNewPassword(input.password, { email, name: target.tenantName });
  } catch (error) {
    if (error instanceof PasswordPolicyError) return { ok: false, field: 'password', message: error.message };
    throw error;
  }
  const viaLink = token.purpose === 'invitation';
  const created = await db().sequelize.transaction(async (transaction) => {
    if (!(await consume(token, transaction))) return null;
    const user = await db().models.User.create(
      {
        organisationId: token.organisationId,
        email,
        name: target.tenantName,
        role: 'tenant',
        passwordHash,
        passwordChangedAt: new Date(),
        emailVerifiedAt: viaLink ? new Date() : null,
      },
      { transaction },
    );
    const [linked] = await db().models.Tenancy.update({ userId: user.id }, { where: { id: target.tenancyId, userId: null }, transaction });
    if (linked !== 1) throw new Error(`tenancy ${target.tenancyId} was linked to another account meanwhile`);
    await revokePending({ tenancyId: target.tenancyId }, ['invitation', 'letter-code'], { transaction });
    await auditAccount(
      contextActor(email, user.id, token.organisationId, context),
      'account_activated',
      { type: 'user', id: user.id },
      { tenancyId: target.tenancyId, via: token.purpose, tokenId: token.id, emailVerified: viaLink },
      transaction,
    );
    return user;
  });
  if (!created) return { ok: false, message: viaLink ? INVALID_LINK : INVALID_CODE };
  if (!viaLink) await sendVerification(created, email, context);
  return { ok: true, email, verificationSent: !viaLink };
}

/** A signed-in tenant adds another tenancy (a second flat, a new flat after a move) with its code or link. */
export async function redeemForAccount(user: SessionUser, input: Presented, context: RequestContext | undefined): Promise<FormOutcome> {
  if (user.role !== 'tenant') return { ok: false, message: 'Nur Mieterkonten können einen Aktivierungscode einlösen.' };
  const found = await presentedToken(input, context);
  if (!found.ok) return { ok: false, message: found.message, fieldErrors: found.field ? { [found.field]: found.message } : undefined };
  const { token, target } = found;
  if (token.organisationId !== user.organisationId)
    return { ok: false, message: 'Dieser Code gehört zu einer anderen Hausverwaltung. Bitte wenden Sie sich an Ihre Hausverwaltung.' };
  if (target.userId !== null) return { ok: false, message: 'Für diese Wohnung ist bereits ein Zugang eingerichtet.' };
  const done = await db().sequelize.transaction(async (transaction) => {
    if (!(await consume(token, transaction))) return false;
    const [linked] = await db().models.Tenancy.update({ userId: user.id }, { where: { id: target.tenancyId, userId: null }, transaction });
    if (linked !== 1) throw new Error(`tenancy ${target.tenancyId} was linked to another account meanwhile`);
    await revokePending({ tenancyId: target.tenancyId }, ['invitation', 'letter-code'], { transaction });
    await auditAccount(
      sessionActor(user, context),
      'tenancy_linked',
      { type: 'tenancy', id: target.tenancyId },
      { via: token.purpose, tokenId: token.id },
      transaction,
    );
    return true;
  });
  return done
    ? { ok: true, message: `${target.propertyName}, ${target.unitLabel} ist jetzt mit Ihrem Konto verbunden.` }
    : { ok: false, message: INVALID_CODE };
}

// ---------------------------------------------------------------------------------------------
// E-mail verification and change

async function sendVerification(user: Pick<User, 'id' | 'organisationId' | 'name'>, email: string, context: RequestContext | undefined) {
  await revokePending({ userId: user.id }, ['verify-email']);
  const issued = await issueSecret('verify-email', { organisationId: user.organisationId, userId: user.id, email, createdBy: user.id });
  await sendAccountMail({
    to: email,
    dedupeKey: `account:verify-email:${issued.row.id}`,
    subject: 'Bitte bestätigen Sie Ihre E-Mail-Adresse',
    recipientName: user.name,
    organisationName: await organisationName(user.organisationId),
    paragraphs: [
      `bitte bestätigen Sie, dass ${email} Ihre E-Mail-Adresse für das Mieter- und Verwaltungsportal ist.`,
      `Der Link ist bis ${formatDateTime(issued.row.expiresAt)} gültig und nur einmal verwendbar.`,
    ],
    action: {
      label: 'E-Mail-Adresse bestätigen',
      url: `${publicBaseUrl()}/e-mail/bestaetigen?token=${encodeURIComponent(issued.secret)}`,
    },
    note: 'Sie haben das nicht veranlasst? Dann ignorieren Sie diese Nachricht; ohne Bestätigung ändert sich nichts.',
  });
  await auditAccount(
    contextActor(email, user.id, user.organisationId, context),
    'email_verification_sent',
    { type: 'user', id: user.id },
    { email },
  );
}

/** Sends a new verification link for the account's current, unverified address (rate-limited). */
export async function resendVerification(user: SessionUser, context: RequestContext | undefined): Promise<FormOutcome> {
  const row = await db().models.User.findByPk(user.id);
  if (!row) throw new Error(`user ${user.id} vanished`);
  if (row.emailVerifiedAt) return { ok: true, message: 'Ihre E-Mail-Adresse ist bereits bestätigt.' };
  if (!(await takeAttempt(`mail:address:${row.email}`, ATTEMPT_LIMITS.mailPerAddress))) return { ok: false, message: TOO_MANY_ATTEMPTS };
  await sendVerification(row, row.email, context);
  return { ok: true, message: `Wir haben einen Bestätigungslink an ${row.email} gesendet.` };
}

/**
 * The account row once the holder proved it knows the current password (within the per-account
 * attempt budget); otherwise the form's answer, with the failure audited as `failedAction`.
 */
async function withCurrentPassword(
  user: SessionUser,
  password: string,
  context: RequestContext | undefined,
  refusal: { failedAction: string; field: string; message: string },
): Promise<{ ok: true; row: User; actor: AccountActor } | { ok: false; outcome: FormOutcome }> {
  const row = await db().models.User.findByPk(user.id);
  if (!row) throw new Error(`user ${user.id} vanished`);
  const actor = sessionActor(user, context);
  if (!(await takeAttempt(`account:user:${user.id}`, ATTEMPT_LIMITS.mailPerIp)))
    return { ok: false, outcome: { ok: false, message: TOO_MANY_ATTEMPTS } };
  if (!(await passwordMatches(row.passwordHash, password))) {
    await auditAccount(actor, refusal.failedAction, { type: 'user', id: user.id }, { reason: 'wrong_password' });
    return { ok: false, outcome: { ok: false, message: refusal.message, fieldErrors: { [refusal.field]: refusal.message } } };
  }
  return { ok: true, row, actor };
}

export const EmailChangeForm = z.object({ email: emailField, password: passwordField });

/** Asks for a new address: it takes effect only when the link sent to it is opened; the old address is told. */
export async function requestEmailChange(
  user: SessionUser,
  input: z.infer<typeof EmailChangeForm>,
  context: RequestContext | undefined,
): Promise<FormOutcome> {
  const confirmed = await withCurrentPassword(user, input.password, context, {
    failedAction: 'email_change_failed',
    field: 'password',
    message: 'Das Passwort ist falsch.',
  });
  if (!confirmed.ok) return confirmed.outcome;
  const { row, actor } = confirmed;
  if (input.email === normaliseEmail(row.email))
    return { ok: false, message: 'Das ist bereits Ihre E-Mail-Adresse.', fieldErrors: { email: 'Das ist bereits Ihre E-Mail-Adresse.' } };
  if (await userByEmail(input.email)) {
    // Say no more than necessary: whether an address has an account is not for anyone to probe.
    await auditAccount(actor, 'email_change_failed', { type: 'user', id: user.id }, { reason: 'address_taken' });
    return {
      ok: false,
      message: 'Diese E-Mail-Adresse kann nicht verwendet werden.',
      fieldErrors: { email: 'Diese E-Mail-Adresse kann nicht verwendet werden.' },
    };
  }
  await auditAccount(actor, 'email_change_requested', { type: 'user', id: user.id }, { from: row.email, to: input.email });
  await sendVerification(row, input.email, context);
  await sendAccountMail({
    to: row.email,
    dedupeKey: `account:email-change-notice:${user.id}:${Date.now()}`,
    subject: 'Änderung Ihrer E-Mail-Adresse angefordert',
    recipientName: row.name,
    organisationName: await organisationName(row.organisationId),
    paragraphs: [
      `für Ihr Konto wurde die neue E-Mail-Adresse ${input.email} angegeben. Sie gilt erst, wenn sie über den an sie gesendeten Link bestätigt ist.`,
      'Waren Sie das nicht, ändern Sie bitte sofort Ihr Passwort und melden Sie sich überall ab.',
    ],
    action: { label: 'Mein Konto öffnen', url: `${publicBaseUrl()}/konto` },
  });
  return {
    ok: true,
    message: `Wir haben einen Bestätigungslink an ${input.email} gesendet. Bis zur Bestätigung gilt Ihre bisherige Adresse.`,
  };
}

export interface VerificationTarget {
  email: string;
  change: boolean;
}

/** For the page the verification link opens (a read: the POST of its button uses the token). */
export async function verificationByLink(secret: string): Promise<VerificationTarget | null> {
  const token = await findUsable(['verify-email'], secret);
  if (!token?.userId || !token.email) return null;
  const user = await db().models.User.findByPk(token.userId, { attributes: ['email'] });
  return user ? { email: token.email, change: normaliseEmail(user.email) !== token.email } : null;
}

export async function verifyEmail(secret: string, context: RequestContext | undefined): Promise<FormOutcome> {
  const ip = clientIp(context) ?? 'unknown';
  if (!(await takeAttempt(`activation:ip:${ip}`, ATTEMPT_LIMITS.activation))) return { ok: false, message: TOO_MANY_ATTEMPTS };
  const token = await findUsable(['verify-email'], secret);
  if (!token?.userId || !token.email) return { ok: false, message: INVALID_LINK };
  const email = token.email;
  const userId = token.userId;
  const outcome = await db().sequelize.transaction(async (transaction): Promise<FormOutcome> => {
    const user = await db().models.User.findByPk(userId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!user || !(await consume(token, transaction))) return { ok: false, message: INVALID_LINK };
    const previous = user.email;
    const change = normaliseEmail(previous) !== email;
    if (change && (await userByEmail(email, transaction)))
      return { ok: false, message: 'Diese E-Mail-Adresse wird inzwischen von einem anderen Konto verwendet.' };
    await user.update({ email, emailVerifiedAt: new Date() }, { transaction });
    await auditAccount(
      contextActor(email, user.id, user.organisationId, context),
      change ? 'email_changed' : 'email_verified',
      { type: 'user', id: user.id },
      change ? { from: previous, to: email } : { email },
      transaction,
    );
    return { ok: true, message: change ? `Ihre E-Mail-Adresse ist jetzt ${email}.` : 'Ihre E-Mail-Adresse ist bestätigt.' };
  });
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// Password reset (and the first password of a staff account)

export const RESET_REQUESTED =
  'Wenn zu dieser Adresse ein Konto besteht, haben wir einen Link zum Zurücksetzen des Passworts gesendet. Er ist eine Stunde gültig.';

/** Sends a reset link if the address has an account; answers the same either way. */
export async function requestPasswordReset(email: string, context: RequestContext | undefined): Promise<FormOutcome> {
  const address = normaliseEmail(email);
  const ip = clientIp(context) ?? 'unknown';
  const withinIp = await takeAttempt(`mail:ip:${ip}`, ATTEMPT_LIMITS.mailPerIp);
  const withinAddress = await takeAttempt(`mail:address:${address}`, ATTEMPT_LIMITS.mailPerAddress);
  if (!withinIp) return { ok: false, message: TOO_MANY_ATTEMPTS };
  const user = await userByEmail(address);
  if (!user || !withinAddress) {
    if (user)
      await auditAccount(contextActor(address, user.id, user.organisationId, context), 'password_reset_throttled', {
        type: 'user',
        id: user.id,
      });
    return { ok: true, message: RESET_REQUESTED };
  }
  await revokePending({ userId: user.id }, ['reset-password']);
  const issued = await issueSecret('reset-password', { organisationId: user.organisationId, userId: user.id, email: user.email });
  await sendAccountMail({
    to: user.email,
    dedupeKey: `account:reset-password:${issued.row.id}`,
    subject: 'Passwort zurücksetzen',
    recipientName: user.name,
    organisationName: await organisationName(user.organisationId),
    paragraphs: [
      'für Ihr Konto wurde das Zurücksetzen des Passworts angefordert.',
      `Über den folgenden Link wählen Sie ein neues Passwort. Er ist bis ${formatDateTime(issued.row.expiresAt)} gültig und nur einmal verwendbar.`,
    ],
    action: {
      label: 'Neues Passwort festlegen',
      url: `${publicBaseUrl()}/passwort/zuruecksetzen?token=${encodeURIComponent(issued.secret)}`,
    },
    note: 'Sie haben das nicht angefordert? Dann ignorieren Sie diese Nachricht; Ihr Passwort bleibt unverändert.',
  });
  await auditAccount(contextActor(address, user.id, user.organisationId, context), 'password_reset_requested', {
    type: 'user',
    id: user.id,
  });
  return { ok: true, message: RESET_REQUESTED };
}

const PASSWORD_LINK_PURPOSES: readonly TokenPurpose[] = ['reset-password', 'setup'];

/** For the page a reset or set-up link opens: whose password it sets (a read). */
export async function passwordLinkTarget(secret: string): Promise<{ name: string; email: string; setup: boolean } | null> {
  const token = await findUsable(PASSWORD_LINK_PURPOSES, secret);
  const user = token?.userId ? await db().models.User.findByPk(token.userId, { attributes: ['name', 'email'] }) : null;
  return token && user ? { name: user.name, email: user.email, setup: token.purpose === 'setup' } : null;
}

/** Sets the password with a reset or set-up link; ends every session of the account. */
export async function setPasswordWithLink(secret: string, password: string, context: RequestContext | undefined): Promise<FormOutcome> {
  const ip = clientIp(context) ?? 'unknown';
  if (!(await takeAttempt(`activation:ip:${ip}`, ATTEMPT_LIMITS.activation))) return { ok: false, message: TOO_MANY_ATTEMPTS };
  const token = await findUsable(PASSWORD_LINK_PURPOSES, secret);
  const user = token?.userId ? await db().models.User.findByPk(token.userId) : null;
  if (!token || !user) return { ok: false, message: INVALID_LINK };
  let passwordHash: string;
  try {
    passwordHash = await hashNewPassword(password, { email: user.email, name: user.name });
  } catch (error) {
    if (error instanceof PasswordPolicyError) return { ok: false, message: error.message, fieldErrors: { password: error.message } };
    throw error;
  }
  return db().sequelize.transaction(async (transaction): Promise<FormOutcome> => {
    if (!(await consume(token, transaction))) return { ok: false, message: INVALID_LINK };
    // The link reached the mailbox, which verifies the address as well.
    await user.update(
      { passwordHash, passwordChangedAt: new Date(), emailVerifiedAt: user.emailVerifiedAt ?? new Date() },
      { transaction },
    );
    await revokePending({ userId: user.id }, PASSWORD_LINK_PURPOSES, { transaction });
    const ended = await db().models.Session.destroy({ where: { userId: user.id }, transaction });
    await auditAccount(
      contextActor(user.email, user.id, user.organisationId, context),
      token.purpose === 'setup' ? 'account_setup_completed' : 'password_reset',
      { type: 'user', id: user.id },
      { tokenId: token.id, sessionsEnded: ended },
      transaction,
    );
    return { ok: true, message: 'Ihr Passwort ist gespeichert. Sie können sich jetzt anmelden.' };
  });
}

// ---------------------------------------------------------------------------------------------
// Changing the password

export const PasswordChangeForm = z
  .object({
    current: passwordField,
    password: passwordField,
    passwordRepeat: z.string({ required_error: 'Bitte wiederholen Sie das Passwort.' }),
  })
  .refine((v) => v.password === v.passwordRepeat, { path: ['passwordRepeat'], message: 'Die beiden Passwörter stimmen nicht überein.' });

/** Needs the current password; ends every other session (the one in use stays). */
export async function changePassword(
  user: SessionUser,
  input: { current: string; password: string },
  currentSessionToken: string | null,
  context: RequestContext | undefined,
): Promise<FormOutcome> {
  const confirmed = await withCurrentPassword(user, input.current, context, {
    failedAction: 'password_change_failed',
    field: 'current',
    message: 'Das bisherige Passwort ist falsch.',
  });
  if (!confirmed.ok) return confirmed.outcome;
  const { row, actor } = confirmed;
  let passwordHash: string;
  try {
    passwordHash = await hashNewPassword(input.password, { email: row.email, name: row.name });
  } catch (error) {
    if (error instanceof PasswordPolicyError) return { ok: false, message: error.message, fieldErrors: { password: error.message } };
    throw error;
  }
  await row.update({ passwordHash, passwordChangedAt: new Date() });
  const ended = await endSessions(user.id, currentSessionToken);
  await auditAccount(actor, 'password_changed', { type: 'user', id: user.id }, { otherSessionsEnded: ended });
  await sendAccountMail({
    to: row.email,
    dedupeKey: `account:password-changed:${user.id}:${Date.now()}`,
    subject: 'Ihr Passwort wurde geändert',
    recipientName: row.name,
    organisationName: user.organisationName,
    paragraphs: [
      `das Passwort Ihres Kontos wurde am ${formatDateTime(new Date())} geändert; alle anderen Sitzungen wurden beendet.`,
      'Waren Sie das nicht, setzen Sie Ihr Passwort bitte sofort über „Passwort vergessen?“ auf der Anmeldeseite zurück.',
    ],
    action: { label: 'Zur Anmeldung', url: `${publicBaseUrl()}/login` },
  });
  return { ok: true, message: `Ihr Passwort ist geändert.${ended > 0 ? ` ${ended} andere Sitzung(en) wurden beendet.` : ''}` };
}

// ---------------------------------------------------------------------------------------------
// Sessions

export interface SessionRow {
  /** The row's key (the SHA-256 of its token): names it in the form, useless as a cookie. */
  key: string;
  current: boolean;
  createdAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export async function ownSessions(user: SessionUser, currentSessionToken: string | null): Promise<SessionRow[]> {
  const current = currentSessionToken ? sessionKey(currentSessionToken) : null;
  const rows = await db().models.Session.findAll({
    where: { userId: user.id },
    order: [['createdAt', 'DESC']],
    raw: true,
  });
  return rows
    .filter((row) => row.expiresAt > new Date())
    .map((row) => ({
      key: row.id,
      current: row.id === current,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      ip: row.ip,
      userAgent: row.userAgent,
    }));
}

/** Ends the user's sessions except `keepToken`'s (null: all); returns how many ended. */
async function endSessions(userId: number, keepToken: string | null): Promise<number> {
  const keep = keepToken ? sessionKey(keepToken) : null;
  const { Session } = db().models;
  const rows = await Session.findAll({ where: { userId }, attributes: ['id'], raw: true });
  const ids = rows.map((r) => r.id).filter((id) => id !== keep);
  return ids.length === 0 ? 0 : Session.destroy({ where: { userId, id: ids } });
}

export async function endSession(user: SessionUser, key: string, context: RequestContext | undefined): Promise<FormOutcome> {
  const ended = await db().models.Session.destroy({ where: { userId: user.id, id: key } });
  if (ended === 0) return { ok: false, message: 'Diese Sitzung besteht nicht mehr.' };
  await auditAccount(sessionActor(user, context), 'session_ended', { type: 'user', id: user.id }, { session: key.slice(0, 12) });
  return { ok: true, message: 'Die Sitzung ist beendet.' };
}

/** "Überall abmelden": every session (`keepToken` null) or every other one. */
export async function endAllSessions(
  user: SessionUser,
  keepToken: string | null,
  context: RequestContext | undefined,
): Promise<FormOutcome> {
  const ended = await endSessions(user.id, keepToken);
  await auditAccount(
    sessionActor(user, context),
    keepToken ? 'other_sessions_ended' : 'all_sessions_ended',
    { type: 'user', id: user.id },
    { ended },
  );
  return { ok: true, message: keepToken ? `${ended} andere Sitzung(en) beendet.` : 'Sie sind überall abgemeldet.' };
}

// ---------------------------------------------------------------------------------------------
// The account page

export interface AccountSummary {
  name: string;
  email: string;
  role: string;
  emailVerified: boolean;
  pendingEmail: string | null;
  passwordChangedAt: Date | null;
  createdAt: Date;
}

export async function accountSummary(user: SessionUser): Promise<AccountSummary> {
  const row = await db().models.User.findByPk(user.id);
  if (!row) throw new Error(`user ${user.id} vanished`);
  const pending = await db().models.AccountToken.findOne({
    where: { userId: user.id, purpose: 'verify-email', usedAt: null, revokedAt: null },
    order: [['createdAt', 'DESC']],
  });
  const pendingEmail = pending && pending.expiresAt > new Date() && pending.email !== normaliseEmail(row.email) ? pending.email : null;
  return {
    name: row.name,
    email: row.email,
    role: ROLE_LABELS[row.role],
    emailVerified: row.emailVerifiedAt !== null,
    pendingEmail,
    passwordChangedAt: row.passwordChangedAt ?? null,
    createdAt: row.createdAt,
  };
}

// ---------------------------------------------------------------------------------------------
// Staff accounts

export const StaffForm = z.object({
  name: z.string().trim().min(1, 'Bitte geben Sie den Namen ein.').max(200, 'Der Name ist zu lang (höchstens 200 Zeichen).'),
  email: emailField,
  role: z.enum(STAFF_ROLES, { errorMap: () => ({ message: 'Bitte wählen Sie eine Rolle.' }) }),
});

export interface StaffRow {
  id: number;
  name: string;
  email: string;
  role: StaffRole;
  roleLabel: string;
  passwordSet: boolean;
  secondFactor: boolean;
  setupExpiresAt: Date | null;
  createdAt: Date;
}

export async function staffAccounts(manager: SessionUser): Promise<StaffRow[]> {
  const rows = await db().sequelize.query<Omit<StaffRow, 'roleLabel'>>(
    `SELECT u.id, u.name, u.email, u.role, (u.password_hash IS NOT NULL) AS "passwordSet",
            (u.totp_enabled_at IS NOT NULL) AS "secondFactor", u.created_at AS "createdAt",
            (SELECT max(a.expires_at) FROM account_tokens a
              WHERE a.user_id = u.id AND a.purpose = 'setup' AND a.used_at IS NULL AND a.revoked_at IS NULL AND a.expires_at > now()) AS "setupExpiresAt"
       FROM users u
      WHERE u.organisation_id = :organisationId AND u.role IN (:roles)
      ORDER BY u.role, u.name, u.id`,
    { replacements: { organisationId: manager.organisationId, roles: [...STAFF_ROLES] }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => ({ ...row, roleLabel: ROLE_LABELS[row.role] }));
}

async function sendSetupLink(user: User, manager: SessionUser): Promise<void> {
  await revokePending({ userId: user.id }, ['setup']);
  const issued = await issueSecret('setup', {
    organisationId: user.organisationId,
    userId: user.id,
    email: user.email,
    createdBy: manager.id,
  });
  await sendAccountMail({
    to: user.email,
    dedupeKey: `account:setup:${issued.row.id}`,
    subject: `Ihr Konto bei ${manager.organisationName}`,
    recipientName: user.name,
    organisationName: manager.organisationName,
    paragraphs: [
      `${manager.name} hat für Sie ein Konto im Portal von ${manager.organisationName} eingerichtet (Rolle: ${ROLE_LABELS[user.role]}).`,
      `Über den folgenden Link legen Sie Ihr Passwort fest; er ist bis ${formatDate(issued.row.expiresAt)} gültig und nur einmal verwendbar.`,
    ],
    action: {
      label: 'Passwort festlegen',
      url: `${publicBaseUrl()}/passwort/zuruecksetzen?token=${encodeURIComponent(issued.secret)}`,
    },
  });
}

export async function createStaffAccount(
  manager: SessionUser,
  input: z.infer<typeof StaffForm>,
  context: RequestContext | undefined,
): Promise<FormOutcome> {
  if (await userByEmail(input.email))
    return {
      ok: false,
      message: 'Für diese E-Mail-Adresse besteht bereits ein Konto.',
      fieldErrors: { email: 'Für diese E-Mail-Adresse besteht bereits ein Konto.' },
    };
  const user = await db().models.User.create({
    organisationId: manager.organisationId,
    name: input.name,
    email: input.email,
    role: input.role,
    passwordHash: null,
  });
  // A new manager starts with the daily digest for routine notices (urgent ones still arrive at once).
  const rhythm = newAccountMailRhythm(input.role);
  if (rhythm) await saveMailRhythm(user, rhythm);
  await auditAccount(
    sessionActor(manager, context),
    'staff_account_created',
    { type: 'user', id: user.id },
    { role: input.role, email: input.email },
  );
  await sendSetupLink(user, manager);
  return {
    ok: true,
    message: `Das Konto für ${input.name} (${ROLE_LABELS[input.role]}) ist angelegt; der Link zum Festlegen des Passworts ist an ${input.email} gesendet.`,
  };
}

export async function resendStaffSetup(
  manager: SessionUser,
  userId: number,
  context: RequestContext | undefined,
): Promise<FormOutcome | null> {
  const user = await db().models.User.findOne({ where: { id: userId, organisationId: manager.organisationId, role: [...STAFF_ROLES] } });
  if (!user) return null;
  if (user.passwordHash) return { ok: false, message: `${user.name} hat das Passwort bereits festgelegt.` };
  await sendSetupLink(user, manager);
  await auditAccount(sessionActor(manager, context), 'staff_setup_resent', { type: 'user', id: user.id });
  return { ok: true, message: `Ein neuer Link ist an ${user.email} gesendet.` };
}
