// The manager accepts a tenant's objection that came after that tenant's window (BGB §556(3) S.6):
// on the recipient's proof page, with a mandatory reason. The acceptance runs as its own small
// workflow (docs/decisions/0012), started through the outbox: the web writes nothing else, so no
// acceptance row exists without its workflow, and a started workflow retries until its row exists.
import { QueryTypes } from 'sequelize';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { berlinDateOf } from '../domain/business-hours';
import { compareDates } from '../domain/dates';
import { formatDate } from '../domain/format';
import { objectionTicketSubject } from '../domain/statement-format';
import { hasPermission } from '../domain/permissions';
import { normaliseText } from '../domain/text-limits';
import {
  LATE_OBJECTION_WORKFLOW_TYPE,
  lateObjectionWorkflowId,
  type LateObjectionInput,
  type LateObjectionResult,
} from '../domain/contracts/late-objection';
import {
  LATE_REQUEST_LABELS,
  lateObjectionErrors,
  lateRequestErrors,
  recordedLateReason,
  type LateObjectionField,
  type LateObjectionForm,
  type LateRequestField,
  type LateRequestForm,
} from '../domain/late-objections';
import { appendAudit } from '../db/audit';
import { openTicket } from './tickets';
import type { lateObjectionAcceptance } from '../workflows/late-objection';
import type { Db } from '../db';
import { db as sharedDb } from './db';
import { deliverNow, enqueueWorkflowStart, isQueued, QUEUED_REASON } from './outbox';
import { requireUserWithPermission } from './permissions';
import type { RecipientFacts } from './proof-export';
import { clientIp, requireSameOrigin, type RequestContext } from './request';
import type { SessionUser } from './session';
import { temporalClient, temporalSettings, temporalUnavailable, type StartOnce } from './temporal';

export interface LateObjectionOptions {
  db?: Db;
  client?: Client;
  taskQueue?: string;
  /** How long the action waits for the workflow before it answers "wird bearbeitet". */
  waitMs?: number;
}

/** The recipient's late objection as its page shows it. */
export interface LateObjectionState {
  /** The manager may accept one now: the recipient's window has closed and none is accepted yet. */
  canAccept: boolean;
  /** Accepted (row written by its workflow), or waiting for its workflow. */
  accepted: { receivedOn: string; reason: string; ticketId: number | null } | null;
  pending: boolean;
  /** The tenant's own late objection from the portal, as the acceptance form's starting values. */
  requested: (LateObjectionForm & { ticketId: number }) | null;
}

export async function lateObjectionState(user: SessionUser, facts: RecipientFacts, database: Db = sharedDb()): Promise<LateObjectionState> {
  const [row] = await database.sequelize.query<{ receivedOn: string; reason: string; ticketId: number | null }>(
    `SELECT received_on::text AS "receivedOn", reason, ticket_id AS "ticketId" FROM statement_late_objections WHERE occupancy_id = :occupancyId`,
    { replacements: { occupancyId: facts.occupancyId }, type: QueryTypes.SELECT },
  );
  const pending = !row && (await isQueued(lateObjectionWorkflowId(facts.statementId, facts.version, facts.occupancyId), database));
  const [request] = await database.sequelize.query<Omit<LateObjectionForm, 'receivedOn'> & { submittedAt: Date; ticketId: number }>(
    `SELECT positions, objection, reason, submitted_at AS "submittedAt", ticket_id AS "ticketId"
       FROM statement_late_objection_requests WHERE occupancy_id = :occupancyId`,
    { replacements: { occupancyId: facts.occupancyId }, type: QueryTypes.SELECT },
  );
  const windowClosed = compareDates(facts.objectionDeadline, berlinDateOf(Date.now())) < 0;
  return {
    canAccept: hasPermission(user, 'deliver:statement:any') && windowClosed && !row && !pending,
    accepted: row ?? null,
    pending,
    requested: request
      ? {
          receivedOn: berlinDateOf(new Date(request.submittedAt).getTime()),
          positions: request.positions,
          objection: request.objection,
          reason: request.reason,
          ticketId: request.ticketId,
        }
      : null,
  };
}

export type LateObjectionOutcome =
  | { form: 'late-objection'; ok: true; message: string }
  | {
      form: 'late-objection';
      ok: false;
      message: string;
      errors: Partial<Record<LateObjectionField, string>>;
      values: LateObjectionForm;
    };

function startOf(input: LateObjectionInput, facts: RecipientFacts, taskQueue: string): StartOnce<typeof lateObjectionAcceptance> {
  return {
    workflowType: LATE_OBJECTION_WORKFLOW_TYPE,
    workflowId: lateObjectionWorkflowId(input.statementId, input.version, input.occupancyId),
    taskQueue,
    args: [input],
    identity: { organisationId: facts.organisationId, propertyId: facts.propertyId, unitId: facts.unitId },
  };
}

/** Whether the recipient's acceptance workflow was started already (its row may not be written yet). */
async function workflowExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/** Waits a little for the workflow's result; null when it has not finished in that time. */
async function resultWithin(client: Client, workflowId: string, ms: number): Promise<LateObjectionResult | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([client.workflow.getHandle(workflowId).result() as Promise<LateObjectionResult>, timeout]);
  } catch (error) {
    if (temporalUnavailable(error)) return null;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The form's action: checked here with errors naming the field, then started as the recipient's
 * late-objection workflow (once per recipient), whose activity proves and records it.
 */
export async function acceptLateObjectionAction(
  request: Request,
  user: SessionUser,
  facts: RecipientFacts,
  context: RequestContext | undefined,
  options: LateObjectionOptions = {},
): Promise<LateObjectionOutcome> {
  await requireUserWithPermission(request, 'deliver:statement:any');
  requireSameOrigin(request);
  const database = options.db ?? sharedDb();
  const client = options.client ?? temporalClient();
  const taskQueue = options.taskQueue ?? temporalSettings().taskQueue;
  const form = await request.formData();
  const values: LateObjectionForm = {
    receivedOn: String(form.get('receivedOn') ?? '').trim(),
    positions: form.getAll('positions').map(String),
    objection: normaliseText(String(form.get('objection') ?? '')).trim(),
    reason: normaliseText(String(form.get('reason') ?? '')).trim(),
  };
  const refuse = (message: string, errors: Partial<Record<LateObjectionField, string>> = {}): LateObjectionOutcome => ({
    form: 'late-objection',
    ok: false,
    message,
    errors,
    values,
  });
  const workflowId = lateObjectionWorkflowId(facts.statementId, facts.version, facts.occupancyId);
  const state = await lateObjectionState(user, facts, database);
  if (state.accepted || state.pending || (await workflowExists(client, workflowId)))
    return refuse('Für diese Mietpartei ist bereits ein verspäteter Einspruch angenommen.');
  const errors = lateObjectionErrors(values, { ...facts, today: berlinDateOf(Date.now()) });
  if (Object.keys(errors).length > 0) return refuse('Bitte prüfen Sie die markierten Felder.', errors);

  const input: LateObjectionInput = {
    statementId: facts.statementId,
    version: facts.version,
    occupancyId: facts.occupancyId,
    receivedOn: values.receivedOn,
    positions: values.positions,
    objection: values.objection,
    reason: recordedLateReason(values.reason),
    actor: { userId: user.id, name: user.email },
    ip: clientIp(context),
  };
  const entry = await database.sequelize.transaction((transaction) => enqueueWorkflowStart(transaction, startOf(input, facts, taskQueue)));
  const delivered = await deliverNow([entry], { db: database, client });
  if (delivered.get(entry.id)?.status !== 'sent')
    return { form: 'late-objection', ok: true, message: `Der verspätete Einspruch ist erfasst. ${QUEUED_REASON}` };
  const result = await resultWithin(client, workflowId, options.waitMs ?? 20_000);
  if (!result)
    return { form: 'late-objection', ok: true, message: 'Der verspätete Einspruch ist erfasst und wird gerade im Nachweis festgehalten.' };
  return {
    form: 'late-objection',
    ok: true,
    message:
      `Der verspätete Einspruch (eingegangen am ${formatDate(values.receivedOn)}) ist angenommen und im Nachweis festgehalten; ` +
      `er wird als Vorgang Nr. ${result.ticketId} wie ein fristgerechter bearbeitet.`,
  };
}

/** The tenant's own late objection as its statement page shows it. */
export interface TenantLateObjection {
  /** The tenant may send one now: its window has closed and it has sent none, nor was one accepted. */
  canRequest: boolean;
  /** Sent through the portal: when, and the case the managers decide it in. */
  request: { submittedAt: string; ticketId: number } | null;
  /** Accepted by the manager (from the tenant's request, or from a letter). */
  accepted: { receivedOn: string } | null;
}

export async function tenantLateObjection(facts: RecipientFacts, database: Db = sharedDb()): Promise<TenantLateObjection> {
  const [row] = await database.sequelize.query<{ submittedAt: Date | null; ticketId: number | null; acceptedOn: string | null }>(
    `SELECT q.submitted_at AS "submittedAt", q.ticket_id AS "ticketId", a.received_on::text AS "acceptedOn"
       FROM (SELECT :occupancyId::int AS occupancy_id) r
       LEFT JOIN statement_late_objection_requests q ON q.occupancy_id = r.occupancy_id
       LEFT JOIN statement_late_objections a ON a.occupancy_id = r.occupancy_id`,
    { replacements: { occupancyId: facts.occupancyId }, type: QueryTypes.SELECT },
  );
  const windowClosed = compareDates(facts.objectionDeadline, berlinDateOf(Date.now())) < 0;
  const request = row?.submittedAt ? { submittedAt: new Date(row.submittedAt).toISOString(), ticketId: row.ticketId! } : null;
  const accepted = row?.acceptedOn ? { receivedOn: row.acceptedOn } : null;
  return { canRequest: windowClosed && !request && !accepted, request, accepted };
}

export type LateRequestOutcome =
  | { form: 'late-request'; ok: true; message: string }
  | {
      form: 'late-request';
      ok: false;
      message: string;
      errors: Partial<Record<LateRequestField, string>>;
      values: LateRequestForm;
    };

/**
 * The tenant's late objection, sent after its window: checked with errors naming the field, then
 * in one transaction the request's row, the case for the managers (linked to the version, through
 * the ticket's outbox) and the audit entry. The manager decides in the case and, accepting it,
 * proves it on the recipient's page (acceptLateObjectionAction), which links the same case.
 */
export async function requestLateObjectionAction(
  request: Request,
  user: SessionUser,
  facts: RecipientFacts,
  context: RequestContext | undefined,
  options: LateObjectionOptions = {},
): Promise<LateRequestOutcome> {
  requireSameOrigin(request);
  const database = options.db ?? sharedDb();
  const form = await request.formData();
  const values: LateRequestForm = {
    positions: form.getAll('positions').map(String),
    objection: normaliseText(String(form.get('objection') ?? '')).trim(),
    reason: normaliseText(String(form.get('reason') ?? '')).trim(),
  };
  const refuse = (message: string, errors: Partial<Record<LateRequestField, string>> = {}): LateRequestOutcome => ({
    form: 'late-request',
    ok: false,
    message,
    errors,
    values,
  });
  const state = await tenantLateObjection(facts, database);
  if (state.request || state.accepted) return refuse('Ihre verspätete Einwendung ist bereits eingegangen.');
  if (!state.canRequest) return refuse('Die Einspruchsfrist läuft noch: Bitte erheben Sie Ihren Einspruch über das Formular oben.');
  const errors = lateRequestErrors(values);
  if (Object.keys(errors).length > 0) return refuse('Bitte prüfen Sie die markierten Felder.', errors);

  const ip = clientIp(context);
  const ticketId = await database.sequelize
    .transaction(async (transaction) => {
      const { ticketId } = await openTicket(
        {
          organisationId: facts.organisationId,
          propertyId: facts.propertyId,
          unitId: facts.unitId,
          createdBy: user.id,
          category: 'statement_objection',
          topic: 'statement_objection',
          subject: objectionTicketSubject(facts, facts.unitLabel, 'verspätet, zu prüfen'),
          body:
            `Im Portal eingegangen nach der Einspruchsfrist (bis ${formatDate(facts.objectionDeadline)}). ` +
            `${LATE_REQUEST_LABELS.reason} ${values.reason}\n\n` +
            `Beanstandete Positionen: ${values.positions.join(', ')}\n\n${values.objection}\n\n` +
            `Annehmen lässt sich der Einspruch im Zustellnachweis der Mietpartei: /abrechnungen/${facts.statementId}/nachweis/${facts.occupancyId}`,
          linked: { kind: 'statement', id: facts.statementId, version: facts.version },
        },
        {
          db: database,
          client: options.client ?? temporalClient(),
          taskQueue: options.taskQueue ?? temporalSettings().taskQueue,
          transaction,
        },
      );
      const [inserted] = await database.sequelize.query<{ id: number }>(
        `INSERT INTO statement_late_objection_requests (occupancy_id, statement_id, version, unit_id, user_id, positions, objection, reason, ip, ticket_id)
       VALUES (:occupancyId, :statementId, :version, :unitId, :userId, ARRAY[:positions]::text[], :objection, :reason, :ip, :ticketId)
       ON CONFLICT (occupancy_id) DO NOTHING RETURNING id`,
        { replacements: { ...facts, ...values, userId: user.id, ip, ticketId }, type: QueryTypes.SELECT, transaction },
      );
      // A second submit that raced the first: nothing of it stays.
      if (!inserted) throw new LateRequestExists();
      await appendAudit(
        database,
        {
          organisationId: facts.organisationId,
          actorId: user.id,
          actor: user.email,
          action: 'statement_late_objection_requested',
          entity: 'statement',
          entityId: facts.statementId,
          ip,
          details: { version: facts.version, occupancyId: facts.occupancyId, positions: values.positions, ticketId },
        },
        transaction,
      );
      return ticketId;
    })
    .catch((error: unknown) => {
      if (error instanceof LateRequestExists) return null;
      throw error;
    });
  if (ticketId === null) return refuse('Ihre verspätete Einwendung ist bereits eingegangen.');
  return {
    form: 'late-request',
    ok: true,
    message:
      `Ihre verspätete Einwendung ist eingegangen (Vorgang Nr. ${ticketId}). Die Verwaltung prüft, ob sie sie trotz Fristablauf ` +
      'berücksichtigen kann, und antwortet Ihnen im Vorgang.',
  };
}

class LateRequestExists extends Error {}
