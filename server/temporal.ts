// The server's way into Temporal, shared by every feature: one client per process, idempotent
// typed starts with the obligation's search attributes, updates whose refusal becomes the
// validator's German message, and queries that never take a page down.
import {
  Client,
  Connection,
  isGrpcServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { defineSearchAttributeKey, type SearchAttributePair, type UpdateDefinition, type Workflow } from '@temporalio/common';
import type { Db } from '../db';
import { SA } from '../workflows/shared/search-attributes';
import { config, temporalDeadlines } from './config';

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
}

export function temporalSettings(): TemporalSettings {
  const { TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE } = config();
  return { address: TEMPORAL_ADDRESS, namespace: TEMPORAL_NAMESPACE, taskQueue: TEMPORAL_TASK_QUEUE };
}

let client: Client | undefined;

/** One client per process; the connection opens on first use, so importing this costs nothing. */
export function temporalClient(): Client {
  if (!client) {
    const { address, namespace } = temporalSettings();
    client = new Client({ connection: Connection.lazy({ address }), namespace });
  }
  return client;
}

/** What a service call may override: tests pass their own database, client and task queue. */
export interface WorkflowOptions {
  db?: Db;
  client?: Client;
  taskQueue?: string;
}

/** The search attributes every obligation carries from its start: what it is and where. */
export interface ObligationIdentity {
  /** Absent where the workflow names it itself once it knows (a device: calibration, replacement, inspection). */
  obligation?: string;
  /** Scopes compliance queries (KlarOrganisation); organisationClause in domain/compliance/obligation-search.ts for workflows started without it. */
  organisationId: number;
  propertyId: number;
  unitId: number | null;
  deviceId?: number;
}

export function identityAttributes(identity: ObligationIdentity): SearchAttributePair[] {
  return [
    ...(identity.obligation === undefined ? [] : [{ key: SA.obligation, value: identity.obligation }]),
    { key: SA.organisation, value: String(identity.organisationId) },
    { key: SA.property, value: String(identity.propertyId) },
    ...(identity.unitId === null ? [] : [{ key: SA.unit, value: String(identity.unitId) }]),
    ...(identity.deviceId === undefined ? [] : [{ key: SA.device, value: String(identity.deviceId) }]),
  ];
}

export interface StartOnce<W extends Workflow> {
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  args: Parameters<W>;
  identity: ObligationIdentity;
  /** Which ended runs may be started again; default: none (a case is filed once). */
  reuse?: WorkflowStartOptions['workflowIdReusePolicy'];
  memo?: Record<string, unknown>;
  /** Further keyword search attributes by name (a statement's period and state). */
  keywords?: Record<string, string>;
}

/**
 * Starts the workflow unless one with its id runs (then that one is used) or has ended (then it
 * stays ended): filing twice never makes two. Returns the new run's id, or null when it existed.
 */
export async function startOnce<W extends Workflow>(temporal: Client, start: StartOnce<W>): Promise<string | null> {
  try {
    // Typed where it matters: StartOnce<W> ties args to the workflow's parameters.
    const args: unknown[] = start.args;
    const handle = await temporal.workflow.start(start.workflowType, {
      workflowId: start.workflowId,
      taskQueue: start.taskQueue,
      args,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: start.reuse ?? 'REJECT_DUPLICATE',
      memo: start.memo,
      typedSearchAttributes: [
        ...identityAttributes(start.identity),
        ...Object.entries(start.keywords ?? {}).map(([name, value]) => ({ key: defineSearchAttributeKey(name, 'KEYWORD'), value })),
      ],
    });
    return handle.firstExecutionRunId;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return null;
    throw error;
  }
}

/** gRPC status codes that mean "Temporal is not reachable (now)", not "Temporal refused". */
const UNAVAILABLE_CODES = new Set([
  1, // CANCELLED: the connection went away mid-call
  4, // DEADLINE_EXCEEDED: our deadline passed
  8, // RESOURCE_EXHAUSTED: the server sheds load
  14, // UNAVAILABLE: no connection
]);

/** Whether an error of a Temporal call means the service is away (as opposed to a refusal or a bug). */
export function temporalUnavailable(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (isGrpcServiceError(cause) && UNAVAILABLE_CODES.has(cause.code)) return true;
    if (/Failed to connect|connection refused|ECONNREFUSED|Deadline exceeded|Connection dropped/i.test(cause.message)) return true;
  }
  return false;
}

/** The argument an update definition takes. */
export type UpdateArgument<U> = U extends UpdateDefinition<unknown, [infer A]> ? A : never;

export type UpdateOutcome<T> = { ok: true; result: T } | { ok: false; message: string };

/** An update that outlasted its deadline: the workflow goes on with it (callers wait for its effect rather than repeat it). */
export const UPDATE_NO_ANSWER = 'Der Vorgang antwortet gerade nicht. Bitte versuchen Sie es in einem Moment erneut.';

/**
 * Runs a workflow update and turns its refusal into the validator's own German message. A
 * workflow that has ended answers with `endedMessage`; Temporal away rejects within seconds.
 */
export async function runUpdate<T, A>(
  temporal: Client,
  workflowId: string,
  update: UpdateDefinition<T, [A]>,
  arg: A,
  endedMessage: string,
): Promise<UpdateOutcome<T>> {
  try {
    // An update may legitimately take a while, so its own deadline is long; whether Temporal answers
    // at all is asked first with a short one, so an outage fails the request within seconds.
    // How long the web waits to learn that Temporal is away (then the 503 page, server/availability.ts).
    const { reachableWithinMs, updateMs } = temporalDeadlines();
    await temporal.withDeadline(Date.now() + reachableWithinMs, () => temporal.workflowService.getSystemInfo({}));
    const result = await temporal.withDeadline(Date.now() + updateMs, () =>
      temporal.workflow.getHandle(workflowId).executeUpdate(update, { args: [arg] }),
    );
    return { ok: true, result };
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) return { ok: false, message: error.cause?.message ?? error.message };
    if (error instanceof WorkflowNotFoundError) return { ok: false, message: endedMessage };
    if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
      return { ok: false, message: UPDATE_NO_ANSWER };
    }
    throw error;
  }
}

/**
 * Whether `workflowId` is still to be started by `startedBy`: it has never run, and the workflow that
 * starts it (its parent) runs. False once it has run (closed ones included) or its starter has ended.
 */
export async function startPending(temporal: Client, workflowId: string, startedBy: string): Promise<boolean> {
  const { reachableWithinMs } = temporalDeadlines();
  const runs = async (id: string) => {
    try {
      const { status } = await temporal.withDeadline(Date.now() + reachableWithinMs, () => temporal.workflow.getHandle(id).describe());
      return status.name === 'RUNNING' ? 'running' : 'closed';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'never';
      throw error;
    }
  };
  return (await runs(workflowId)) === 'never' && (await runs(startedBy)) === 'running';
}

/**
 * Waits up to `timeoutMs` for `startedBy` to start `workflowId` (see startPending); false: it is still
 * to be started, so a synchronous step asks the user to try again in a moment.
 */
export async function awaitStart(temporal: Client, workflowId: string, startedBy: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (await startPending(temporal, workflowId, startedBy)) {
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return true;
}

/** A query for a detail page; Temporal being away must not take the page down. */
export type LiveStatus<T> =
  | { available: true; status: T }
  /** queued: the workflow has work waiting in the outbox (server/outbox.ts): the page says "wird bearbeitet". */
  | { available: false; reason: string; missing: boolean; queued?: boolean };

export async function queryLive<T>(
  workflowId: string,
  query: () => Promise<T>,
  temporal: Client = temporalClient(),
): Promise<LiveStatus<T>> {
  try {
    return { available: true, status: await temporal.withDeadline(Date.now() + temporalDeadlines().queryMs, query) };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      return { available: false, missing: true, reason: 'Der Workflow ist beendet; die Angaben stammen aus der Datenbank.' };
    }
    console.warn(`[${workflowId}] getStatus failed: ${(error as Error).message}`);
    return {
      available: false,
      missing: false,
      reason: 'Der Live-Status ist derzeit nicht verfügbar; die Angaben stammen aus der Datenbank.',
    };
  }
}

/** Runs `task` over `items` with at most `limit` at a time (bulk starts and signals). */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
