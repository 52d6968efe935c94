// The manager's side of tenants' portal access: who has an account, who is invited; invitations
// per unit or for a whole property, by e-mail link where the tenancy has an address, else by a
// printed activation letter (one A4 page per tenant, rendered by the PDF renderer from a
// Handlebars template); the move-out; and `portalAccessCode` for other letters.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { QueryTypes, type Transaction } from 'sequelize';
import { z } from 'zod';
import { PASSWORD_MIN_LENGTH, formatActivationCode } from '../domain/accounts';
import { calendarDate } from '../domain/calendar';
import { addDays, isDate } from '../domain/dates';
import { formatDate } from '../domain/format';
import type { Db } from '../db';
import { appendAudit } from '../db/audit';
import { auditAccount, publicBaseUrl, type AccountActor } from './account-security';
import { issueSecret, revokePending } from './account-tokens';
import { sendAccountMail } from './account-mail';
import { normaliseEmail } from './auth';
import { db } from './db';
import { clientIp, type RequestContext } from './request';
import type { SessionUser } from './session';
import { pdfRenderer } from './statements';

export function actorOfUser(user: SessionUser, context: RequestContext | undefined): AccountActor {
  return { userId: user.id, actor: user.email, organisationId: user.organisationId, ip: clientIp(context) };
}

// ---------------------------------------------------------------------------------------------
// Overview

export interface PropertyAccessSummary {
  id: number;
  name: string;
  tenancies: number;
  withAccount: number;
  invited: number;
  withoutAccess: number;
}

/** Per property of the manager's organisation: running tenancies and how many can get in. */
export async function accessOverview(user: SessionUser, today = calendarDate(new Date())): Promise<PropertyAccessSummary[]> {
  return db().sequelize.query<PropertyAccessSummary>(
    `SELECT p.id, p.name,
            count(t.id)::int AS tenancies,
            count(t.id) FILTER (WHERE t.user_id IS NOT NULL)::int AS "withAccount",
            count(t.id) FILTER (WHERE t.user_id IS NULL AND pending.id IS NOT NULL)::int AS invited,
            count(t.id) FILTER (WHERE t.user_id IS NULL AND pending.id IS NULL)::int AS "withoutAccess"
       FROM properties p
       LEFT JOIN units u ON u.property_id = p.id
       LEFT JOIN tenancies t ON t.unit_id = u.id AND t.starts_on <= :today AND (t.ends_on IS NULL OR t.ends_on >= :today)
       LEFT JOIN LATERAL (
         SELECT a.id FROM account_tokens a
          WHERE a.tenancy_id = t.id AND a.purpose IN ('invitation','letter-code')
            AND a.used_at IS NULL AND a.revoked_at IS NULL AND a.expires_at > now()
          LIMIT 1
       ) pending ON true
      WHERE p.organisation_id = :organisationId
      GROUP BY p.id, p.name
      ORDER BY p.name, p.id`,
    { replacements: { organisationId: user.organisationId, today }, type: QueryTypes.SELECT },
  );
}

export interface TenancyAccessRow {
  tenancyId: number;
  unitId: number;
  unitLabel: string;
  floor: string | null;
  tenantName: string;
  contactEmail: string | null;
  startsOn: string;
  endsOn: string | null;
  accountEmail: string | null;
  accountVerified: boolean;
  pendingPurpose: 'invitation' | 'letter-code' | null;
  pendingEmail: string | null;
  pendingCreatedAt: string | null;
  pendingExpiresAt: string | null;
}

export interface PropertyAccess {
  property: { id: number; name: string; street: string; postalCode: string; city: string };
  rows: TenancyAccessRow[];
}

/** The running tenancies of one property of the manager's organisation with their access; null: not found. */
export async function propertyAccess(
  user: SessionUser,
  propertyId: number,
  today = calendarDate(new Date()),
): Promise<PropertyAccess | null> {
  const property = await db().models.Property.findOne({
    where: { id: propertyId, organisationId: user.organisationId },
    attributes: ['id', 'name', 'street', 'postalCode', 'city'],
    raw: true,
  });
  if (!property) return null;
  const rows = await db().sequelize.query<TenancyAccessRow>(
    `SELECT t.id AS "tenancyId", u.id AS "unitId", u.label AS "unitLabel", u.floor, t.tenant_name AS "tenantName",
            t.contact_email AS "contactEmail", t.starts_on AS "startsOn", t.ends_on AS "endsOn",
            acc.email AS "accountEmail", (acc.email_verified_at IS NOT NULL) AS "accountVerified",
            pending.purpose AS "pendingPurpose", pending.email AS "pendingEmail",
            pending.created_at AS "pendingCreatedAt", pending.expires_at AS "pendingExpiresAt"
       FROM units u
       JOIN tenancies t ON t.unit_id = u.id AND t.starts_on <= :today AND (t.ends_on IS NULL OR t.ends_on >= :today)
       LEFT JOIN users acc ON acc.id = t.user_id
       LEFT JOIN LATERAL (
         SELECT a.purpose, a.email, a.created_at, a.expires_at FROM account_tokens a
          WHERE a.tenancy_id = t.id AND a.purpose IN ('invitation','letter-code')
            AND a.used_at IS NULL AND a.revoked_at IS NULL AND a.expires_at > now()
          ORDER BY a.created_at DESC LIMIT 1
       ) pending ON true
      WHERE u.property_id = :propertyId
      ORDER BY u.label, t.starts_on`,
    { replacements: { propertyId, today }, type: QueryTypes.SELECT },
  );
  return { property, rows };
}

// ---------------------------------------------------------------------------------------------
// Issuing invitations

export interface ActivationLetter {
  tenantName: string;
  propertyName: string;
  street: string;
  unitLabel: string;
  floor: string | null;
  postalCode: string;
  city: string;
  organisationName: string;
  code: string;
  activationUrl: string;
  expiresOn: string;
  expiresAt: Date;
  date: string;
}

interface TenancyPlace {
  tenancyId: number;
  userId: number | null;
  tenantName: string;
  contactEmail: string | null;
  startsOn: string;
  endsOn: string | null;
  unitId: number;
  unitLabel: string;
  floor: string | null;
  propertyId: number;
  propertyName: string;
  street: string;
  postalCode: string;
  city: string;
  organisationId: number;
  organisationName: string;
}

async function tenancyPlaces(
  database: Db,
  where: { tenancyId?: number; propertyId?: number },
  transaction?: Transaction,
): Promise<TenancyPlace[]> {
  return database.sequelize.query<TenancyPlace>(
    `SELECT t.id AS "tenancyId", t.user_id AS "userId", t.tenant_name AS "tenantName", t.contact_email AS "contactEmail",
            t.starts_on AS "startsOn", t.ends_on AS "endsOn",
            u.id AS "unitId", u.label AS "unitLabel", u.floor, p.id AS "propertyId", p.name AS "propertyName",
            p.street, p.postal_code AS "postalCode", p.city, o.id AS "organisationId", o.name AS "organisationName"
       FROM tenancies t JOIN units u ON u.id = t.unit_id JOIN properties p ON p.id = u.property_id
       JOIN organisations o ON o.id = p.organisation_id
      WHERE ${where.tenancyId !== undefined ? 't.id = :tenancyId' : 'p.id = :propertyId'}
      ORDER BY u.label, t.starts_on`,
    { replacements: where, type: QueryTypes.SELECT, transaction },
  );
}

const isRunning = (place: Pick<TenancyPlace, 'startsOn' | 'endsOn'>, today: string) =>
  place.startsOn <= today && (place.endsOn === null || place.endsOn >= today);

async function letterFor(
  database: Db,
  place: TenancyPlace,
  subject: { createdBy: number | null },
  baseUrl: string,
  transaction?: Transaction,
): Promise<ActivationLetter> {
  const issued = await issueSecret(
    'letter-code',
    { organisationId: place.organisationId, tenancyId: place.tenancyId, createdBy: subject.createdBy },
    transaction,
  );
  return {
    tenantName: place.tenantName,
    propertyName: place.propertyName,
    street: place.street,
    unitLabel: place.unitLabel,
    floor: place.floor,
    postalCode: place.postalCode,
    city: place.city,
    organisationName: place.organisationName,
    code: formatActivationCode(issued.secret),
    activationUrl: `${baseUrl}/aktivieren`,
    expiresOn: formatDate(issued.row.expiresAt),
    expiresAt: issued.row.expiresAt,
    date: formatDate(new Date()),
  };
}

async function emailInvitation(place: TenancyPlace, email: string, actor: AccountActor, baseUrl: string): Promise<void> {
  const issued = await issueSecret('invitation', {
    organisationId: place.organisationId,
    tenancyId: place.tenancyId,
    email,
    createdBy: actor.userId,
  });
  await sendAccountMail({
    to: email,
    dedupeKey: `account:invitation:${issued.row.id}`,
    subject: `Ihr Zugang zum Mieterportal: ${place.propertyName}, ${place.unitLabel}`,
    recipientName: place.tenantName,
    organisationName: place.organisationName,
    paragraphs: [
      `für Ihre Wohnung ${place.unitLabel} in der Liegenschaft ${place.propertyName} lädt ${place.organisationName} Sie zum Mieterportal ein.`,
      'Dort sehen Sie Ihren monatlichen Verbrauch und Ihre Abrechnungen und können Anliegen und Terminwünsche direkt übermitteln.',
      `Über den folgenden Link legen Sie Ihr Passwort fest; er ist bis ${formatDate(issued.row.expiresAt)} gültig und nur einmal verwendbar.`,
    ],
    action: { label: 'Zugang einrichten', url: `${baseUrl}/aktivieren?token=${encodeURIComponent(issued.secret)}` },
    note: 'Sie haben diese Einladung nicht erwartet? Dann ignorieren Sie diese Nachricht einfach; ohne den Link entsteht kein Zugang.',
  });
  await auditAccount(actor, 'tenant_invited', { type: 'tenancy', id: place.tenancyId }, { via: 'email', email, tokenId: issued.row.id });
}

export const InviteForm = z.object({
  via: z.enum(['email', 'letter'], { errorMap: () => ({ message: 'Bitte wählen Sie E-Mail oder Brief.' }) }),
  email: z
    .string()
    .trim()
    .max(254, 'Die E-Mail-Adresse ist zu lang (höchstens 254 Zeichen).')
    .optional()
    .transform((value) => (value ? value : undefined)),
});

export type InviteOutcome =
  | { ok: true; kind: 'email'; message: string }
  | { ok: true; kind: 'letter'; letters: ActivationLetter[] }
  | { ok: false; message: string; field?: string };

/** Invites one running tenancy without an account; a new invitation replaces the tenancy's earlier ones. */
export async function inviteTenancy(
  user: SessionUser,
  tenancyId: number,
  input: { via: 'email' | 'letter'; email?: string },
  context: RequestContext | undefined,
): Promise<InviteOutcome | null> {
  const [place] = await tenancyPlaces(db(), { tenancyId });
  if (!place || place.organisationId !== user.organisationId) return null;
  if (!isRunning(place, calendarDate(new Date())))
    return { ok: false, message: 'Das Mietverhältnis läuft nicht (mehr); eine Einladung ist nicht möglich.' };
  if (place.userId !== null) return { ok: false, message: `${place.tenantName} hat bereits einen Zugang.` };
  const actor = actorOfUser(user, context);
  const baseUrl = publicBaseUrl();
  await revokePending({ tenancyId }, ['invitation', 'letter-code']);
  if (input.via === 'email') {
    const email = input.email ? normaliseEmail(input.email) : place.contactEmail;
    if (!email || !z.string().email().safeParse(email).success)
      return { ok: false, field: 'email', message: 'Bitte geben Sie eine gültige E-Mail-Adresse ein.' };
    if (email !== place.contactEmail) await db().models.Tenancy.update({ contactEmail: email }, { where: { id: tenancyId } });
    await emailInvitation(place, email, actor, baseUrl);
    return { ok: true, kind: 'email', message: `Die Einladung an ${email} ist versandt.` };
  }
  const letter = await letterFor(db(), place, { createdBy: user.id }, baseUrl);
  await auditAccount(actor, 'tenant_invited', { type: 'tenancy', id: tenancyId }, { via: 'letter' });
  return { ok: true, kind: 'letter', letters: [letter] };
}

/**
 * One step for a whole property: every running tenancy without an account and without a pending
 * invitation is invited, by e-mail where the tenancy has an address, else by letter.
 */
export async function inviteProperty(
  user: SessionUser,
  propertyId: number,
  context: RequestContext | undefined,
): Promise<{ emailed: number; letters: ActivationLetter[] } | null> {
  const access = await propertyAccess(user, propertyId);
  if (!access) return null;
  const places = (await tenancyPlaces(db(), { propertyId })).filter((p) =>
    access.rows.some((row) => row.tenancyId === p.tenancyId && row.accountEmail === null && row.pendingPurpose === null),
  );
  const actor = actorOfUser(user, context);
  const baseUrl = publicBaseUrl();
  let emailed = 0;
  const letters: ActivationLetter[] = [];
  for (const place of places) {
    if (place.contactEmail) {
      await emailInvitation(place, place.contactEmail, actor, baseUrl);
      emailed += 1;
    } else {
      letters.push(await letterFor(db(), place, { createdBy: user.id }, baseUrl));
    }
  }
  await auditAccount(actor, 'property_tenants_invited', { type: 'property', id: propertyId }, { emailed, letters: letters.length });
  return { emailed, letters };
}

// ---------------------------------------------------------------------------------------------
// The letters as one PDF

const LETTER_TEMPLATE = fileURLToPath(new URL('./templates/activation-letter.hbs', import.meta.url));
let letterTemplate: HandlebarsTemplateDelegate | undefined;

export function activationLettersHtml(letters: readonly ActivationLetter[]): string {
  letterTemplate ??= Handlebars.compile(readFileSync(LETTER_TEMPLATE, 'utf8'), { strict: true });
  return letterTemplate({ letters, passwordMinLength: PASSWORD_MIN_LENGTH });
}

/** One A4 page per letter, in one PDF. */
export async function activationLettersPdf(letters: readonly ActivationLetter[]): Promise<Buffer> {
  return pdfRenderer().renderPdf(activationLettersHtml(letters), { footer: 'Zugang zum Mieterportal' });
}

export function lettersResponse(pdf: Buffer, fileName: string): Response {
  return new Response(new Uint8Array(pdf), {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
      'Content-Length': String(pdf.length),
      // The codes in it are secrets: no cache anywhere.
      'Cache-Control': 'private, no-store',
    },
  });
}

// ---------------------------------------------------------------------------------------------
// For other letters (statement, monthly information)

export interface PortalAccess {
  /** Formatted for print: ABCD-EFGH-JKMN. */
  code: string;
  activationUrl: string;
  expiresAt: Date;
  /** The line to print, e.g. "Ihr Portalzugang: Code ABCD-EFGH-JKMN unter https://…/aktivieren (gültig bis 31.03.2027)". */
  line: string;
}

/**
 * A fresh activation code for a letter to the tenant of `tenancyId`, or null when the tenancy
 * already has an account, has ended, or is unknown. Earlier codes stay valid until they expire (an
 * earlier letter may still be on its way); the first one used revokes the others. Call it while
 * rendering the letter and print `line`; the code itself is never stored, only its hash.
 */
export async function portalAccessCode(
  database: Db,
  input: { tenancyId: number; actor: { userId: number | null; email: string }; document: string; baseUrl?: string },
  transaction?: Transaction,
): Promise<PortalAccess | null> {
  const [place] = await tenancyPlaces(database, { tenancyId: input.tenancyId }, transaction);
  if (!place || place.userId !== null || !isRunning(place, calendarDate(new Date()))) return null;
  const letter = await letterFor(database, place, { createdBy: input.actor.userId }, input.baseUrl ?? publicBaseUrl(), transaction);
  await appendAudit(
    database,
    {
      organisationId: place.organisationId,
      actorId: input.actor.userId,
      actor: input.actor.email,
      action: 'tenant_invited',
      entity: 'tenancy',
      entityId: place.tenancyId,
      details: { via: 'letter', document: input.document },
    },
    transaction,
  );
  return {
    code: letter.code,
    activationUrl: letter.activationUrl,
    expiresAt: letter.expiresAt,
    line: portalAccessLine(letter),
  };
}

export function portalAccessLine(access: { code: string; activationUrl: string; expiresOn: string }): string {
  return `Ihr Portalzugang: Code ${access.code} unter ${access.activationUrl} (gültig bis ${access.expiresOn})`;
}

// ---------------------------------------------------------------------------------------------
// Move-out

export const MoveOutForm = z.object({
  endsOn: z.string().refine(isDate, 'Bitte geben Sie das Auszugsdatum als Datum an (TT.MM.JJJJ).'),
  nextTenantName: z.string().trim().max(200, 'Der Name ist zu lang (höchstens 200 Zeichen).').optional(),
  nextTenantEmail: z
    .string()
    .trim()
    .max(254, 'Die E-Mail-Adresse ist zu lang (höchstens 254 Zeichen).')
    .optional()
    .refine((value) => !value || z.string().email().safeParse(value).success, 'Bitte geben Sie eine gültige E-Mail-Adresse ein.'),
});

/**
 * Records a tenancy's end (the tenant keeps its account, sees the unit until `endsOn` and what was
 * delivered to it afterwards) and, optionally, the next tenant from the day after.
 */
export async function recordMoveOut(
  user: SessionUser,
  tenancyId: number,
  input: z.infer<typeof MoveOutForm>,
  context: RequestContext | undefined,
): Promise<{ ok: boolean; message: string } | null> {
  const [place] = await tenancyPlaces(db(), { tenancyId });
  if (!place || place.organisationId !== user.organisationId) return null;
  if (place.endsOn !== null)
    return { ok: false, message: `Für ${place.tenantName} ist bereits ein Auszug zum ${formatDate(place.endsOn)} eingetragen.` };
  if (input.endsOn < place.startsOn) return { ok: false, message: 'Das Auszugsdatum liegt vor dem Beginn des Mietverhältnisses.' };
  const actor = actorOfUser(user, context);
  await db().sequelize.transaction(async (transaction) => {
    await db().models.Tenancy.update({ endsOn: input.endsOn }, { where: { id: tenancyId }, transaction });
    // Invitations for a tenancy that ends are of no use to anyone.
    await revokePending({ tenancyId }, ['invitation', 'letter-code'], { transaction });
    let nextTenancyId: number | null = null;
    if (input.nextTenantName) {
      const next = await db().models.Tenancy.create(
        {
          unitId: place.unitId,
          userId: null,
          tenantName: input.nextTenantName,
          startsOn: addDays(input.endsOn, 1),
          endsOn: null,
          contactEmail: input.nextTenantEmail ? normaliseEmail(input.nextTenantEmail) : null,
        },
        { transaction },
      );
      nextTenancyId = next.id;
    }
    await auditAccount(
      actor,
      'tenancy_ended',
      { type: 'tenancy', id: tenancyId },
      { endsOn: input.endsOn, unitId: place.unitId, hadAccount: place.userId !== null, nextTenancyId },
      transaction,
    );
  });
  return {
    ok: true,
    message: `Auszug von ${place.tenantName} zum ${formatDate(input.endsOn)} eingetragen${input.nextTenantName ? `; ${input.nextTenantName} ist ab ${formatDate(addDays(input.endsOn, 1))} Mieter` : ''}.`,
  };
}
