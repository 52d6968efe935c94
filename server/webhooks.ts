// Webhooks (issue 17): a manager registers HTTPS endpoints for event kinds; each event becomes one
// delivery per subscribed endpoint, delivered by its own Temporal workflow (retries with backoff,
// server/webhook-obligation.ts) and signed with the endpoint's secret. The secret is shown once
// and stored sealed with DOCUMENT_KEY; the delivery log keeps every attempt with its answer.
import { randomBytes } from 'node:crypto';
import { QueryTypes, type Transaction } from 'sequelize';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Db } from '../db/index';
import { appendAudit } from '../db/audit';
import {
  EMITTED_WEBHOOK_EVENT_KINDS,
  WEBHOOK_DELIVERY_WORKFLOW_TYPE,
  isWebhookEventKind,
  webhookDeliveryWorkflowId,
  type WebhookDeliveryState,
  type WebhookEventKind,
} from '../domain/contracts/webhook';
import { hasPermission } from '../domain/permissions';
import type { webhookDelivery } from '../workflows/webhook-delivery';
import { db as sharedDb } from './db';
import { documentKey, encrypt } from './documents';
import type { SessionUser } from './session';
import { temporalClient, temporalSettings } from './temporal';

export type WebhookManager = Pick<SessionUser, 'id' | 'email' | 'organisationId' | 'role'>;

export class WebhookInputError extends Error {
  constructor(
    readonly field: 'url' | 'kinds',
    message: string,
  ) {
    super(message);
  }
}

export class WebhookForbiddenError extends Error {}

/** AES-GCM associated data of an endpoint's secret: a sealed secret moved to another row does not open. */
export function secretAssociatedData(organisationId: number, url: string): string {
  return `webhook-secret:${organisationId}:${url}`;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** HTTPS only; plain HTTP to the machine itself (development, tests) is the one exception. */
export function checkEndpointUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new WebhookInputError('url', 'Adresse: keine gültige URL, z. B. https://erp.example.de/klarmeter');
  }
  if (url.username || url.password) throw new WebhookInputError('url', 'Adresse: bitte ohne Benutzername und Passwort');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    throw new WebhookInputError('url', 'Adresse: nur HTTPS-Adressen sind erlaubt');
  if (url.href.length > 2000) throw new WebhookInputError('url', 'Adresse: höchstens 2.000 Zeichen');
  return url.href;
}

function requirePermission(user: WebhookManager, permission: 'read:webhook:any' | 'create:webhook:any') {
  if (!hasPermission(user, permission)) throw new WebhookForbiddenError('Keine Berechtigung für Webhooks');
}

/** Registers an endpoint; the returned secret (`whsec_…`) is the only time it exists outside the row. */
export async function registerWebhookEndpoint(
  user: WebhookManager,
  input: { url: string; kinds: readonly string[] },
  options: { db?: Db; ip?: string | null; key?: Buffer } = {},
): Promise<{ id: number; secret: string }> {
  requirePermission(user, 'create:webhook:any');
  const url = checkEndpointUrl(input.url);
  const kinds = [...new Set(input.kinds)];
  if (kinds.length === 0) throw new WebhookInputError('kinds', 'Ereignisse: mindestens eines auswählen');
  const unknown = kinds.find((kind) => !isWebhookEventKind(kind));
  if (unknown !== undefined) throw new WebhookInputError('kinds', `Ereignisse: unbekannt „${unknown}“`);
  const silent = kinds.find((kind) => isWebhookEventKind(kind) && !EMITTED_WEBHOOK_EVENT_KINDS.includes(kind));
  if (silent !== undefined) throw new WebhookInputError('kinds', `Ereignisse: „${silent}“ wird noch nicht gemeldet`);
  const database = options.db ?? sharedDb();
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const sealed = encrypt(Buffer.from(secret), options.key ?? documentKey(), secretAssociatedData(user.organisationId, url));
  return database.sequelize.transaction(async (transaction) => {
    const [row] = await database.sequelize.query<{ id: number }>(
      `INSERT INTO webhook_endpoints (organisation_id, url, event_kinds, secret_ciphertext, secret_iv, secret_auth_tag, created_by)
       VALUES ($1, $2, $3::text[], $4, $5, $6, $7) RETURNING id`,
      {
        bind: [user.organisationId, url, kinds, sealed.ciphertext, sealed.iv, sealed.authTag, user.id],
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    if (!row) throw new Error('webhook_endpoints: insert returned no row');
    await appendAudit(
      database,
      {
        organisationId: user.organisationId,
        actorId: user.id,
        actor: user.email,
        action: 'webhook.registered',
        entity: 'webhook-endpoint',
        entityId: row.id,
        ip: options.ip ?? null,
        details: { url, kinds },
      },
      transaction,
    );
    return { id: row.id, secret };
  });
}

/** Stops deliveries to an endpoint (deliveries under way finish). False: no such active endpoint. */
export async function disableWebhookEndpoint(user: WebhookManager, endpointId: number, options: { db?: Db; ip?: string | null } = {}) {
  requirePermission(user, 'create:webhook:any');
  const database = options.db ?? sharedDb();
  const rows = await database.sequelize.query<{ id: number }>(
    'UPDATE webhook_endpoints SET disabled_at = now() WHERE id = $1 AND organisation_id = $2 AND disabled_at IS NULL RETURNING id',
    { bind: [endpointId, user.organisationId], type: QueryTypes.SELECT },
  );
  if (rows.length === 0) return false;
  await appendAudit(database, {
    organisationId: user.organisationId,
    actorId: user.id,
    actor: user.email,
    action: 'webhook.disabled',
    entity: 'webhook-endpoint',
    entityId: endpointId,
    ip: options.ip ?? null,
  });
  return true;
}

export interface WebhookEndpointRow {
  id: number;
  url: string;
  kinds: string[];
  createdAt: Date;
  disabledAt: Date | null;
}

export interface WebhookDeliveryRow {
  id: number;
  endpointId: number;
  kind: string;
  eventKey: string;
  state: WebhookDeliveryState;
  attempts: Array<{ attempt: number; at: Date; status: number | null; error: string | null; durationMs: number }>;
  createdAt: Date;
  finishedAt: Date | null;
}

export async function listWebhookEndpoints(user: WebhookManager, options: { db?: Db } = {}): Promise<WebhookEndpointRow[]> {
  requirePermission(user, 'read:webhook:any');
  return (options.db ?? sharedDb()).sequelize.query<WebhookEndpointRow>(
    `SELECT id, url, event_kinds AS kinds, created_at AS "createdAt", disabled_at AS "disabledAt"
       FROM webhook_endpoints WHERE organisation_id = $1 ORDER BY id DESC`,
    { bind: [user.organisationId], type: QueryTypes.SELECT },
  );
}

/** The organisation's latest deliveries with every attempt: the delivery log. */
export async function listWebhookDeliveries(
  user: WebhookManager,
  options: { db?: Db; limit?: number } = {},
): Promise<WebhookDeliveryRow[]> {
  requirePermission(user, 'read:webhook:any');
  return (options.db ?? sharedDb()).sequelize.query<WebhookDeliveryRow>(
    `SELECT d.id::int AS id, d.endpoint_id AS "endpointId", d.event_kind AS kind, d.event_key AS "eventKey", d.state,
            d.created_at AS "createdAt", d.finished_at AS "finishedAt",
            COALESCE((SELECT json_agg(json_build_object('attempt', a.attempt, 'at', a.at, 'status', a.status, 'error', a.error,
                                                       'durationMs', a.duration_ms) ORDER BY a.attempt)
                        FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS attempts
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
      WHERE e.organisation_id = $1 ORDER BY d.id DESC LIMIT $2`,
    { bind: [user.organisationId, options.limit ?? 50], type: QueryTypes.SELECT },
  );
}

export interface WebhookEvent {
  organisationId: number;
  kind: WebhookEventKind;
  /** Identifies the occurrence: the same key again (a retried activity) delivers nothing twice. */
  key: string;
  data: Record<string, unknown>;
  occurredAt?: Date;
}

/** Inserts one delivery per active endpoint subscribed to the event; returns the new deliveries' ids. */
export async function insertWebhookDeliveries(db: Db, event: WebhookEvent, transaction?: Transaction): Promise<number[]> {
  const payload = { id: event.key, kind: event.kind, occurredAt: (event.occurredAt ?? new Date()).toISOString(), data: event.data };
  const rows = await db.sequelize.query<{ id: string }>(
    `INSERT INTO webhook_deliveries (endpoint_id, event_kind, event_key, payload)
     SELECT e.id, $2, $3, $4::jsonb FROM webhook_endpoints e
      WHERE e.organisation_id = $1 AND e.disabled_at IS NULL AND $2 = ANY(e.event_kinds)
     ON CONFLICT (endpoint_id, event_key) DO NOTHING RETURNING id`,
    { bind: [event.organisationId, event.kind, event.key, JSON.stringify(payload)], type: QueryTypes.SELECT, transaction },
  );
  return rows.map((row) => Number(row.id));
}

/** Starts the delivery workflow of each delivery (once: a running or finished one is left alone). */
export async function startWebhookDeliveries(deliveryIds: readonly number[], temporal: { client?: Client; taskQueue?: string } = {}) {
  const client = temporal.client ?? temporalClient();
  const taskQueue = temporal.taskQueue ?? temporalSettings().taskQueue;
  for (const deliveryId of deliveryIds) {
    try {
      await client.workflow.start<typeof webhookDelivery>(WEBHOOK_DELIVERY_WORKFLOW_TYPE, {
        workflowId: webhookDeliveryWorkflowId(deliveryId),
        taskQueue,
        args: [{ deliveryId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (error) {
      // Finished already: a delivery is made once (a replay is a new delivery).
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }
}

type TemporalTarget = { client?: Client; taskQueue?: string };

/**
 * An event: its deliveries are recorded, then every one still pending for its key is handed to its
 * workflow (so a retried activity also starts what an earlier attempt recorded but did not start).
 * `temporal` may be a function: it is called only when there is something to start.
 */
export async function emitWebhookEvent(
  db: Db,
  event: WebhookEvent,
  temporal: TemporalTarget | (() => TemporalTarget) = {},
): Promise<number[]> {
  const ids = await insertWebhookDeliveries(db, event);
  const pending = await db.sequelize.query<{ id: string }>(
    `SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
      WHERE d.event_key = $1 AND e.organisation_id = $2 AND d.state = 'pending' ORDER BY d.id`,
    { bind: [event.key, event.organisationId], type: QueryTypes.SELECT },
  );
  if (pending.length > 0)
    await startWebhookDeliveries(
      pending.map((row) => Number(row.id)),
      typeof temporal === 'function' ? temporal() : temporal,
    );
  return ids;
}

/**
 * Sends a delivery again (after its receiver was fixed): a new delivery of the same payload to the
 * same endpoint, with its own workflow and log. Null when the delivery is not the organisation's.
 */
export async function replayWebhookDelivery(
  user: WebhookManager,
  deliveryId: number,
  options: { db?: Db; ip?: string | null; temporal?: { client?: Client; taskQueue?: string } } = {},
): Promise<number | null> {
  requirePermission(user, 'create:webhook:any');
  const database = options.db ?? sharedDb();
  const [row] = await database.sequelize.query<{ id: string }>(
    `INSERT INTO webhook_deliveries (endpoint_id, event_kind, event_key, payload)
     SELECT d.endpoint_id, d.event_kind, d.event_key || ':replay:' || (clock_timestamp())::text, d.payload
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
      WHERE d.id = $1 AND e.organisation_id = $2 AND e.disabled_at IS NULL
     RETURNING id`,
    { bind: [deliveryId, user.organisationId], type: QueryTypes.SELECT },
  );
  if (!row) return null;
  const replayId = Number(row.id);
  await appendAudit(database, {
    organisationId: user.organisationId,
    actorId: user.id,
    actor: user.email,
    action: 'webhook.replayed',
    entity: 'webhook-delivery',
    entityId: deliveryId,
    ip: options.ip ?? null,
    details: { replayId },
  });
  await startWebhookDeliveries([replayId], options.temporal);
  return replayId;
}
