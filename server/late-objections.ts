// The manager accepts a tenant's objection that came after that tenant's window (BGB §556(3) S.6):
// on the recipient's proof page, with a mandatory reason. The acceptance runs as its own small
// workflow (docs/decisions/0012), started through the outbox: the web writes nothing else, so no
// acceptance row exists without its workflow, and a started workflow retries until its row exists.
import { QueryTypes } from 'sequelize';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { berlinDateOf } from '../domain/business-hours';
import { compareDates } from '../domain/dates';
import { formatDate } from '../domain/format';
import { hasPermission } from '../domain/permissions';
import { normaliseText } from '../domain/text-limits';
import {
  LATE_OBJECTION_WORKFLOW_TYPE,
  lateObjectionWorkflowId,
  type LateObjectionInput,
  type LateObjectionResult,
} from '../domain/contracts/late-objection';
import { lateObjectionErrors, recordedLateReason, type LateObjectionField, type LateObjectionForm } from '../domain/late-objections';
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
}

export async function lateObjectionState(user: SessionUser, facts: RecipientFacts, database: Db = sharedDb()): Promise<LateObjectionState> {
  const [row] = await database.sequelize.query<{ receivedOn: string; reason: string; ticketId: number | null }>(
    `SELECT received_on::text AS "receivedOn", reason, ticket_id AS "ticketId" FROM statement_late_objections WHERE occupancy_id = :occupancyId`,
    { replacements: { occupancyId: facts.occupancyId }, type: QueryTypes.SELECT },
  );
  const pending = !row && (await isQueued(lateObjectionWorkflowId(facts.statementId, facts.version, facts.occupancyId), database));
  const windowClosed = compareDates(facts.objectionDeadline, berlinDateOf(Date.now())) < 0;
  return {
    canAccept: hasPermission(user, 'deliver:statement:any') && windowClosed && !row && !pending,
    accepted: row ?? null,
    pending,
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
