// Webhook events of statements (issue 17): the activities the lifecycle workflow calls, run in
// Temporal's activity test environment against the test run's PostgreSQL. A version's delivery and
// a recipient's first opening each become one delivery per subscribed endpoint, keyed by the proof
// event, so a retried activity delivers nothing twice; an endpoint of another kind hears nothing.
import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createDb } from '../db';
import { saveStatement } from '../db/statements';
import { webhookDeliveryWorkflowId } from '../domain/contracts/webhook';
import { createMailer } from '../server/mail';
import type { ProofStepInput, ProvenStep } from '../server/statement-obligation';
import { registerWebhookEndpoint } from '../server/webhooks';
import { uniqueSuffix } from '../tests/support/fixtures';
import { createStatementFixture } from '../tests/support/statement-fixtures';
import { connectTestClient, type TestClient } from '../tests/support/temporal';
import { createActivities } from './index';

process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
const db = createDb(inject('databaseUrl'));
let temporal: TestClient;

beforeAll(async () => {
  temporal = await connectTestClient();
});

afterAll(async () => {
  await temporal?.close();
  await db.close();
});

test('a statement delivered and opened: one event each per subscribed endpoint, none twice, no names', async () => {
  const house = await createStatementFixture(db);
  const manager = house.org.managers[0]!;
  const saved = await saveStatement(db, house.request, {
    userId: manager.id,
    email: manager.email,
    organisationId: manager.organisationId,
  });
  const statementId = saved.stored!.id;
  const version = saved.stored!.version;
  const statements = await registerWebhookEndpoint(
    manager,
    { url: `http://127.0.0.1:9/statements-${uniqueSuffix()}`, kinds: ['statement.delivered', 'statement.opened'] },
    { db },
  );
  const tickets = await registerWebhookEndpoint(
    manager,
    { url: `http://127.0.0.1:9/tickets-${uniqueSuffix()}`, kinds: ['ticket.sla_breached'] },
    { db },
  );

  // No worker polls this queue: the deliveries' own workflow is tested in workflows/webhook-delivery.test.ts.
  const taskQueue = `webhook-events-${uniqueSuffix()}`;
  const env = new MockActivityEnvironment({ taskQueue }, { client: temporal.client });
  const activities = createActivities({ db, mailer: createMailer({ db, from: 'test@klarmeter.local' }) });
  const step = (input: Omit<ProofStepInput, 'statementId' | 'version' | 'documentSha256' | 'ip'>): Promise<ProvenStep> =>
    env.run(activities.recordStatementStep, { statementId, version, documentSha256: 'a'.repeat(64), ip: null, ...input });
  const actor = { userId: manager.id, name: manager.email };

  const delivered = await step({
    step: 'delivered',
    idempotencyKey: 'delivery',
    actor,
    status: 'delivered',
    details: { channel: 'portal', dispatchedOn: null, recipients: 2, portal: 2, post: 0 },
  });
  // A retried activity: the proof event and the webhook delivery are found, not written again.
  await step({ step: 'delivered', idempotencyKey: 'delivery', actor, status: 'delivered', details: { channel: 'portal', recipients: 2 } });
  const opened = await step({
    step: 'opened',
    idempotencyKey: 'unit-1-user-2',
    actor,
    details: { unitId: house.units.a.id, via: 'download' },
  });

  const rows = await db.sequelize.query<{
    id: number;
    endpointId: number;
    kind: string;
    payload: { kind: string; data: Record<string, unknown> };
  }>(
    `SELECT id::int AS id, endpoint_id AS "endpointId", event_kind AS kind, payload FROM webhook_deliveries
      WHERE endpoint_id = ANY($1::int[]) ORDER BY id`,
    { bind: [[statements.id, tickets.id]], type: QueryTypes.SELECT },
  );
  expect(rows.map((r) => [r.endpointId, r.kind])).toEqual([
    [statements.id, 'statement.delivered'],
    [statements.id, 'statement.opened'],
  ]);
  expect(rows[0]?.payload.data).toEqual({
    statementId,
    version,
    at: delivered.at,
    channel: 'portal',
    dispatchedOn: null,
    recipients: 2,
    portal: 2,
    post: 0,
  });
  expect(rows[1]?.payload.data).toEqual({ statementId, version, at: opened.at, unitId: house.units.a.id, via: 'download' });
  expect(JSON.stringify(rows)).not.toContain(manager.email);

  // Each delivery has its workflow; end them, nobody will deliver them here.
  for (const row of rows) await temporal.client.workflow.getHandle(webhookDeliveryWorkflowId(row.id)).terminate('test over');
});
