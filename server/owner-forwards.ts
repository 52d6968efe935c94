// Issue 14 item 3: a manager forwards an approved statement to the owner(s) of its property. Each
// owner gets a bell notice (notifyUsers, topic 'statement') and a row in their list of forwarded
// documents with its own delivery record: forwarded at/by, first opened at. Both steps are audited.
import { redirect } from '@remix-run/node';
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../db';
import { appendAudit } from '../db/audit';
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
  ok: 'An den Eigentümer weitergeleitet; er findet die Abrechnung unter „Weitergeleitete Dokumente“.',
  status: 'Nur freigegebene Abrechnungen können an Eigentümer weitergeleitet werden.',
  owner: 'Für diese Liegenschaft ist kein Eigentümer mit Portalzugang hinterlegt.',
} as const;
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

/** One audit entry by `user` about a statement. */
function auditStatement(
  database: Db,
  user: SessionUser,
  context: RequestContext | undefined,
  transaction: Transaction,
  action: string,
  statementId: number,
  details: Record<string, unknown>,
): Promise<void> {
  const entry = { organisationId: user.organisationId, actorId: user.id, actor: user.email, action, entity: 'statement' };
  return appendAudit(database, { ...entry, entityId: statementId, ip: clientIp(context), details }, transaction);
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
  const title = `Heizkostenabrechnung ${formatPeriod(row.periodStart, row.periodEnd)} · ${row.propertyName} (v${row.version})`;
  await database.sequelize.transaction(async (transaction) => {
    await database.sequelize.query(
      `INSERT INTO owner_forwards (organisation_id, property_id, owner_id, document_kind, document_id, title, forwarded_by)
       VALUES (:organisationId, :propertyId, :ownerId, 'statement', :statementId, :title, :userId)
       ON CONFLICT (owner_id, document_kind, document_id) DO NOTHING`,
      {
        replacements: {
          organisationId: user.organisationId,
          propertyId: row.propertyId,
          ownerId: owner.id,
          statementId,
          title,
          userId: user.id,
        },
        transaction,
      },
    );
    await auditStatement(database, user, context, transaction, 'statement.forwarded-to-owner', statementId, {
      ownerId: owner.id,
      propertyId: row.propertyId,
      version: row.version,
    });
  });
  await notifyUsers(
    { db: database, mailer: accountMailer(), publicUrl: config().PUBLIC_URL ?? '' },
    {
      recipients: [owner],
      topic: 'statement',
      kind: 'statement-forwarded',
      urgency: 'routine',
      dedupeKey: `statement-forwarded:${statementId}`,
      propertyId: row.propertyId,
      compose: () =>
        genericNotice({
          title: 'Abrechnung an Sie weitergeleitet',
          body: `${user.name} hat Ihnen die ${title} weitergeleitet.`,
          link: '/weiterleitungen',
          reference: `Abrechnung ${statementId}`,
          facts: [
            { label: 'Liegenschaft', value: row.propertyName },
            { label: 'Zeitraum', value: formatPeriod(row.periodStart, row.periodEnd) },
          ],
          actionLabel: 'Dokumente ansehen',
        }),
    },
  );
  return { code: 'ok', ownerIds: [owner.id] };
}

export interface ForwardRow {
  id: number;
  documentKind: 'statement';
  documentId: number;
  title: string;
  propertyName: string;
  ownerName: string;
  forwardedAt: Date;
  forwardedByName: string;
  openedAt: Date | null;
}

const FORWARD_COLUMNS = `f.id::int AS id, f.document_kind AS "documentKind", f.document_id AS "documentId", f.title,
  p.name AS "propertyName", o.name AS "ownerName", f.forwarded_at AS "forwardedAt", b.name AS "forwardedByName", f.opened_at AS "openedAt"
  FROM owner_forwards f JOIN properties p ON p.id = f.property_id JOIN users o ON o.id = f.owner_id JOIN users b ON b.id = f.forwarded_by`;

/** The owner's forwarded documents, or for a manager the delivery records of one statement. */
export async function forwardsFor(user: SessionUser, statementId: number | null = null, database: Db = sharedDb()): Promise<ForwardRow[]> {
  const where =
    user.role === 'owner'
      ? 'f.owner_id = :userId'
      : `f.organisation_id = :organisationId${statementId === null ? '' : " AND f.document_kind = 'statement' AND f.document_id = :statementId"}`;
  return database.sequelize.query<ForwardRow>(`SELECT ${FORWARD_COLUMNS} WHERE ${where} ORDER BY f.forwarded_at DESC, f.id DESC`, {
    replacements: { userId: user.id, organisationId: user.organisationId, statementId },
    type: QueryTypes.SELECT,
  });
}

/** The owner opens a forwarded document: the first opening is recorded (and audited); returns its path. */
export async function openForward(
  user: SessionUser,
  forwardId: number,
  context: RequestContext | undefined,
  database: Db = sharedDb(),
): Promise<string | null> {
  return database.sequelize.transaction(async (transaction) => {
    const [row] = await database.sequelize.query<{ documentId: number; firstOpening: boolean }>(
      `UPDATE owner_forwards SET opened_at = COALESCE(opened_at, now())
        WHERE id = :forwardId AND owner_id = :userId
        RETURNING document_id AS "documentId", opened_at = now() AS "firstOpening"`,
      { replacements: { forwardId, userId: user.id }, type: QueryTypes.SELECT, transaction },
    );
    if (!row) return null;
    if (row.firstOpening)
      await auditStatement(database, user, context, transaction, 'statement.forward-opened', row.documentId, { forwardId });
    return `/abrechnungen/${row.documentId}`;
  });
}

// ---- the routes' handlers ----

/** POST /abrechnungen/:id/weiterleiten: managers (deliver:statement:any) only; back to the statement. */
export async function forwardStatementAction(request: Request, rawId: string | undefined, context: RequestContext | undefined) {
  const user = await requireUserWithPermission(request, 'deliver:statement:any');
  requireSameOrigin(request);
  const id = parseId(rawId);
  const outcome = id ? await forwardStatementToOwners(user, id, context) : null;
  if (!outcome) throw notFound();
  return redirect(`/abrechnungen/${id}?weiterleitung=${outcome.code}#weiterleitung`);
}

/** The statement page's panel: whether the user may forward this version, and its delivery records. */
export async function forwardingPanel(user: SessionUser, statement: { id: number; status: StatementStatus }, query: URLSearchParams) {
  const code = query.get('weiterleitung');
  return {
    canForward: hasPermission(user, 'deliver:statement:any') && FORWARDABLE_STATUSES.includes(statement.status),
    records: user.role === 'owner' ? [] : await forwardsFor(user, statement.id),
    message: code && code in FORWARD_MESSAGES ? { ok: code === 'ok', message: FORWARD_MESSAGES[code as ForwardCode] } : null,
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
