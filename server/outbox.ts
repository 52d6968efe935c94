// The transactional outbox (issue 16, ADR 4): what a user action must tell Temporal is written in
// the same transaction as the action's rows, and delivered afterwards — at once by the request
// that wrote it (`deliverNow`), else by the relay in every worker (`startOutboxRelay`) with retries.
// So a write either commits together with its workflow start or signal, or not at all; a Temporal
// outage delays the delivery but loses nothing, and nothing needs a restart to heal. Deliveries are
// idempotent (starts by workflow id, signals the workflows treat as facts), so an entry delivered
// twice after a crash between the call and its bookkeeping changes nothing.
//
// For features: `enqueueWorkflowStart(transaction, start)` and `enqueueSignal(transaction, …)`
// inside the action's transaction, then `deliverNow(entries)` after the commit; pages ask
// `pendingWork(workflowIds)` to say "wird bearbeitet" while an entry waits.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SignalDefinition, Workflow } from '@temporalio/common';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Db } from '../db';
import { temporalDeadlines } from './config';
import { db as sharedDb } from './db';
import {
  reportDeviceHealth,
  reportDeviceReadings,
  reportDeviceRecalibrated,
  reportDeviceReplaced,
  reportExchangeLeadTime,
  type DeviceReadingUpdate,
} from './device-obligation';
import type { DeviceRecalibrated, DeviceReplaced } from '../domain/contracts/device';
import {
  queryLive,
  startOnce,
  startPending,
  temporalClient,
  temporalSettings,
  temporalUnavailable,
  type LiveStatus,
  type StartOnce,
} from './temporal';

/** A workflow start, stored as JSON: `args` must survive JSON (no Dates, no undefined in arrays). */
export type OutboxStart = Omit<StartOnce<Workflow>, 'args'> & { args: unknown[] };

export interface OutboxSignal {
  workflowId: string;
  taskQueue: string;
  signal: string;
  args: unknown[];
  /**
   * What a signal to a workflow that does not run means: nothing to tell (`skip`), try again later
   * (`retry`), or the workflow `startedBy` starts it soon: try again while that one runs and this one
   * has not run yet, skip once either has ended (a child whose row names it before its start).
   */
  ifMissing: 'skip' | 'retry' | { startedBy: string };
}

/** A fact about a device for its workflow; delivered as today's signals, starting the workflow if it has none. */
export type DeviceReport =
  | { deviceId: number; report: 'replaced'; change: DeviceReplaced }
  | { deviceId: number; report: 'recalibrated'; change: DeviceRecalibrated }
  | { deviceId: number; report: 'health'; change: { batteryPercent?: number; lastReadingAt?: string } };

export interface DeviceReadings {
  updates: DeviceReadingUpdate[];
  taskQueue: string;
}

/** An organisation's changed exchange lead time for one batch of its device workflows. */
export interface DeviceLeadTime {
  organisationId: number;
  deviceIds: number[];
  taskQueue: string;
}

interface Payloads {
  start: OutboxStart;
  signal: OutboxSignal;
  'device-report': DeviceReport & { taskQueue: string };
  'device-readings': DeviceReadings;
  'device-lead-time': DeviceLeadTime;
}
export type OutboxKind = keyof Payloads;

/** An entry written in a transaction; pass it to `deliverNow` once that transaction has committed. */
export interface OutboxEntry {
  id: number;
  workflowId: string;
}

async function enqueue<K extends OutboxKind>(
  transaction: Transaction,
  kind: K,
  workflowId: string,
  payload: Payloads[K] & { taskQueue: string },
): Promise<OutboxEntry> {
  // Every transaction knows its Sequelize (untyped in sequelize's declarations): callers pass only the transaction.
  const { sequelize } = transaction as Transaction & { sequelize: Sequelize };
  const [row] = await sequelize.query<{ id: number }>(
    'INSERT INTO workflow_outbox (kind, workflow_id, task_queue, payload) VALUES ($1, $2, $3, $4::jsonb) RETURNING id',
    { bind: [kind, workflowId, payload.taskQueue, JSON.stringify(payload)], type: QueryTypes.SELECT, transaction },
  );
  return { id: row!.id, workflowId };
}

/** The workflow starts once this transaction commits (idempotently: the workflow id is the key). */
export function enqueueWorkflowStart<W extends Workflow>(transaction: Transaction, start: StartOnce<W>): Promise<OutboxEntry> {
  return enqueue(transaction, 'start', start.workflowId, { ...start, args: [...start.args] });
}

/** The signal is sent once this transaction commits, after any earlier entry of the same workflow. */
export function enqueueSignal<Args extends unknown[]>(
  transaction: Transaction,
  workflowId: string,
  signal: SignalDefinition<Args>,
  args: Args,
  options: { ifMissing: OutboxSignal['ifMissing']; taskQueue?: string },
): Promise<OutboxEntry> {
  const taskQueue = options.taskQueue ?? temporalSettings().taskQueue;
  return enqueue(transaction, 'signal', workflowId, { workflowId, taskQueue, signal: signal.name, args, ifMissing: options.ifMissing });
}

export function enqueueDeviceReport(transaction: Transaction, report: DeviceReport & { taskQueue: string }, workflowId: string) {
  return enqueue(transaction, 'device-report', workflowId, report);
}

/**
 * One entry for all devices of an import; a partial delivery keeps the rest for the next attempt.
 * Each import has a key of its own: the signals carry the newest day from the rows at delivery, so
 * the order of imports does not matter, and one import waiting must not hold back the next.
 */
export function enqueueDeviceReadings(transaction: Transaction, readings: DeviceReadings): Promise<OutboxEntry> {
  return enqueue(transaction, 'device-readings', `device-readings:${randomUUID()}`, readings);
}

/**
 * One entry per batch of devices. Each has a key of its own: the signals carry the organisation's
 * lead time at delivery, so a later change overtaking an earlier one does no harm.
 */
export function enqueueDeviceLeadTime(transaction: Transaction, change: DeviceLeadTime): Promise<OutboxEntry> {
  return enqueue(transaction, 'device-lead-time', `device-lead-time:${change.organisationId}:${randomUUID()}`, change);
}

// ---- delivery ----

interface Claimed {
  id: number;
  kind: OutboxKind;
  workflowId: string;
  payload: unknown;
  attempts: number;
}

/** What a handler made of an entry: delivered (with a result for the page), or partly, the rest kept. */
type Handled = { done: true; result?: unknown } | { done: false; rest: unknown; error: unknown; result?: unknown };

interface DeliveryContext {
  client: Client;
  database: Db;
  deadlineMs: number;
}

const HANDLERS: { [K in OutboxKind]: (payload: Payloads[K], context: DeliveryContext) => Promise<Handled> } = {
  async start(start, { client, deadlineMs }) {
    const runId = await client.withDeadline(Date.now() + deadlineMs, () => startOnce(client, start));
    return { done: true, result: { started: runId !== null } };
  },
  async signal(signal, { client, deadlineMs }) {
    try {
      await client.withDeadline(Date.now() + deadlineMs, () =>
        client.workflow.getHandle(signal.workflowId).signal(signal.signal, ...signal.args),
      );
      return { done: true, result: { signalled: true } };
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError) || signal.ifMissing === 'retry') throw error;
      if (signal.ifMissing === 'skip') return { done: true, result: { signalled: false } };
      if (await startPending(client, signal.workflowId, signal.ifMissing.startedBy))
        throw new Error(`${signal.workflowId} is not started yet by ${signal.ifMissing.startedBy}`, { cause: error });
      return { done: true, result: { signalled: false } };
    }
  },
  async 'device-report'(report, { client, database, deadlineMs }) {
    const options = { db: database, taskQueue: report.taskQueue };
    await client.withDeadline(Date.now() + deadlineMs, async () => {
      if (report.report === 'replaced') await reportDeviceReplaced(client, report.deviceId, report.change, options);
      else if (report.report === 'recalibrated') await reportDeviceRecalibrated(client, report.deviceId, report.change, options);
      else await reportDeviceHealth(client, report.deviceId, report.change, options);
    });
    return { done: true };
  },
  async 'device-readings'(readings, { client, database, deadlineMs }) {
    const outcome = await reportDeviceReadings(client, readings.updates, { db: database, taskQueue: readings.taskQueue, deadlineMs });
    const result = { signalled: outcome.signalled, ended: outcome.ended, unsent: outcome.unsent.length };
    if (outcome.unsent.length === 0) return { done: true, result };
    const unsent = new Set(outcome.unsent);
    const rest: DeviceReadings = { ...readings, updates: readings.updates.filter((u) => unsent.has(u.deviceId)) };
    return { done: false, rest, result, error: new Error(`${outcome.unsent.length} devices not told yet`) };
  },
  async 'device-lead-time'(change, { client, database, deadlineMs }) {
    const outcome = await reportExchangeLeadTime(client, change, { db: database, deadlineMs });
    const result = { signalled: outcome.signalled, ended: outcome.ended, unsent: outcome.unsent.length };
    if (outcome.unsent.length === 0) return { done: true, result };
    const rest: DeviceLeadTime = { ...change, deviceIds: outcome.unsent };
    return { done: false, rest, result, error: new Error(`${outcome.unsent.length} devices not told the lead time yet`) };
  },
};

/** Seconds until the next attempt: 1, 2, 4 … capped at a minute, so a healed Temporal is noticed soon. */
function backoffSeconds(attempts: number): number {
  return Math.min(60, 2 ** Math.min(attempts, 6));
}

export interface DeliveryOptions {
  db?: Db;
  client?: Client;
  /** How long one Temporal call may take before the entry counts as undelivered for now. */
  deadlineMs?: number;
}

export type DeliveryStatus = { status: 'sent'; result?: unknown } | { status: 'pending'; error?: string; result?: unknown };

/**
 * Delivers the claimed entries in id order. At the first failure that means Temporal is away the
 * rest of the batch is left for later untouched (each would only wait for its own deadline).
 */
async function deliverClaimed(rows: Claimed[], transaction: Transaction, context: DeliveryContext): Promise<Map<number, DeliveryStatus>> {
  const outcome = new Map<number, DeliveryStatus>();
  const failedWorkflows = new Set<string>();
  let unavailable = false;
  for (const row of rows) {
    // An entry behind a failed one of the same workflow waits, so a signal never overtakes its start.
    if (unavailable || failedWorkflows.has(row.workflowId)) {
      outcome.set(row.id, { status: 'pending' });
      continue;
    }
    let handled: Handled;
    try {
      const handle = HANDLERS[row.kind] as (payload: unknown, context: DeliveryContext) => Promise<Handled>;
      handled = await handle(row.payload, context);
    } catch (error) {
      handled = { done: false, rest: row.payload, error };
    }
    if (handled.done) {
      await context.database.sequelize.query(
        'UPDATE workflow_outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1',
        { bind: [row.id], transaction },
      );
      outcome.set(row.id, { status: 'sent', result: handled.result });
      continue;
    }
    const message = handled.error instanceof Error ? handled.error.message.split('\n')[0]! : String(handled.error);
    await context.database.sequelize.query(
      `UPDATE workflow_outbox SET attempts = attempts + 1, last_error = $2, payload = $3::jsonb,
              next_attempt_at = now() + make_interval(secs => $4) WHERE id = $1`,
      { bind: [row.id, message.slice(0, 1_000), JSON.stringify(handled.rest), backoffSeconds(row.attempts)], transaction },
    );
    if (row.attempts === 0 || row.attempts % 10 === 9) {
      console.warn(`[outbox] ${row.kind} for ${row.workflowId} not delivered (attempt ${row.attempts + 1}): ${message}`);
    }
    outcome.set(row.id, { status: 'pending', error: message, result: handled.result });
    failedWorkflows.add(row.workflowId);
    if (temporalUnavailable(handled.error)) unavailable = true;
  }
  return outcome;
}

function context(options: DeliveryOptions): DeliveryContext {
  return {
    client: options.client ?? temporalClient(),
    database: options.db ?? sharedDb(),
    deadlineMs: options.deadlineMs ?? temporalDeadlines().outboxDeliveryMs,
  };
}

const CLAIM = `
  SELECT o.id, o.kind, o.workflow_id AS "workflowId", o.payload, o.attempts
    FROM workflow_outbox o
   WHERE o.sent_at IS NULL AND %WHERE%
     AND NOT EXISTS (SELECT 1 FROM workflow_outbox e WHERE e.workflow_id = o.workflow_id AND e.sent_at IS NULL AND e.id < o.id)
   ORDER BY o.id LIMIT $1`;

/**
 * Delivers the given entries right after their transaction committed (the request's fast path).
 * An entry a relay is delivering at this moment is waited for briefly; one that cannot be
 * delivered now stays for the relay: the caller shows "wird bearbeitet" for it. Never throws for
 * Temporal's sake.
 */
export async function deliverNow(entries: readonly OutboxEntry[], options: DeliveryOptions = {}): Promise<Map<number, DeliveryStatus>> {
  const ids = entries.map((entry) => entry.id);
  const outcome = new Map<number, DeliveryStatus>(ids.map((id) => [id, { status: 'pending' }]));
  if (ids.length === 0) return outcome;
  const ctx = context(options);
  try {
    await ctx.database.sequelize.transaction(async (transaction) => {
      await ctx.database.sequelize.query("SET LOCAL lock_timeout = '3s'", { transaction });
      const rows = await ctx.database.sequelize.query<Claimed>(`${CLAIM.replace('%WHERE%', 'o.id = ANY($2::bigint[])')} FOR UPDATE OF o`, {
        bind: [ids.length, ids],
        type: QueryTypes.SELECT,
        transaction,
      });
      for (const [id, status] of await deliverClaimed(rows, transaction, ctx)) outcome.set(id, status);
    });
    // Entries delivered meanwhile by a relay (the lock waited for it) count as sent.
    const sent = await ctx.database.sequelize.query<{ id: number }>(
      'SELECT id FROM workflow_outbox WHERE id = ANY($1::bigint[]) AND sent_at IS NOT NULL',
      { bind: [ids], type: QueryTypes.SELECT },
    );
    for (const { id } of sent) if (outcome.get(id)?.status !== 'sent') outcome.set(id, { status: 'sent' });
  } catch (error) {
    console.warn(`[outbox] immediate delivery of ${ids.length} entries deferred to the relay: ${(error as Error).message}`);
  }
  return outcome;
}

export interface RelayOptions extends DeliveryOptions {
  /** The relay delivers the entries of its workers' task queue (default: the configured one). */
  taskQueue?: string;
  limit?: number;
}

/** Delivers up to `limit` due entries (any process may run this concurrently); returns how many were sent. */
export async function relayOutbox(options: RelayOptions = {}): Promise<{ sent: number; pending: number }> {
  const ctx = context(options);
  return ctx.database.sequelize.transaction(async (transaction) => {
    const rows = await ctx.database.sequelize.query<Claimed>(
      `${CLAIM.replace('%WHERE%', 'o.task_queue = $2 AND o.next_attempt_at <= now()')} FOR UPDATE OF o SKIP LOCKED`,
      { bind: [options.limit ?? 50, options.taskQueue ?? temporalSettings().taskQueue], type: QueryTypes.SELECT, transaction },
    );
    const outcome = [...(await deliverClaimed(rows, transaction, ctx)).values()];
    const sent = outcome.filter((o) => o.status === 'sent').length;
    return { sent, pending: outcome.length - sent };
  });
}

export interface OutboxRelay {
  stop(): Promise<void>;
}

/** How long delivered entries are kept (for tracing what was sent when). */
const KEEP_SENT_DAYS = 7;

/**
 * The relay of a worker process: delivers due entries every `intervalMs` (and whenever a batch was
 * full), deletes delivered entries after a week. Errors are logged; the loop keeps going.
 */
export function startOutboxRelay(options: RelayOptions & { intervalMs?: number; log?: (line: string) => void } = {}): OutboxRelay {
  const intervalMs = options.intervalMs ?? 1_000;
  const log = options.log ?? ((line: string) => console.warn(line));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let lastCleanup = 0;
  const loop = (async () => {
    while (!stopped) {
      let full = false;
      try {
        const { sent, pending } = await relayOutbox(options);
        full = sent > 0 && pending === 0 && sent >= 50;
        if (Date.now() - lastCleanup > 3_600_000) {
          lastCleanup = Date.now();
          await (options.db ?? sharedDb()).sequelize.query(
            `DELETE FROM workflow_outbox WHERE sent_at < now() - make_interval(days => ${KEEP_SENT_DAYS})`,
          );
        }
      } catch (error) {
        log(`[outbox] relay: ${(error as Error).message}`);
      }
      if (full || stopped) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, intervalMs);
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}

// ---- what pages show ----

export interface PendingWork {
  since: Date;
  attempts: number;
  lastError: string | null;
}

/** Undelivered entries per workflow id (the oldest one's age): the page says "wird bearbeitet". */
export async function pendingWork(workflowIds: readonly string[], database: Db = sharedDb()): Promise<Map<string, PendingWork>> {
  if (workflowIds.length === 0) return new Map();
  const rows = await database.sequelize.query<{ workflowId: string; since: Date; attempts: number; lastError: string | null }>(
    `SELECT workflow_id AS "workflowId", min(created_at) AS since, max(attempts)::int AS attempts,
            (array_agg(last_error ORDER BY id DESC))[1] AS "lastError"
       FROM workflow_outbox WHERE sent_at IS NULL AND workflow_id = ANY($1::text[]) GROUP BY workflow_id`,
    { bind: [[...workflowIds]], type: QueryTypes.SELECT },
  );
  return new Map(rows.map(({ workflowId, ...work }) => [workflowId, work]));
}

/** What a page says while an entry of its workflow waits for delivery. */
export const QUEUED_REASON =
  'Wird bearbeitet: Die Angaben sind gespeichert und werden übernommen, sobald der Workflow-Dienst wieder erreichbar ist.';

/**
 * A detail page's live view (`queryLive`), saying "wird bearbeitet" instead of "not available"
 * while something for the workflow waits in the outbox (its start, or a change not yet signalled).
 */
export async function queryLiveOrQueued<T>(
  workflowId: string,
  query: () => Promise<T>,
  options: { client?: Client; db?: Db } = {},
): Promise<LiveStatus<T>> {
  const [live, pending] = await Promise.all([
    queryLive(workflowId, query, options.client ?? temporalClient()),
    pendingWork([workflowId], options.db),
  ]);
  if (!pending.has(workflowId)) return live;
  return { available: false, missing: !live.available && live.missing, queued: true, reason: QUEUED_REASON };
}

/**
 * Delivers now what waits for this workflow (before a call that needs the workflow to exist, such as
 * an update); returns whether anything still waits, e.g. because Temporal is away.
 */
export async function deliverQueued(workflowId: string, options: DeliveryOptions = {}): Promise<boolean> {
  const database = options.db ?? sharedDb();
  const rows = await database.sequelize.query<{ id: number }>(
    'SELECT id FROM workflow_outbox WHERE sent_at IS NULL AND workflow_id = $1 ORDER BY id',
    { bind: [workflowId], type: QueryTypes.SELECT },
  );
  if (rows.length === 0) return false;
  const outcome = await deliverNow(
    rows.map(({ id }) => ({ id, workflowId })),
    options,
  );
  return [...outcome.values()].some((status) => status.status !== 'sent');
}

/** Whether anything for this workflow waits for delivery. */
export async function isQueued(workflowId: string, database: Db = sharedDb()): Promise<boolean> {
  return (await pendingWork([workflowId], database)).has(workflowId);
}
