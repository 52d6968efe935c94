// Webhook deliveries on Temporal's time-skipping test server with the real activities against the
// test run's PostgreSQL and a real HTTP receiver in the test: every request signed (HMAC-SHA256 over
// timestamp and body), failures retried with backoff and logged attempt by attempt, the last
// failure marks the delivery failed; a device's light change is an event.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createDb } from '../db';
import { webhookDeliveryWorkflowId } from '../domain/contracts/webhook';
import { ticketWorkflowId } from '../domain/contracts/ticket';
import { openTicket } from '../server/tickets';
import { ensureDeviceWorkflow, reportDeviceHealth } from '../server/device-obligation';
import {
  WebhookForbiddenError,
  emitWebhookEvent,
  listWebhookDeliveries,
  registerWebhookEndpoint,
  replayWebhookDelivery,
} from '../server/webhooks';
import { createDeviceFixture, createOrgFixture, createUserFixture, uniqueSuffix, type OrgFixture } from '../tests/support/fixtures';
import { recordHistory, startTimeSkipping, type TimeSkipping } from '../tests/support/time-skipping';
import { Receiver } from '../tests/support/webhook-receiver';
import { WEBHOOK_MAX_ATTEMPTS } from './webhook-delivery';

process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
const db = createDb(inject('databaseUrl'));
let ts: TimeSkipping;
let org: OrgFixture;

const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  ts = await startTimeSkipping({ db });
  org = await createOrgFixture(db);
});

afterAll(async () => {
  await ts?.stop();
  await receiver.stop();
  await db.close();
});

async function endpoint(kinds: string[], failures: number[] = []) {
  const path = `/hook-${uniqueSuffix()}`;
  const { id, secret } = await registerWebhookEndpoint(org.managers[0]!, { url: `${receiver.url}${path}`, kinds }, { db });
  receiver.secrets.set(path, secret);
  receiver.failures.set(path, failures);
  return { id, path, secret };
}

const temporal = () => ({ client: ts.client, taskQueue: ts.taskQueue });

async function attemptsOf(deliveryId: number) {
  return db.sequelize.query<{ attempt: number; status: number | null }>(
    'SELECT attempt, status FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt',
    { bind: [deliveryId], type: QueryTypes.SELECT },
  );
}

describe('webhook deliveries', () => {
  test('signed, retried after failures with backoff, logged per attempt, delivered once', async () => {
    const hook = await endpoint(['objection.filed'], [500, 503]);
    const event = {
      organisationId: org.organisation.id,
      kind: 'objection.filed' as const,
      key: `objection-${uniqueSuffix()}`,
      data: { statementId: 1 },
    };
    const [deliveryId, ...more] = await emitWebhookEvent(db, event, temporal());
    expect(more).toEqual([]);
    const handle = ts.client.workflow.getHandle(webhookDeliveryWorkflowId(deliveryId!));
    await ts.skip('5 minutes');
    expect(await handle.result()).toBe('delivered');

    const received = receiver.on(hook.path);
    expect(received.map((r) => r.signatureValid)).toEqual([true, true, true]);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ id: event.key, kind: 'objection.filed', data: { statementId: 1 } });
    expect(await attemptsOf(deliveryId!)).toEqual([
      { attempt: 1, status: 500 },
      { attempt: 2, status: 503 },
      { attempt: 3, status: 200 },
    ]);
    const [logged] = await listWebhookDeliveries(org.managers[0]!, { db });
    expect(logged).toMatchObject({ id: deliveryId, state: 'delivered', attempts: [{ status: 500 }, { status: 503 }, { status: 200 }] });

    // The same event again (a retried activity): nothing is delivered twice.
    expect(await emitWebhookEvent(db, event, temporal())).toEqual([]);
    await recordHistory(handle, 'retried-delivered');
  });

  test('a receiver that never answers 2xx: attempts until the last, then the delivery is failed', async () => {
    const hook = await endpoint(
      ['ticket.sla_breached'],
      Array.from({ length: WEBHOOK_MAX_ATTEMPTS }, () => 500),
    );
    const [deliveryId] = await emitWebhookEvent(
      db,
      { organisationId: org.organisation.id, kind: 'ticket.sla_breached', key: `sla-${uniqueSuffix()}`, data: {} },
      temporal(),
    );
    const handle = ts.client.workflow.getHandle(webhookDeliveryWorkflowId(deliveryId!));
    await ts.skip('1 day');
    expect(await handle.result()).toBe('failed');
    expect(receiver.on(hook.path)).toHaveLength(WEBHOOK_MAX_ATTEMPTS);
    expect((await attemptsOf(deliveryId!)).map((a) => a.attempt)).toEqual(Array.from({ length: WEBHOOK_MAX_ATTEMPTS }, (_, i) => i + 1));
    const [row] = await db.sequelize.query<{ state: string }>('SELECT state FROM webhook_deliveries WHERE id = $1', {
      bind: [deliveryId],
      type: QueryTypes.SELECT,
    });
    expect(row?.state).toBe('failed');
    await recordHistory(handle, 'attempts-exhausted-failed');

    // The receiver is fixed; the manager sends it again: a new delivery with its own log.
    const replayId = await replayWebhookDelivery(org.managers[0]!, deliveryId!, { db, temporal: temporal() });
    expect(replayId).not.toBeNull();
    await ts.skip('1 minute');
    expect(await ts.client.workflow.getHandle(webhookDeliveryWorkflowId(replayId!)).result()).toBe('delivered');
    expect(receiver.on(hook.path)).toHaveLength(WEBHOOK_MAX_ATTEMPTS + 1);
    const other = await createOrgFixture(db);
    expect(await replayWebhookDelivery(other.managers[0]!, deliveryId!, { db, temporal: temporal() })).toBeNull();
  });

  test('a device whose light changes is an event for the endpoints subscribed to it', async () => {
    const hook = await endpoint(['device.light_changed']);
    const today = new Date(await ts.now()).toISOString().slice(0, 10);
    const alarm = await createDeviceFixture(db, org, { type: 'RWM', installedAt: today, calibratedYear: null, lastInspectionAt: today });
    await ensureDeviceWorkflow(ts.client, alarm.id, { db, taskQueue: ts.taskQueue });
    await ts.skip('1 hour');
    await reportDeviceHealth(ts.client, alarm.id, { reportedStatus: 'ERROR_FLAGS_1' });
    await ts.skip('1 hour');
    const events = receiver
      .on(hook.path)
      .map((r) => JSON.parse(r.body) as { kind: string; data: { deviceId: number; from: string | null; to: string } });
    expect(events.map((e) => [e.kind, e.data.deviceId, e.data.from, e.data.to])).toEqual([
      ['device.light_changed', alarm.id, null, 'green'],
      ['device.light_changed', alarm.id, 'green', 'yellow'],
    ]);
    await ts.terminate(ts.client.workflow.getHandle(`device-${alarm.id}`));
  });

  test('a ticket whose SLA is at risk and then breached: one event each, keyed by the ticket’s step', async () => {
    const hook = await endpoint(['ticket.sla_at_risk', 'ticket.sla_breached']);
    const tenant = await createUserFixture(db, org.organisation.id, 'tenant');
    const { ticketId } = await openTicket(
      {
        organisationId: org.organisation.id,
        propertyId: org.property.id,
        unitId: org.unit.id,
        createdBy: tenant.id,
        topic: 'reading',
        subject: 'Zählerstand Wasser',
        body: 'Mein Zählerstand wurde nicht übernommen.',
      },
      { db, client: ts.client, taskQueue: ts.taskQueue },
    );
    await ts.skip('30 days');
    const events = receiver.on(hook.path).map((r) => JSON.parse(r.body) as { id: string; kind: string; data: { ticketId: number } });
    const kinds = events.filter((e) => e.data.ticketId === ticketId).map((e) => e.kind);
    expect(kinds).toContain('ticket.sla_at_risk');
    expect(kinds).toContain('ticket.sla_breached');
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(receiver.on(hook.path).every((r) => r.signatureValid)).toBe(true);
    await ts.terminate(ts.client.workflow.getHandle(ticketWorkflowId(ticketId)));
  });

  test('HTTPS endpoints only (loopback HTTP for development), known event kinds, managers only', async () => {
    const manager = org.managers[0]!;
    await expect(
      registerWebhookEndpoint(manager, { url: 'http://erp.example.de/hook', kinds: ['statement.delivered'] }, { db }),
    ).rejects.toMatchObject({ field: 'url' });
    await expect(
      registerWebhookEndpoint(manager, { url: 'https://erp.example.de/hook', kinds: ['statement.eaten'] }, { db }),
    ).rejects.toMatchObject({ field: 'kinds' });
    // Listed in the vocabulary, but not emitted yet: refused rather than silently never delivered.
    await expect(
      registerWebhookEndpoint(manager, { url: 'https://erp.example.de/hook', kinds: ['verification.alarm'] }, { db }),
    ).rejects.toMatchObject({ field: 'kinds' });
    const compliance = await createUserFixture(db, org.organisation.id, 'compliance');
    await expect(
      registerWebhookEndpoint(compliance, { url: 'https://erp.example.de/hook', kinds: ['objection.filed'] }, { db }),
    ).rejects.toBeInstanceOf(WebhookForbiddenError);
    const { id, secret } = await registerWebhookEndpoint(
      manager,
      { url: 'https://erp.example.de/hook', kinds: ['objection.filed'] },
      { db },
    );
    const [stored] = await db.sequelize.query<Record<string, unknown>>('SELECT * FROM webhook_endpoints WHERE id = $1', {
      bind: [id],
      type: QueryTypes.SELECT,
    });
    expect(JSON.stringify(stored)).not.toContain(secret.slice(6));
  });
});
