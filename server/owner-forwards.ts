// Issue 14 item 3: a manager forwards an approved statement, a property's monthly-information summary
// (one month) or its register report to the property's owner. The owner gets a bell notice
// (notifyUsers, topic 'statement') and a row in their list of forwarded documents with its own
// delivery record: forwarded at/by, first opened at. Both steps are audited.
import { redirect } from '@remix-run/node';
import { QueryTypes } from 'sequelize';
import type { Db } from '../db';
import { appendAudit } from '../db/audit';
import { calendarDate } from '../domain/calendar';
import { formatDate } from '../domain/format';
import { germanMonth, isYearMonth, type YearMonth } from '../domain/monthly';
import { parseRegisterFilters, registerQuery, type RegisterFilters } from '../domain/register-filters';
import { formatPeriod } from '../domain/statement-format';
import { parseId } from '../domain/params';
import { hasPermission } from '../domain/permissions';
import type { StatementStatus } from '../domain/statement-lifecycle';
import { accountMailer } from './account-mail';
import { config } from './config';
import { db as sharedDb } from './db';
import { genericNotice, notifyUsers } from './notifications';
import { notFound, requireUserWithPermission } from './permissions';
import { clientIp, requireSameOrigin, type RequestContext } from './request';
import type { SessionUser } from './session';

/** Only released versions leave the house: drafts may still change, superseded ones are wrong. */
export const FORWARDABLE_STATUSES: readonly StatementStatus[] = ['approved', 'delivered', 'final'];

/** What the statement page tells the manager after forwarding (a code in the redirect's query, not free text). */
export const FORWARD_MESSAGES = {
  ok: 'An den Eigentümer weitergeleitet; er findet das Dokument unter „Weitergeleitete Dokumente“.',
  status: 'Nur freigegebene Abrechnungen können an Eigentümer weitergeleitet werden.',
  owner: 'Für diese Liegenschaft ist kein Eigentümer mit Portalzugang hinterlegt.',
  empty: 'Für diesen Monat gibt es in dieser Liegenschaft noch keine Monatsinformationen.',
} as const;

/** What a manager forwards to owners (owner_forwards.document_kind). */
export type ForwardKind = 'statement' | 'monthly-summary' | 'register-report';
export type ForwardCode = keyof typeof FORWARD_MESSAGES;

export type ForwardOutcome = { code: ForwardCode; ownerIds: number[] } | null;

interface StatementRow {
  id: number;
  status: StatementStatus;
  version: number;
  periodStart: string;
  periodEnd: string;
  propertyId: number;
  propertyName: string;
  ownerId: number | null;
  ownerName: string | null;
  ownerEmail: string | null;
}

/** One document to forward: its key (kind, id, ref), its title, and where the audit entry and the notice point. */
interface ForwardDocument {
  kind: ForwardKind;
  documentId: number;
  ref: string;
  title: string;
  propertyId: number;
  propertyName: string;
  audit: { entity: string; entityId: number; action: string; details: Record<string, unknown> };
  notice: { title: string; reference: string; facts: Array<{ label: string; value: string }> };
}

/** Records the forward to `owner` (the first record stays), audits it, and tells the owner. */
async function recordForward(
  user: SessionUser,
  owner: { id: number; name: string; email: string },
  document: ForwardDocument,
  context: RequestContext | undefined,
  database: Db,
): Promise<void> {
  await database.sequelize.transaction(async (transaction) => {
    await database.sequelize.query(
      `INSERT INTO owner_forwards (organisation_id, property_id, owner_id, document_kind, document_id, document_ref, title, forwarded_by)
       VALUES (:organisationId, :propertyId, :ownerId, :kind, :documentId, :ref, :title, :userId)
       ON CONFLICT (owner_id, document_kind, document_id, document_ref) DO NOTHING`,
      {
        replacements: {
          organisationId: user.organisationId,
          propertyId: document.propertyId,
          ownerId: owner.id,
          kind: document.kind,
          documentId: document.documentId,
          ref: document.ref,
          title: document.title,
          userId: user.id,
        },
        transaction,
      },
    );
    const { entity, entityId, action, details } = document.audit;
    const entry = { organisationId: user.organisationId, actorId: user.id, actor: user.email, action, entity, entityId };
    await appendAudit(database, { ...entry, ip: clientIp(context), details: { ownerId: owner.id, ...details } }, transaction);
  });
  await notifyUsers(
    { db: database, mailer: accountMailer(), publicUrl: config().PUBLIC_URL ?? '' },
    {
      recipients: [owner],
      // The owner's "Heizkostenabrechnungen" setting covers all documents forwarded by the manager.
      topic: 'statement',
      kind: `${document.kind}-forwarded`,
      urgency: 'routine',
      dedupeKey: `${document.kind}-forwarded:${document.documentId}:${document.ref}:${owner.id}`,
      propertyId: document.propertyId,
      compose: () =>
        genericNotice({
          title: document.notice.title,
          body: `${user.name} hat Ihnen „${document.title}“ weitergeleitet.`,
          link: '/weiterleitungen',
          reference: document.notice.reference,
          facts: document.notice.facts,
          actionLabel: 'Dokumente ansehen',
        }),
    },
  );
}

/** Forwards statement `statementId` of the manager's organisation to its property's owner; null: no such statement. */
export async function forwardStatementToOwners(
  user: SessionUser,
  statementId: number,
  context: RequestContext | undefined,
  database: Db = sharedDb(),
): Promise<ForwardOutcome> {
  const [row] = await database.sequelize.query<StatementRow>(
    `SELECT s.id, s.status, s.version, s.period_start AS "periodStart", s.period_end AS "periodEnd",
            p.id AS "propertyId", p.name AS "propertyName", o.id AS "ownerId", o.name AS "ownerName", o.email AS "ownerEmail"
       FROM statements s JOIN properties p ON p.id = s.property_id
       LEFT JOIN users o ON o.id = p.owner_id AND o.role = 'owner' AND o.organisation_id = p.organisation_id
      WHERE s.id = :statementId AND p.organisation_id = :organisationId`,
    { replacements: { statementId, organisationId: user.organisationId }, type: QueryTypes.SELECT },
  );
  if (!row) return null;
  if (!FORWARDABLE_STATUSES.includes(row.status)) return { code: 'status', ownerIds: [] };
  if (row.ownerId === null || row.ownerName === null || row.ownerEmail === null) return { code: 'owner', ownerIds: [] };
  const owner = { id: row.ownerId, name: row.ownerName, email: row.ownerEmail };
  const period = formatPeriod(row.periodStart, row.periodEnd);
  await recordForward(
    user,
    owner,
    {
      kind: 'statement',
      documentId: statementId,
      ref: '',
      title: `Heizkostenabrechnung ${period} · ${row.propertyName} (v${row.version})`,
      propertyId: row.propertyId,
      propertyName: row.propertyName,
      audit: {
        entity: 'statement',
        entityId: statementId,
        action: 'statement.forwarded-to-owner',
        details: { propertyId: row.propertyId, version: row.version },
      },
      notice: {
        title: 'Abrechnung an Sie weitergeleitet',
        reference: `Abrechnung ${statementId}`,
        facts: [
          { label: 'Liegenschaft', value: row.propertyName },
          { label: 'Zeitraum', value: period },
        ],
      },
    },
    context,
    database,
  );
  return { code: 'ok', ownerIds: [owner.id] };
}

/** What a manager forwards of a property besides statements. */
export type PropertyDocument = { kind: 'monthly-summary'; month: YearMonth } | { kind: 'register-report'; filters: RegisterFilters };

/** Forwards a property's monthly-information summary or register report to its owner; null: no such property in the organisation. */
export async function forwardPropertyDocument(
  user: SessionUser,
  propertyId: number,
  document: PropertyDocument,
  context: RequestContext | undefined,
  database: Db = sharedDb(),
  now = new Date(),
): Promise<ForwardOutcome> {
  const [row] = await database.sequelize.query<Omit<StatementRow, 'id' | 'status' | 'version' | 'periodStart' | 'periodEnd'>>(
    `SELECT p.id AS "propertyId", p.name AS "propertyName", o.id AS "ownerId", o.name AS "ownerName", o.email AS "ownerEmail"
       FROM properties p
       LEFT JOIN users o ON o.id = p.owner_id AND o.role = 'owner' AND o.organisation_id = p.organisation_id
      WHERE p.id = :propertyId AND p.organisation_id = :organisationId`,
    { replacements: { propertyId, organisationId: user.organisationId }, type: QueryTypes.SELECT },
  );
  if (!row) return null;
  if (row.ownerId === null || row.ownerName === null || row.ownerEmail === null) return { code: 'owner', ownerIds: [] };
  const owner = { id: row.ownerId, name: row.ownerName, email: row.ownerEmail };
  const facts = [{ label: 'Liegenschaft', value: row.propertyName }];
  let forwarded: ForwardDocument;
  if (document.kind === 'monthly-summary') {
    const summary = await monthlySummaryOf(propertyId, document.month, database);
    if (summary.informed === 0) return { code: 'empty', ownerIds: [] };
    forwarded = {
      kind: 'monthly-summary',
      documentId: propertyId,
      ref: document.month,
      title: `Monatsinformationen ${germanMonth(document.month)} · ${row.propertyName}`,
      propertyId,
      propertyName: row.propertyName,
      audit: {
        entity: 'property',
        entityId: propertyId,
        action: 'monthly-summary.forwarded-to-owner',
        details: { month: document.month },
      },
      notice: {
        title: 'Monatsinformationen an Sie weitergeleitet',
        reference: `Monatsinformationen ${document.month}`,
        facts: [...facts, { label: 'Monat', value: germanMonth(document.month) }],
      },
    };
  } else {
    const query = registerQuery({ ...document.filters, propertyId, page: 1 });
    const day = calendarDate(now);
    forwarded = {
      kind: 'register-report',
      documentId: propertyId,
      // Per forwarding day: a register changes, so a later report is a new document; twice a day is one.
      ref: `${day}${query}`,
      title: `Geräteregister ${row.propertyName} · ${formatDate(day)}`,
      propertyId,
      propertyName: row.propertyName,
      audit: { entity: 'property', entityId: propertyId, action: 'register-report.forwarded-to-owner', details: { query } },
      notice: { title: 'Geräteregister an Sie weitergeleitet', reference: `Geräteregister ${day}`, facts },
    };
  }
  await recordForward(user, owner, forwarded, context, database);
  return { code: 'ok', ownerIds: [owner.id] };
}

/** A property's monthly-information summary of one month (no tenant's data: owners read it). */
export interface MonthlySummary {
  units: number;
  informed: number;
  portal: number;
  opened: number;
  noAccount: number;
  vacant: number;
  estimated: number;
  notRemote: number;
  totalKwh: string | null;
  heatingKwh: string | null;
  hotWaterKwh: string | null;
  /** The informed units' consumption against the same month a year before, in %; null without both. */
  changePreviousYear: number | null;
}

async function monthlySummaryOf(propertyId: number, month: YearMonth, database: Db): Promise<MonthlySummary> {
  const [summary] = await database.sequelize.query<Omit<MonthlySummary, 'changePreviousYear'> & { changePreviousYear: string | null }>(
    `SELECT (SELECT count(*) FROM units WHERE property_id = $2)::int AS units, count(mi.id)::int AS informed,
            count(*) FILTER (WHERE mi.delivery = 'portal')::int AS portal, count(mi.opened_at)::int AS opened,
            count(*) FILTER (WHERE mi.delivery = 'no-account')::int AS "noAccount",
            count(*) FILTER (WHERE mi.delivery = 'vacant')::int AS vacant,
            count(*) FILTER (WHERE mi.estimated)::int AS estimated, count(*) FILTER (WHERE NOT mi.remote_readable)::int AS "notRemote",
            sum(mi.total_kwh)::text AS "totalKwh", sum(mi.heating_kwh)::text AS "heatingKwh", sum(mi.hot_water_kwh)::text AS "hotWaterKwh",
            -- Last year's total from each unit's own change (total = last year × (1 + change/100)).
            round((sum(mi.total_kwh) FILTER (WHERE mi.change_previous_year > -100)
                   / NULLIF(sum(mi.total_kwh / (1 + mi.change_previous_year / 100)) FILTER (WHERE mi.change_previous_year > -100), 0) - 1) * 100, 1)::text
              AS "changePreviousYear"
       FROM monthly_information mi WHERE mi.month = $1 AND mi.property_id = $2`,
    { bind: [`${month}-01`, propertyId], type: QueryTypes.SELECT },
  );
  if (!summary) throw new Error(`no summary row for property ${propertyId}`);
  return { ...summary, changePreviousYear: summary.changePreviousYear === null ? null : Number(summary.changePreviousYear) };
}

export interface ForwardRow {
  id: number;
  documentKind: ForwardKind;
  documentId: number;
  title: string;
  propertyName: string;
  ownerName: string;
  forwardedAt: Date;
  forwardedByName: string;
  openedAt: Date | null;
}

// An owner sees what was addressed to them, and only while the property is theirs.
const FORWARD_COLUMNS = `f.id::int AS id, f.document_kind AS "documentKind", f.document_id AS "documentId", f.title,
  p.name AS "propertyName", o.name AS "ownerName", f.forwarded_at AS "forwardedAt", b.name AS "forwardedByName", f.opened_at AS "openedAt"
  FROM owner_forwards f JOIN properties p ON p.id = f.property_id JOIN users o ON o.id = f.owner_id JOIN users b ON b.id = f.forwarded_by`;
const OWNER_SCOPE = 'f.owner_id = :userId AND p.owner_id = f.owner_id';

/** The owner's forwarded documents, or for a manager the delivery records of the organisation (or of one statement). */
export async function forwardsFor(user: SessionUser, statementId: number | null = null, database: Db = sharedDb()): Promise<ForwardRow[]> {
  const where =
    user.role === 'owner'
      ? OWNER_SCOPE
      : `f.organisation_id = :organisationId${statementId === null ? '' : " AND f.document_kind = 'statement' AND f.document_id = :statementId"}`;
  return database.sequelize.query<ForwardRow>(`SELECT ${FORWARD_COLUMNS} WHERE ${where} ORDER BY f.forwarded_at DESC, f.id DESC`, {
    replacements: { userId: user.id, organisationId: user.organisationId, statementId },
    type: QueryTypes.SELECT,
  });
}

/** Where the owner reads a forwarded document. */
function documentPath(kind: ForwardKind, documentId: number, ref: string, forwardId: number): string {
  switch (kind) {
    case 'statement':
      return `/abrechnungen/${documentId}`;
    case 'monthly-summary':
      return `/weiterleitungen?dokument=${forwardId}#dokument`;
    case 'register-report':
      // The register report with the forwarded filters (the ref after its day), in the owner's own scope.
      return `/geraete/bericht.pdf${ref.slice(ref.indexOf('?'))}`;
  }
}

/** The owner opens a forwarded document: the first opening is recorded (and audited); returns its path. */
export async function openForward(
  user: SessionUser,
  forwardId: number,
  context: RequestContext | undefined,
  database: Db = sharedDb(),
): Promise<string | null> {
  return database.sequelize.transaction(async (transaction) => {
    const [row] = await database.sequelize.query<{ kind: ForwardKind; documentId: number; ref: string; firstOpening: boolean }>(
      `UPDATE owner_forwards f SET opened_at = COALESCE(f.opened_at, now())
         FROM properties p
        WHERE f.id = :forwardId AND p.id = f.property_id AND ${OWNER_SCOPE}
        RETURNING f.document_kind AS kind, f.document_id AS "documentId", f.document_ref AS ref, f.opened_at = now() AS "firstOpening"`,
      { replacements: { forwardId, userId: user.id }, type: QueryTypes.SELECT, transaction },
    );
    if (!row) return null;
    if (row.firstOpening) {
      const statement = row.kind === 'statement';
      await appendAudit(
        database,
        {
          organisationId: user.organisationId,
          actorId: user.id,
          actor: user.email,
          action: statement ? 'statement.forward-opened' : `${row.kind}.forward-opened`,
          entity: statement ? 'statement' : 'property',
          entityId: row.documentId,
          ip: clientIp(context),
          details: statement ? { forwardId } : { forwardId, ref: row.ref },
        },
        transaction,
      );
    }
    return documentPath(row.kind, row.documentId, row.ref, forwardId);
  });
}

/** A monthly summary forwarded to the owner (by the forward's id), with its content; null when not theirs. */
export async function forwardedMonthlySummary(
  user: SessionUser,
  forwardId: number,
  database: Db = sharedDb(),
): Promise<{ forward: ForwardRow; month: YearMonth; summary: MonthlySummary } | null> {
  if (user.role !== 'owner') return null;
  const [row] = await database.sequelize.query<ForwardRow & { ref: string; propertyId: number }>(
    `SELECT ${FORWARD_COLUMNS.replace(' FROM ', ', f.document_ref AS ref, f.property_id AS "propertyId" FROM ')}
      WHERE f.id = :forwardId AND f.document_kind = 'monthly-summary' AND ${OWNER_SCOPE}`,
    { replacements: { forwardId, userId: user.id }, type: QueryTypes.SELECT },
  );
  if (!row || !isYearMonth(row.ref)) return null;
  const { ref, propertyId, ...forward } = row;
  return { forward, month: ref, summary: await monthlySummaryOf(propertyId, ref, database) };
}

// ---- the routes' handlers ----

/** The message for a `weiterleitung` code in a page's query (the redirect after forwarding), or null. */
export function forwardMessage(query: URLSearchParams): { ok: boolean; message: string } | null {
  const code = query.get('weiterleitung');
  return code && code in FORWARD_MESSAGES ? { ok: code === 'ok', message: FORWARD_MESSAGES[code as ForwardCode] } : null;
}

/** POST /abrechnungen/:id/weiterleiten: managers (deliver:statement:any) only; back to the statement. */
export async function forwardStatementAction(request: Request, rawId: string | undefined, context: RequestContext | undefined) {
  const user = await requireUserWithPermission(request, 'deliver:statement:any');
  requireSameOrigin(request);
  const id = parseId(rawId);
  const outcome = id ? await forwardStatementToOwners(user, id, context) : null;
  if (!outcome) throw notFound();
  return redirect(`/abrechnungen/${id}?weiterleitung=${outcome.code}#weiterleitung`);
}

/**
 * POST /liegenschaften/:id/weiterleiten: managers forward the property's monthly summary (field `art`
 * = monatsinformation, `monat`) or its register report (`art` = geraetebericht and the register's
 * filters); back to the page the form was on, with the outcome.
 */
export async function forwardPropertyDocumentAction(request: Request, rawId: string | undefined, context: RequestContext | undefined) {
  const user = await requireUserWithPermission(request, 'deliver:statement:any');
  requireSameOrigin(request);
  const propertyId = parseId(rawId);
  if (!propertyId) throw notFound();
  const form = await request.formData();
  const field = (name: string) => String(form.get(name) ?? '');
  const kind = field('art');
  if (kind === 'monatsinformation') {
    const month = field('monat');
    if (!isYearMonth(month)) throw new Response('Ungültiger Monat (Feld „monat“, erwartet JJJJ-MM)', { status: 400 });
    const outcome = await forwardPropertyDocument(user, propertyId, { kind: 'monthly-summary', month }, context);
    if (!outcome) throw notFound();
    return redirect(`/monatsinformationen/${month}?liegenschaft=${propertyId}&weiterleitung=${outcome.code}#weiterleitung`);
  }
  if (kind === 'geraetebericht') {
    // The register's filters, read as the register reads its URL (unknown values are dropped).
    const params = new URLSearchParams();
    for (const name of ['type', 'light', 'serial', 'eichjahr']) if (field(name)) params.set(name, field(name));
    const filters = { ...parseRegisterFilters(new URL(`http://register/?${params.toString()}`)), propertyId };
    const outcome = await forwardPropertyDocument(user, propertyId, { kind: 'register-report', filters }, context);
    if (!outcome) throw notFound();
    return redirect(`/geraete${registerQuery(filters, { weiterleitung: outcome.code })}#weiterleitung`);
  }
  throw new Response('Ungültige Dokumentart (Feld „art“: monatsinformation oder geraetebericht)', { status: 400 });
}

/** The statement page's panel: whether the user may forward this version, and its delivery records. */
export async function forwardingPanel(user: SessionUser, statement: { id: number; status: StatementStatus }, query: URLSearchParams) {
  return {
    canForward: hasPermission(user, 'deliver:statement:any') && FORWARDABLE_STATUSES.includes(statement.status),
    records: user.role === 'owner' ? [] : await forwardsFor(user, statement.id),
    message: forwardMessage(query),
  };
}

/** POST /weiterleitungen (intent open): the owner opens a forwarded document. */
export async function openForwardAction(request: Request, context: RequestContext | undefined) {
  const user = await requireUserWithPermission(request, 'read:statement:own');
  requireSameOrigin(request);
  // Only owners receive forwarded documents: for everyone else there is nothing to open here.
  if (user.role !== 'owner') throw notFound();
  const form = await request.formData();
  const id = parseId(String(form.get('forward') ?? ''));
  if (!id) throw new Response('Ungültige Anfrage', { status: 400 });
  const path = await openForward(user, id, context);
  if (!path) throw notFound();
  return redirect(path);
}
