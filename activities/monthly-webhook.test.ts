// The `monthly.delivered` webhook event: a monthly batch's activity on the test run's PostgreSQL, the
// delivery workflow on the real Temporal dev server, and a receiver in the test that checks every
// signature. One event per information published into a portal account; a retried batch emits
// nothing twice; an endpoint of another kind hears nothing.
import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createDb } from '../db';
import { createMailer } from '../server/mail';
import { registerWebhookEndpoint } from '../server/webhooks';
import { eventually } from '../tests/support/eventually';
import { createOrgFixture, createUserFixture, uniqueSuffix } from '../tests/support/fixtures';
import { FIXTURE_MONTH, createMonthlyFixture } from '../tests/support/monthly-fixtures';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../tests/support/temporal';
import { Receiver } from '../tests/support/webhook-receiver';
import { createActivities } from './index';

process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
const db = createDb(inject('databaseUrl'));
const taskQueue = `monthly-webhook-${uniqueSuffix()}`;
const receiver = new Receiver();
let temporal: TestClient;
let worker: RunningWorker;

beforeAll(async () => {
  await receiver.start();
  temporal = await connectTestClient();
  worker = await startTestWorker({ taskQueue, db, workflowBundle: await bundleWorkflows() });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await receiver.stop();
  await db.close();
});

test('each monthly information delivered into a portal account reaches the receiver once, signed', async () => {
  const org = await createOrgFixture(db);
  const tenant = await createUserFixture(db, org.organisation.id, 'tenant');
  const neighbour = await createUserFixture(db, org.organisation.id, 'tenant');
  const fixture = await createMonthlyFixture(db, { org, tenant, neighbour });
  const manager = org.managers[0];
  const path = `/monthly-${uniqueSuffix()}`;
  const hook = await registerWebhookEndpoint(manager, { url: `${receiver.url}${path}`, kinds: ['monthly.delivered'] }, { db });
  receiver.secrets.set(path, hook.secret);
  const otherPath = `/statements-${uniqueSuffix()}`;
  const other = await registerWebhookEndpoint(manager, { url: `${receiver.url}${otherPath}`, kinds: ['statement.delivered'] }, { db });
  receiver.secrets.set(otherPath, other.secret);

  const env = new MockActivityEnvironment({ taskQueue }, { client: temporal.client });
  const activities = createActivities({ db, mailer: createMailer({ db, from: 'test@klarmeter.local' }) });
  // MockActivityEnvironment.run cannot infer a result type from the activity: name it.
  const { runId, properties }: Awaited<ReturnType<typeof activities.startMonthlyRun>> = await env.run(activities.startMonthlyRun, {
    workflowId: `monthly-webhook-${uniqueSuffix()}`,
    month: FIXTURE_MONTH,
    organisationIds: [org.organisation.id],
  });
  for (const { propertyId } of properties) await env.run(activities.processMonthlyBatch, { runId, month: FIXTURE_MONTH, propertyId });
  // A retried batch: published already, it emits the same events, which are not delivered again.
  await env.run(activities.processMonthlyBatch, { runId, month: FIXTURE_MONTH, propertyId: org.property.id });

  const received = await eventually(
    () => {
      const requests = receiver.on(path);
      expect(requests).toHaveLength(2);
      return requests;
    },
    { timeoutMs: 30_000 },
  );
  expect(received.every((r) => r.signatureValid)).toBe(true);
  const payloads = received.map((r) => JSON.parse(r.body) as { kind: string; data: Record<string, unknown> });
  expect(payloads.map((p) => p.kind)).toEqual(['monthly.delivered', 'monthly.delivered']);
  expect(payloads.map((p) => p.data.unitId).sort()).toEqual([fixture.units.own.id, fixture.units.peerA.id].sort());
  expect(payloads[0]?.data).toMatchObject({ month: FIXTURE_MONTH, propertyId: org.property.id, delivery: 'portal' });
  expect(JSON.stringify(payloads)).not.toContain(tenant.name);

  // The workflow records the outcome after the receiver answered.
  await eventually(
    async () => {
      const deliveries = await db.sequelize.query<{ endpointId: number; state: string }>(
        `SELECT endpoint_id AS "endpointId", state FROM webhook_deliveries WHERE endpoint_id = ANY($1::int[]) ORDER BY id`,
        { bind: [[hook.id, other.id]], type: QueryTypes.SELECT },
      );
      expect(deliveries).toEqual([
        { endpointId: hook.id, state: 'delivered' },
        { endpointId: hook.id, state: 'delivered' },
      ]);
    },
    { timeoutMs: 30_000 },
  );
  expect(receiver.on(otherPath)).toEqual([]);
}, 120_000);
