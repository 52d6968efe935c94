// The web app's side of the statement lifecycle: starting a version's workflow when it is stored,
// the manager's updates (approve, deliver, correct the receipt date), the tenant's opening (signal)
// and objection (update, then a case for the manager), and the proof view with its verification.
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { QueryTypes, type Transaction } from 'sequelize';
import { type Db } from '../db';
import { db as sharedDb } from './db';
import { proofEvents, verifyProofChain, type ProofVerdict } from '../db/proof';
import { deliveryDeadline, objectionDeadline, type ObjectionDeadlineMode } from '../domain/statement-deadlines';
import {
  LIFECYCLE_STATE_LABELS,
  PROOF_STEP_LABELS,
  endOfGermanDayMs,
  mayApprove,
  objectionWindowRuns,
  type LifecycleState,
  type ProofStep,
} from '../domain/statement-lifecycle';
import {
  approveStatement,
  correctReceipt,
  correctRecipientReceipt,
  deliverStatement,
  fileObjection,
  getStatus,
  statementOpened,
  statementSuperseded,
} from '../workflows/shared/statement';
import { fileRecipientObjection } from '../workflows/shared/statement-recipient';
import {
  STATEMENT_WORKFLOW_TYPE,
  statementWorkflowId,
  type CorrectRecipientReceiptRequest,
  type DeliverRequest,
  type DeliveredRecipient,
  type LifecycleActor,
  type StatementLifecycleInput,
  type StatementLifecycleStatus,
  type SupersededSignal,
} from '../domain/contracts/statement';
import type { statementLifecycle } from '../workflows/statement-lifecycle';
import { SA } from '../workflows/shared/search-attributes';
import type { TimelineItem } from '../domain/timeline';
import { parseId } from '../domain/params';
import { notFound, requireUserWithPermission } from './permissions';
import { hasPermission } from '../domain/permissions';
import { clientIp, requireSameOrigin, type RequestContext } from './request';
import { actorOf, findStatementVisibleTo, pdfRenderer, requireStoredStatement } from './statements';
import { renderProofPdf } from './statement-obligation';
import { saveStatement } from '../db/statements';
import { findRecipient } from '../db/statement-recipients';
import { enqueueCostDataEntered } from './cost-deadlines';
import { sha256 } from '../db/audit';
import { formatDateTime } from '../domain/format';
import { TEXT_LIMITS, normaliseText, textTooLong } from '../domain/text-limits';
import { formatPeriod, objectionTicketSubject } from '../domain/statement-format';
import type { StatementData, StatementRequest } from '../domain/billing/statement';
import type { Addressee } from './statement-documents';
import type { DocumentManifest, DocumentManifestEntry } from './statement-obligation';
import type { LifecycleView } from '../domain/timeline';
import { recipientState, recipientSummary, type RecipientView } from '../domain/statement-recipients';
import { berlinDateOf } from '../domain/business-hours';
import { OBJECTION_POSITIONS } from '../domain/late-objections';
import { recipientFacts, type RecipientFacts } from './proof-export';
import { tenantLateObjection, type TenantLateObjection } from './late-objections';
import type { SessionUser } from './session';
import { proofEventsForViewer, seesTenantNames } from './personal-data';
import { verifyStatementProof } from './proof-verification';
import { temporalClient, temporalSettings } from './temporal';
import { openTicket } from './tickets';
import { awaitStart, runUpdate, startOnce, type LiveStatus, type StartOnce, type UpdateOutcome } from './temporal';
import {
  QUEUED_REASON,
  deliverNow,
  deliverQueued,
  enqueueSignal,
  enqueueWorkflowStart,
  queryLiveOrQueued,
  type OutboxEntry,
} from './outbox';

export interface LifecycleOptions {
  db?: Db;
  client?: Client;
  taskQueue?: string;
}

function resolve(options: LifecycleOptions) {
  return {
    database: options.db ?? sharedDb(),
    client: options.client ?? temporalClient(),
    taskQueue: options.taskQueue ?? temporalSettings().taskQueue,
  };
}

export { statementWorkflowId };

export async function objectionDeadlineMode(database: Db, organisationId: number): Promise<ObjectionDeadlineMode> {
  const [row] = await database.sequelize.query<{ mode: ObjectionDeadlineMode }>(
    'SELECT objection_deadline_mode AS mode FROM statement_lifecycle_settings WHERE organisation_id = :organisationId',
    { replacements: { organisationId }, type: QueryTypes.SELECT },
  );
  return row?.mode ?? 'end-of-month';
}

/** The workflow's input from the stored version. */
export async function lifecycleInput(database: Db, statementId: number, transaction?: Transaction): Promise<StatementLifecycleInput> {
  const { Statement, Property, User } = database.models;
  // Inside the save's transaction the version is not committed yet: read it there.
  const statement = await Statement.findByPk(statementId, { rejectOnEmpty: true, transaction });
  const property = await Property.findByPk(statement.propertyId, { rejectOnEmpty: true });
  const creator = statement.createdBy === null ? null : await User.findByPk(statement.createdBy);
  return {
    statementId,
    version: statement.version,
    propertyId: property.id,
    organisationId: property.organisationId,
    periodStart: statement.periodStart,
    periodEnd: statement.periodEnd,
    documentSha256: statement.engineInputSha256,
    objectionMode: await objectionDeadlineMode(database, property.organisationId),
    createdBy: { userId: creator?.id ?? null, name: creator?.email ?? 'system' },
  };
}

function lifecycleStart(input: StatementLifecycleInput, taskQueue: string): StartOnce<typeof statementLifecycle> {
  return {
    workflowType: STATEMENT_WORKFLOW_TYPE,
    workflowId: statementWorkflowId(input.statementId, input.version),
    taskQueue,
    args: [input],
    identity: { obligation: 'statement', organisationId: input.organisationId, propertyId: input.propertyId, unitId: null },
    keywords: { [SA.period.name]: `${input.periodStart}/${input.periodEnd}`, [SA.state.name]: 'draft' },
  };
}

/** The creator starts the lifecycle right after saving: the request's IP is the creation's. */
function withCreatorIp(input: StatementLifecycleInput, actor: LifecycleActor): StatementLifecycleInput {
  return { ...input, createdBy: { ...input.createdBy, ip: actor.userId === input.createdBy.userId ? (actor.ip ?? null) : null } };
}

/** Statuses of a previous version that a correction replaces on saving: nobody has received it yet. */
const SUPERSEDED_ON_SAVE: readonly string[] = ['draft', 'approved'];
/** ... and on its delivery: a delivered version stays valid for its tenants until then. */
const SUPERSEDED_ON_DELIVERY: readonly string[] = ['draft', 'approved', 'delivered', 'final'];

/**
 * For a correction: the previous version's workflow and the "superseded" signal it is sent, when the
 * previous version's status is one of `when`; null for a first version or another status.
 */
async function supersededSignal(
  database: Db,
  statementId: number,
  actor: LifecycleActor,
  transaction?: Transaction,
  when: readonly string[] = SUPERSEDED_ON_SAVE,
): Promise<{ workflowId: string; arg: SupersededSignal } | null> {
  const statement = await database.models.Statement.findByPk(statementId, {
    attributes: ['supersedesId', 'version'],
    rejectOnEmpty: true,
    transaction,
  });
  if (statement.supersedesId === null) return null;
  const previous = await database.models.Statement.findByPk(statement.supersedesId, {
    attributes: ['status'],
    rejectOnEmpty: true,
    transaction,
  });
  if (!when.includes(previous.status)) return null;
  return {
    workflowId: statementWorkflowId(statement.supersedesId, statement.version - 1),
    arg: { actor, byStatementId: statementId, byVersion: statement.version },
  };
}

/**
 * Starts the version's workflow (idempotent: a second start finds the first) and, for a correction,
 * tells the previous version's workflow that it is superseded if nobody has received it yet (a
 * delivered one is told when the correction is delivered: deliver()).
 */
export async function startStatementLifecycle(statementId: number, actor: LifecycleActor, options: LifecycleOptions = {}): Promise<string> {
  const { database, client, taskQueue } = resolve(options);
  const start = lifecycleStart(withCreatorIp(await lifecycleInput(database, statementId), actor), taskQueue);
  await startOnce(client, start);
  await signalSuperseded(client, await supersededSignal(database, statementId, actor));
  return start.workflowId;
}

async function signalSuperseded(client: Client, superseded: { workflowId: string; arg: SupersededSignal } | null): Promise<void> {
  if (!superseded) return;
  try {
    await client.workflow.getHandle(superseded.workflowId).signal(statementSuperseded, superseded.arg);
  } catch (error) {
    // A previous version whose workflow already ended (final) stays as it is.
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}

/**
 * The same inside the save's transaction, through the outbox: the version commits together with
 * its workflow start (and the previous version's signal), so a Temporal outage cannot leave a
 * version without workflow. Deliver the entries after the commit (`deliverNow`).
 */
async function enqueueStatementLifecycle(
  transaction: Transaction,
  statementId: number,
  actor: LifecycleActor,
  options: LifecycleOptions = {},
): Promise<OutboxEntry[]> {
  const { database, taskQueue } = resolve(options);
  const entries = [
    await enqueueWorkflowStart(
      transaction,
      lifecycleStart(withCreatorIp(await lifecycleInput(database, statementId, transaction), actor), taskQueue),
    ),
  ];
  const superseded = await supersededSignal(database, statementId, actor, transaction);
  if (superseded) {
    entries.push(
      await enqueueSignal(transaction, superseded.workflowId, statementSuperseded, [superseded.arg], { ifMissing: 'skip', taskQueue }),
    );
  }
  return entries;
}

/** The lifecycle's view of the user: owners carry whether the manager delegated approval to them. */
export async function lifecycleActor(
  user: SessionUser,
  propertyId: number,
  context?: RequestContext,
  database: Db = sharedDb(),
): Promise<LifecycleActor> {
  let delegated = false;
  if (user.role === 'owner') {
    const rows = await database.sequelize.query(
      'SELECT 1 FROM statement_approval_delegations WHERE property_id = :propertyId AND user_id = :userId',
      { replacements: { propertyId, userId: user.id }, type: QueryTypes.SELECT },
    );
    delegated = rows.length > 0;
  }
  return { userId: user.id, name: user.email, role: user.role, delegated, ip: clientIp(context) };
}

const ENDED = 'Diese Abrechnungsversion ist abgeschlossen; der Schritt ist nicht mehr möglich.';

/**
 * How long an objection or a receipt correction waits for the tenant's own workflow, named by the
 * delivery a moment before the version's workflow starts it (usually well under a second).
 */
const RECIPIENT_START_WAIT_MS = 10_000;

/** ... and what the user reads if it has not started by then: nothing was recorded, the step can be repeated. */
const RECIPIENT_STARTING: UpdateOutcome<never> = {
  ok: false,
  message: 'Die Zustellung wird gerade abgeschlossen; bitte versuchen Sie es in einem Moment erneut.',
};

function workflowIdOf(statement: { id: number; version: number }): string {
  return statementWorkflowId(statement.id, statement.version);
}

/**
 * Approves the version through its workflow's update: the workflow writes the approval, the web
 * writes nothing, so no approval row can exist without its workflow. What still waits in the outbox
 * for the version (its start, a signal) is delivered first; if Temporal cannot take it now, the page
 * says "wird bearbeitet" instead of letting Temporal say the version is closed.
 */
export async function approve(
  statement: { id: number; version: number },
  actor: LifecycleActor,
  options: LifecycleOptions = {},
): Promise<UpdateOutcome<StatementLifecycleStatus>> {
  const { client, database } = resolve(options);
  const workflowId = workflowIdOf(statement);
  if (await deliverQueued(workflowId, { db: database, client })) return { ok: false, message: QUEUED_REASON };
  return runUpdate(client, workflowId, approveStatement, { actor }, ENDED);
}

export async function deliver(
  statement: { id: number; version: number },
  request: DeliverRequest,
  options: LifecycleOptions = {},
): Promise<UpdateOutcome<StatementLifecycleStatus>> {
  const { client, database } = resolve(options);
  const outcome = await runUpdate(client, workflowIdOf(statement), deliverStatement, request, ENDED);
  // Delivered, a correction supersedes the version its tenants had.
  if (outcome.ok)
    await signalSuperseded(client, await supersededSignal(database, statement.id, request.actor, undefined, SUPERSEDED_ON_DELIVERY));
  return outcome;
}

export function correctReceiptDate(
  statement: { id: number; version: number },
  actor: LifecycleActor,
  receivedOn: string,
  options: LifecycleOptions = {},
): Promise<UpdateOutcome<StatementLifecycleStatus>> {
  const { client } = resolve(options);
  return runUpdate(client, workflowIdOf(statement), correctReceipt, { actor, receivedOn }, ENDED);
}

/**
 * The recipient's own workflow as its row names it (docs/decisions/0013): from the delivery on (since
 * RECIPIENTS_NAMED_AT_DELIVERY_PATCH), else once the version's workflow has started it; null for
 * versions delivered before the recipient workflows: their version's workflow takes the message.
 */
async function recipientWorkflowOf(
  database: Db,
  statement: { id: number; version: number },
  recipient: { occupancyId: number } | { unitId: number; userId: number },
): Promise<string | null> {
  const row = await findRecipient(database, { statementId: statement.id, version: statement.version }, recipient);
  return row?.workflowId ?? null;
}

/** One recipient's receipt date (a letter) corrected with a reason, through its workflow (or the version's). */
export async function correctRecipientReceiptDate(
  statement: { id: number; version: number },
  request: CorrectRecipientReceiptRequest,
  options: LifecycleOptions = {},
): Promise<UpdateOutcome<DeliveredRecipient>> {
  const { client, database } = resolve(options);
  const own = await recipientWorkflowOf(database, statement, { occupancyId: request.occupancyId });
  if (own && !(await awaitStart(client, own, workflowIdOf(statement), RECIPIENT_START_WAIT_MS))) return RECIPIENT_STARTING;
  return runUpdate(client, own ?? workflowIdOf(statement), correctRecipientReceipt, request, ENDED);
}

/**
 * The tenant viewed or downloaded its statement: the workflow proves the first opening per flat.
 * Through the outbox, so that an opening during a Temporal outage is kept and proved once Temporal
 * is back (a relay delivers it); a Temporal outage must not hide the document, so this waits at most
 * the delivery deadline and never fails for Temporal's sake.
 */
export async function recordOpening(
  statement: { id: number; version: number },
  actor: LifecycleActor,
  unitId: number,
  via: 'view' | 'download',
  documentSha256?: string,
  options: LifecycleOptions = {},
): Promise<void> {
  const { database, client, taskQueue } = resolve(options);
  const opened = { actor, unitId, via, ...(documentSha256 && { documentSha256 }) };
  const own = actor.userId === null ? null : await recipientWorkflowOf(database, statement, { unitId, userId: actor.userId });
  // `skip`: opening a final statement again (its workflow has ended) proves nothing new. The tenant's
  // own workflow is named from the delivery on, before the version's workflow has started it: the
  // opening waits in the outbox for that start, so that workflow (not the version's) proves it.
  const ifMissing = own ? { startedBy: workflowIdOf(statement) } : 'skip';
  const entry = await database.sequelize.transaction((transaction) =>
    enqueueSignal(transaction, own ?? workflowIdOf(statement), statementOpened, [opened], { ifMissing, taskQueue }),
  );
  await deliverNow([entry], { db: database, client });
}

export interface ObjectionFiling {
  statement: { id: number; version: number; propertyId: number; organisationId: number };
  unitId: number;
  positions: string[];
  reason: string;
  idempotencyKey: string;
}

/**
 * Files the tenant's objection: the workflow checks the window and proves it, then the manager gets
 * a case (ticket) linked to the statement version. The caller has checked the tenant's own unit.
 */
export async function fileStatementObjection(
  user: SessionUser,
  filing: ObjectionFiling,
  context: RequestContext | undefined,
  options: LifecycleOptions = {},
) {
  const { database, client, taskQueue } = resolve(options);
  const actor = await lifecycleActor(user, filing.statement.propertyId, context, database);
  const request = {
    actor,
    unitId: filing.unitId,
    positions: filing.positions,
    reason: filing.reason,
    idempotencyKey: filing.idempotencyKey,
  };
  const ended = 'Die Einspruchsfrist für diese Abrechnung ist abgelaufen; ein Einspruch ist nicht mehr möglich.';
  const own = await recipientWorkflowOf(database, filing.statement, { unitId: filing.unitId, userId: user.id });
  if (own && !(await awaitStart(client, own, workflowIdOf(filing.statement), RECIPIENT_START_WAIT_MS))) return RECIPIENT_STARTING;
  const outcome = own
    ? await runUpdate(client, own, fileRecipientObjection, request, ended)
    : await runUpdate(client, workflowIdOf(filing.statement), fileObjection, request, ended);
  if (!outcome.ok) return outcome;
  const objection = await database.models.Objection.findByPk(outcome.result.objectionId, { rejectOnEmpty: true });
  if (objection.ticketId === null) {
    const [statement, unit] = await Promise.all([
      database.models.Statement.findByPk(filing.statement.id, { attributes: ['documentNumber'], rejectOnEmpty: true }),
      database.models.Unit.findByPk(filing.unitId, { attributes: ['label'], rejectOnEmpty: true }),
    ]);
    const { ticketId } = await openTicket(
      {
        organisationId: filing.statement.organisationId,
        propertyId: filing.statement.propertyId,
        unitId: filing.unitId,
        createdBy: user.id,
        category: 'statement_objection',
        topic: 'statement_objection',
        subject: objectionTicketSubject({ documentNumber: statement.documentNumber, version: filing.statement.version }, unit.label),
        body: `Beanstandete Positionen: ${filing.positions.join(', ')}\n\n${filing.reason}`,
        linked: { kind: 'statement', id: filing.statement.id, version: filing.statement.version },
      },
      { db: database, client, taskQueue },
    );
    await objection.update({ ticketId });
  }
  return outcome;
}

export function lifecycleStatus(
  statement: { id: number; version: number },
  options: LifecycleOptions = {},
): Promise<LiveStatus<StatementLifecycleStatus>> {
  const { client } = resolve(options);
  const workflowId = workflowIdOf(statement);
  return queryLiveOrQueued(workflowId, () => client.workflow.getHandle(workflowId).query(getStatus), { client, db: options.db });
}

export interface ProofTimelineItem {
  seq: number;
  step: ProofStep;
  label: string;
  at: string;
  actorId: number | null;
  actor: string;
  ip: string | null;
  documentSha256: string;
  hash: string;
  prevHash: string;
  details: Record<string, unknown>;
}

export interface ProofView {
  events: ProofTimelineItem[];
  verdict: ProofVerdict;
  /** The PDFs proven at approval (each with its SHA-256) and their manifest's hash; null before approval. */
  documents: DocumentManifest | null;
}

export async function proofView(statement: { id: number; version: number }, database: Db = sharedDb()): Promise<ProofView> {
  const [events, verdict] = await Promise.all([
    proofEvents(database, statement.id, statement.version),
    verifyProofChain(database, statement.id, statement.version),
  ]);
  return {
    events: events.map((e) => ({
      seq: e.seq,
      step: e.step,
      label: PROOF_STEP_LABELS[e.step],
      at: e.at.toISOString(),
      actorId: e.actorId,
      actor: e.actor,
      ip: e.ip,
      documentSha256: e.documentSha256,
      hash: e.hash,
      prevHash: e.prevHash,
      details: e.details,
    })),
    verdict,
    documents: provenDocuments(events),
  };
}

/** The manifest the approval proved (stored in its event's details); the latest one if there were several. */
function provenDocuments(events: Array<{ documentSha256: string; details: Record<string, unknown> }>): DocumentManifest | null {
  const event = [...events].reverse().find((e) => Array.isArray(e.details.documents));
  return event ? { sha256: event.documentSha256, documents: event.details.documents as DocumentManifestEntry[] } : null;
}

// ---------------------------------------------------------------------------------------------
// Page data

export interface LifecyclePanel {
  state: string;
  stateLabel: string;
  live: string | null;
  deliveryDueAt: string | null;
  deliveryDeadlineMissed: boolean;
  delivery: StatementLifecycleStatus['delivery'];
  objectionDeadline: string | null;
  objectionWindowEndsAt: string | null;
  timeline: TimelineItem[];
  verdict: ProofVerdict;
  /** Each tenant's delivery (empty for versions delivered as a whole, before PER_RECIPIENT_PATCH). */
  recipients: RecipientView[];
  recipientSummary: string | null;
  canApprove: boolean;
  canDeliver: boolean;
  now: string;
}

const STEP_TONES: Readonly<Record<ProofStep, TimelineItem['tone']>> = {
  created: 'unknown',
  approved: 'green',
  delivered: 'green',
  receipt_corrected: 'yellow',
  opened: 'green',
  objection_filed: 'yellow',
  corrected: 'yellow',
  final: 'green',
  objection_accepted_late: 'yellow',
};

function stepNote(item: ProofTimelineItem): string {
  const details = item.details as {
    channel?: string;
    receivedOn?: string;
    dispatchedOn?: string;
    positions?: string[];
    via?: string;
    byVersion?: number;
  };
  const parts: string[] = [];
  if (details.channel)
    parts.push(
      details.channel === 'post'
        ? `per Post, versandt ${details.dispatchedOn}, Zugang ${details.receivedOn}`
        : 'im Portal mit E-Mail-Hinweis',
    );
  if (item.step === 'receipt_corrected') parts.push(`Zugang ${details.receivedOn}`);
  if (details.via) parts.push(details.via === 'download' ? 'PDF heruntergeladen' : 'im Portal angesehen');
  if (details.positions) parts.push(`beanstandet: ${details.positions.join(', ')}`);
  if (details.byVersion) parts.push(`ersetzt durch Version ${details.byVersion}`);
  parts.push(`IP ${item.ip ?? '–'} · Dokument ${item.documentSha256.slice(0, 12)}…`);
  return parts.join(' · ');
}

export function proofTimelineItems(events: ProofTimelineItem[]): TimelineItem[] {
  return events.map((e) => ({ key: e.seq, label: e.label, at: e.at, actor: e.actor, note: stepNote(e), tone: STEP_TONES[e.step] }));
}

/** Each tenant the version was delivered to, with its own receipt, window, opening and objections. */
export async function statementRecipients(statement: { id: number; version: number }, database: Db = sharedDb()): Promise<RecipientView[]> {
  const rows = await database.sequelize.query<Omit<RecipientView, 'state'> & { openedAt: Date | null }>(
    `SELECT r.occupancy_id AS "occupancyId", r.unit_id AS "unitId", r.user_id AS "userId", u.label AS "unitLabel", r.tenant_name AS "tenantName", r.channel,
            r.dispatched_on AS "dispatchedOn", r.received_on AS "receivedOn", r.deadline_missed AS "deadlineMissed",
            r.objection_deadline AS "objectionDeadline", r.opened_at AS "openedAt", r.objections
       FROM statement_recipients r JOIN units u ON u.id = r.unit_id
      WHERE r.statement_id = :id AND r.version = :version ORDER BY u.label, r.occupancy_id`,
    { replacements: statement, type: QueryTypes.SELECT },
  );
  const today = berlinDateOf(Date.now());
  return rows.map((row) => {
    const openedAt = row.openedAt === null ? null : new Date(row.openedAt).toISOString();
    return { ...row, openedAt, state: recipientState({ ...row, openedAt }, today) };
  });
}

/** What the manager's statement page shows about the lifecycle: state, deadlines, proof and the allowed actions. */
export async function lifecyclePanel(
  user: SessionUser,
  statement: { id: number; version: number; status: string; propertyId: number },
  options: LifecycleOptions = {},
): Promise<LifecyclePanel> {
  const { database } = resolve(options);
  const [live, proof, actor, recipients] = await Promise.all([
    lifecycleStatus(statement, options),
    proofView(statement, database),
    lifecycleActor(user, statement.propertyId, undefined, database),
    statementRecipients(statement, database),
  ]);
  // Who acted and from where, as the personal-data policy lets this viewer see it. The timeline is
  // the version's; each tenant's delivery is in the recipients table, and a tenant sees its own
  // delivery in place of the version's.
  const recipientOf = (e: ProofTimelineItem) => (typeof e.details.occupancyId === 'number' ? e.details.occupancyId : null);
  let visible = proof.events.filter((e) => recipientOf(e) === null);
  if (user.role === 'tenant') {
    const own = new Set(recipients.filter((r) => r.userId === user.id).map((r) => r.occupancyId));
    const mine = proof.events.filter((e) => own.has(recipientOf(e) ?? -1));
    if (mine.length > 0) visible = [...visible.filter((e) => e.step !== 'delivered'), ...mine].sort((a, b) => a.seq - b.seq);
  }
  const events = await proofEventsForViewer(user, visible);
  const status = live.available ? live.status : null;
  const state = status?.state ?? statement.status;
  return {
    state,
    stateLabel: LIFECYCLE_STATE_LABELS[state as LifecycleState] ?? state,
    live: live.available ? null : live.reason,
    deliveryDueAt: status?.deliveryDueAt ?? null,
    deliveryDeadlineMissed: status?.deliveryDeadlineMissed ?? false,
    delivery: status?.delivery ?? null,
    objectionDeadline: status?.objectionDeadline ?? null,
    objectionWindowEndsAt: status?.objectionWindowEndsAt ?? null,
    timeline: proofTimelineItems(events),
    verdict: proof.verdict,
    recipients: seesTenantNames(user) ? recipients : recipients.map((r) => ({ ...r, tenantName: 'Mietpartei' })),
    recipientSummary: recipients.length > 0 ? recipientSummary(recipients.map((r) => r.state)) : null,
    // Only the workflow can take these steps: while it does not answer (or waits in the outbox), none is offered.
    canApprove: status !== null && state === 'draft' && mayApprove(actor),
    canDeliver: status !== null && state === 'approved' && hasPermission(user, 'deliver:statement:any'),
    now: new Date().toISOString(),
  };
}

/** The proof page and its PDF: the stored version, its lifecycle panel and its verified proof chain. */
export async function loadStatementProof(request: Request, rawId: string | undefined) {
  const { user, statement, stored } = await requireStoredStatement(request, rawId);
  const ref = { id: stored.id, version: stored.version };
  const [lifecycle, proof, verification] = await Promise.all([
    lifecyclePanel(user, { ...ref, status: stored.status, propertyId: statement.property.id }),
    proofView(ref),
    // Signed head and the heads anchored in the workflow's history; Temporal unreachable: said so, not hidden.
    verifyStatementProof(sharedDb(), temporalClient(), ref).catch((error: Error) => ({ unavailable: error.message })),
  ]);
  return { statement, stored, lifecycle, verification, proof: { ...proof, events: await proofEventsForViewer(user, proof.events) } };
}

// ---------------------------------------------------------------------------------------------
// Actions

export type ActionResult = { ok: boolean; message: string };

const DONE: Record<string, string> = {
  approve: 'Die Abrechnung ist freigegeben.',
  'deliver-portal':
    'Die Abrechnung ist zugestellt: im Portal an die Mieter mit Konto (per E-Mail benachrichtigt), per Post an alle anderen.',
  'deliver-post': 'Der Postversand ist erfasst.',
  'correct-receipt': 'Das Zugangsdatum ist berichtigt; die Einspruchsfrist wurde neu berechnet.',
};

/** The manager's lifecycle forms on the statement page. */
export async function statementAction(
  request: Request,
  rawId: string | undefined,
  context: RequestContext | undefined,
  options: LifecycleOptions = {},
): Promise<ActionResult> {
  const user = await requireUserWithPermission(request, 'read:statement:own');
  requireSameOrigin(request);
  const id = parseId(rawId);
  const statement = id ? await findStatementVisibleTo(user, id) : null;
  if (!statement?.stored) throw notFound();
  const ref = { id: statement.stored.id, version: statement.stored.version };
  const actor = await lifecycleActor(user, statement.property.id, context, options.db);
  const form = await request.formData();
  const intent = String(form.get('intent') ?? '');
  const date = (name: string) => {
    const value = String(form.get(name) ?? '').trim();
    return value === '' ? undefined : value;
  };
  let outcome: UpdateOutcome<unknown>;
  if (intent === 'approve') outcome = await approve(ref, actor, options);
  else if (intent === 'deliver-portal') outcome = await deliver(ref, { actor, channel: 'portal' }, options);
  else if (intent === 'deliver-post')
    outcome = await deliver(
      ref,
      { actor, channel: 'post', dispatchedOn: date('dispatchedOn') ?? '', receivedOn: date('receivedOn') },
      options,
    );
  else if (intent === 'correct-receipt') outcome = await correctReceiptDate(ref, actor, date('receivedOn') ?? '', options);
  else return { ok: false, message: 'Unbekannte Aktion.' };
  return outcome.ok ? { ok: true, message: DONE[intent] ?? 'Erledigt.' } : { ok: false, message: outcome.message };
}

// ---------------------------------------------------------------------------------------------
// The tenant's side

/** Positions a tenant can name in an objection (checkboxes on the statement page). */
export { OBJECTION_POSITIONS };

type TenantOwn = { statement: StatementData; addressee: Addressee };

function refOf(own: TenantOwn) {
  const stored = own.statement.stored!;
  return {
    id: stored.id,
    version: stored.version,
    propertyId: own.statement.property.id,
    organisationId: own.statement.property.organisationId,
  };
}

/** The tenant viewed or downloaded its own statement (the caller found it with findTenantStatement). */
export async function recordTenantOpening(
  user: SessionUser,
  own: TenantOwn,
  via: 'view' | 'download',
  context: RequestContext | undefined,
  documentSha256?: string,
): Promise<void> {
  const ref = refOf(own);
  await recordOpening(ref, await lifecycleActor(user, ref.propertyId, context), own.addressee.unitId, via, documentSha256);
}

export interface TenantLifecycle {
  lifecycle: LifecycleView;
  canObject: boolean;
  objectionToken: string;
  objections: Array<{ id: number; positions: string[]; reason: string; filedAt: string }>;
  /** The tenant's own delivery proof (its recipient's page); null before delivery. */
  proofHref: string | null;
  /** Its own late objection (after its window); null before delivery. */
  lateObjection: TenantLateObjection | null;
}

/** The tenant's view: its statement's state, window and proof, and its own objections. */
export async function tenantLifecycle(user: SessionUser, own: TenantOwn, options: LifecycleOptions = {}): Promise<TenantLifecycle> {
  const { database } = resolve(options);
  const ref = refOf(own);
  const panel = await lifecyclePanel(user, { ...ref, status: own.statement.stored!.status }, options);
  const objections = await database.models.Objection.findAll({
    where: { statementId: ref.id, version: ref.version, unitId: own.addressee.unitId },
    order: [['id', 'ASC']],
  });
  // Delivered per recipient: the tenant sees its own receipt and window (in the portal, or a letter to
  // its tenancy), and nobody else's delivery; a version delivered as a whole has one window for all.
  const { recipients: _others, recipientSummary: _summary, ...shared } = panel;
  const ownDelivery = await ownRecipientFacts(user, own, database);
  const view: LifecycleView = ownDelivery
    ? {
        ...shared,
        delivery: shared.delivery
          ? { ...shared.delivery, channel: ownDelivery.channel, dispatchedOn: ownDelivery.dispatchedOn, receivedOn: ownDelivery.receivedOn }
          : null,
        objectionDeadline: ownDelivery.objectionDeadline,
        objectionWindowEndsAt: new Date(endOfGermanDayMs(ownDelivery.objectionDeadline)).toISOString(),
      }
    : shared;
  // The form follows that window: the version's runs until its last tenant's window has closed.
  const windowOpen =
    (view.state === 'delivered' || view.state === 'opened') &&
    view.objectionWindowEndsAt !== null &&
    Date.parse(view.objectionWindowEndsAt) > Date.now();
  return {
    lifecycle: { ...view, timeline: view.timeline.map(({ note: _note, ...item }) => item) },
    canObject: windowOpen,
    objectionToken: randomBytes(12).toString('base64url'),
    objections: objections.map((o) => ({ id: o.id, positions: o.positions, reason: o.reason, filedAt: o.filedAt.toISOString() })),
    proofHref: ownDelivery ? `/abrechnungen/${ref.id}/nachweis/${ownDelivery.occupancyId}` : null,
    lateObjection: ownDelivery ? await tenantLateObjection(ownDelivery, database) : null,
  };
}

/** The tenant's own recipient of the version: delivered to its account, or (a letter) to its tenancy. */
export async function ownRecipientFacts(user: SessionUser, own: TenantOwn, database: Db = sharedDb()): Promise<RecipientFacts | null> {
  const { id: statementId, version } = refOf(own);
  const ref = { statementId, version };
  const row = await findRecipient(database, ref, { unitId: own.addressee.unitId, userId: user.id });
  return row ? recipientFacts(database, { ...ref, occupancyId: row.occupancyId }) : null;
}

/** The objection form's action: positions and a reason, refused by the workflow outside the window. */
export async function tenantObjectionAction(
  user: SessionUser,
  own: TenantOwn,
  request: Request,
  context: RequestContext | undefined,
): Promise<ActionResult> {
  requireSameOrigin(request);
  const form = await request.formData();
  const positions = form
    .getAll('positions')
    .map(String)
    .filter((p) => (OBJECTION_POSITIONS as readonly string[]).includes(p));
  const reason = normaliseText(String(form.get('reason') ?? '')).trim();
  const token = String(form.get('token') ?? '');
  if (positions.length === 0) return { ok: false, message: 'Bitte mindestens eine beanstandete Position auswählen.' };
  if (reason === '') return { ok: false, message: 'Bitte begründen Sie Ihren Einspruch.' };
  // Never cut: a longer reason is refused with the limit, before anything reaches the workflow.
  const tooLong = textTooLong('Begründung', reason, TEXT_LIMITS.objectionReason);
  if (tooLong) return { ok: false, message: tooLong };
  const outcome = await fileStatementObjection(
    user,
    {
      statement: refOf(own),
      unitId: own.addressee.unitId,
      positions,
      reason,
      idempotencyKey: /^[A-Za-z0-9_-]{8,64}$/.test(token) ? `${user.id}:${token}` : `${user.id}:${Date.now()}`,
    },
    context,
  );
  return outcome.ok
    ? { ok: true, message: 'Ihr Einspruch ist eingegangen. Die Verwaltung bearbeitet ihn als Vorgang.' }
    : { ok: false, message: outcome.message };
}

// ---------------------------------------------------------------------------------------------
// The manager's list: state and the running deadline per version, from the proof (one query)

export interface ListLifecycle {
  state: LifecycleState;
  stateLabel: string;
  /** The deadline that runs now: delivery (BGB §556(3)) before delivery, the objection window after. */
  deadline: { kind: 'delivery' | 'objection'; endsAt: string } | null;
}

export async function listLifecycles(
  organisationId: number,
  rows: ReadonlyArray<{ id: number; version: number; status: string; periodEnd: string }>,
  database: Db = sharedDb(),
): Promise<Record<number, ListLifecycle>> {
  if (rows.length === 0) return {};
  const facts = await database.sequelize.query<{ statementId: number; opened: boolean; receivedOn: string | null }>(
    `SELECT e.statement_id AS "statementId",
            bool_or(e.step = 'opened') AS opened,
            (array_agg(e.details->>'receivedOn' ORDER BY e.seq DESC) FILTER (WHERE e.step IN ('delivered','receipt_corrected')))[1] AS "receivedOn"
       FROM statement_proof_events e JOIN statements s ON s.id = e.statement_id AND s.version = e.version
      WHERE e.statement_id IN (:ids)
      GROUP BY e.statement_id`,
    { replacements: { ids: rows.map((r) => r.id) }, type: QueryTypes.SELECT },
  );
  const byId = new Map(facts.map((f) => [f.statementId, f]));
  const mode = await objectionDeadlineMode(database, organisationId);
  const endOfDay = (date: string) => new Date(endOfGermanDayMs(date)).toISOString();
  return Object.fromEntries(
    rows.map((row) => {
      const fact = byId.get(row.id);
      const state: LifecycleState = row.status === 'delivered' && fact?.opened ? 'opened' : (row.status as LifecycleState);
      let deadline: ListLifecycle['deadline'] = null;
      if (state === 'draft' || state === 'approved') deadline = { kind: 'delivery', endsAt: endOfDay(deliveryDeadline(row.periodEnd)) };
      else if (objectionWindowRuns(state) && fact?.receivedOn)
        deadline = { kind: 'objection', endsAt: endOfDay(objectionDeadline(fact.receivedOn, mode)) };
      return [row.id, { state, stateLabel: LIFECYCLE_STATE_LABELS[state] ?? state, deadline }];
    }),
  );
}

/** The proof chain and its verification as a PDF, for a statement the requesting user may see. */
export async function statementProofPdf(request: Request, rawId: string | undefined) {
  const { statement, stored, lifecycle, proof } = await loadStatementProof(request, rawId);
  const notes = new Map(lifecycle.timeline.map((item) => [item.key, item.note ?? null]));
  const content = await renderProofPdf(pdfRenderer(), {
    propertyName: statement.property.name,
    period: formatPeriod(statement.period.start, statement.period.end),
    documentNumber: stored.documentNumber,
    version: stored.version,
    stateLabel: lifecycle.stateLabel,
    generatedAt: formatDateTime(new Date()),
    verdict: proof.verdict,
    events: proof.events.map((e) => ({ ...e, at: formatDateTime(e.at), ip: e.ip ?? '–', note: notes.get(e.seq) ?? null })),
  });
  return { content, fileName: `Zustellnachweis_${stored.documentNumber}_v${stored.version}.pdf`, sha256: sha256(content) };
}

/** Stores the request as a new draft version and starts its lifecycle; returns the stored statement's id. */
export async function saveStatementDraft(
  user: SessionUser,
  request: StatementRequest,
  context: RequestContext | undefined,
  options: LifecycleOptions = {},
): Promise<number> {
  const { database, client } = resolve(options);
  const actor = await lifecycleActor(user, request.propertyId, context, database);
  let entries: OutboxEntry[] = [];
  const saved = await saveStatement(database, request, actorOf(user, context), {
    inTransaction: async (transaction, statementId) => {
      entries = await enqueueStatementLifecycle(transaction, statementId, actor, options);
      const { taskQueue } = resolve(options);
      entries.push(
        await enqueueCostDataEntered(
          transaction,
          { id: statementId, propertyId: request.propertyId, periodEnd: request.period.end },
          taskQueue,
        ),
      );
    },
  });
  // While Temporal is away the version is saved all the same; its page says "wird bearbeitet".
  await deliverNow(entries, { db: database, client });
  return saved.stored!.id;
}
