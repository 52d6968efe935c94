// The end of a device-exchange offer while the offer's start still waits in the outbox: the device
// workflow handed the offer over while Temporal was unreachable (the start stayed in the outbox), then
// the deadline moved (a recalibration). The withdrawal waits behind the start instead of signalling a
// workflow that does not exist yet; once Temporal is back the relay starts the offer and withdraws it.
// Real Temporal dev server (this file's worker) and the run's PostgreSQL; "away" is a client whose
// server does not answer, as in server/outbox.test.ts.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { QueryTypes } from 'sequelize';
import type { User } from '../db';
import { addDays } from '../domain/dates';
import { calendarDate } from '../domain/calendar';
import { deviceExchangeWorkflowId } from '../domain/contracts/device-exchange';
import type { deviceExchange } from '../workflows/device-exchange';
import { freePort } from '../scripts/lib/temporal';
import { createDeviceFixture, createOrgFixture, createUserFixture, uniqueSuffix, type OrgFixture } from '../tests/support/fixtures';
import { settleOutbox } from '../tests/support/outbox-settle';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../tests/support/temporal';
import { testDb } from '../tests/support/web';
import { createDeviceExchangeObligation } from './device-exchange-obligation';
import { createMailer } from './mail';
import { pendingWork } from './outbox';

const db = testDb();
const taskQueue = `exchange-outbox-${uniqueSuffix()}`;
// Several Temporal round trips (start, offer, appointment start, withdrawal, cancellation) on a loaded two-core machine.
const TIMEOUT_MS = 180_000;
let worker: RunningWorker;
let temporal: TestClient;
let away: { connection: Connection; client: Client };
let home: OrgFixture;
let tenant: User;

beforeAll(async () => {
  [worker, temporal] = await Promise.all([
    bundleWorkflows().then((workflowBundle) => startTestWorker({ taskQueue, db, workflowBundle })),
    connectTestClient(),
  ]);
  // Nothing listens there: every call fails as it does while Temporal is down.
  const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
  away = { connection, client: new Client({ connection }) };
  home = await createOrgFixture(db);
  const technician = await createUserFixture(db, home.organisation.id, 'technician');
  await home.property.update({ technicianId: technician.id });
  tenant = await createUserFixture(db, home.organisation.id, 'tenant');
  await db.models.Tenancy.create({
    unitId: home.unit.id,
    userId: tenant.id,
    tenantName: tenant.name,
    startsOn: '2020-01-01',
    endsOn: null,
  });
}, 120_000);

afterAll(async () => {
  await away?.connection.close();
  await worker?.stop();
  await temporal?.close();
  await db.close();
});

const exchanges = () => createDeviceExchangeObligation({ db, mailer: createMailer({ db, from: 'test@klarmeter.local' }) });

async function undelivered(workflowId: string): Promise<Array<{ kind: string; signal: string | null }>> {
  return db.sequelize.query<{ kind: string; signal: string | null }>(
    `SELECT kind, payload->>'signal' AS signal FROM workflow_outbox WHERE workflow_id = :workflowId AND sent_at IS NULL ORDER BY id`,
    { replacements: { workflowId }, type: QueryTypes.SELECT },
  );
}

describe('an exchange offer whose start waits in the outbox', () => {
  test(
    'a moved deadline withdraws it once Temporal is back: the withdrawal waits behind the start, never before it',
    async () => {
      const device = await createDeviceFixture(db, home, { type: 'HKV' });
      // Only distances matter (no weekdays, no month ends): the offer's deadline and the moved one.
      const today = calendarDate(new Date());
      const dueAt = addDays(today, 30);
      const nextDueAt = addDays(today, 400);
      const workflowId = deviceExchangeWorkflowId(device.id, dueAt);

      // The device workflow hands the offer over while Temporal is away: its start stays in the outbox.
      const handedOver = await exchanges().offerDeviceExchange(
        { deviceId: device.id, kind: 'replacement', dueAt },
        { client: away.client, taskQueue },
      );
      expect(handedOver).toEqual({ workflowId });
      expect(await undelivered(workflowId)).toEqual([{ kind: 'start', signal: null }]);

      // Temporal answers again, but the start waits for its next attempt (backoff); the deadline moves
      // meanwhile. The withdrawal is queued behind the start: no signal to a workflow not yet there.
      await exchanges().endDeviceExchange(
        { exchangeWorkflowId: workflowId, withdrawn: { dueAt: nextDueAt } },
        { client: temporal.client, taskQueue },
      );
      expect(await undelivered(workflowId)).toEqual([
        { kind: 'start', signal: null },
        { kind: 'signal', signal: 'deviceExchangeWithdrawn' },
      ]);
      await expect(temporal.client.workflow.getHandle(workflowId).describe()).rejects.toThrow();

      // The relay delivers both in order: the offer starts (the tenant's request is filed) and is withdrawn.
      await settleOutbox(db, temporal.client, taskQueue);
      expect((await pendingWork([workflowId], db)).size).toBe(0);
      const result = await temporal.client.workflow.getHandle<typeof deviceExchange>(workflowId).result();
      expect(result).toMatchObject({ state: 'withdrawn', withdrawnFor: nextDueAt, channel: 'portal', exchangedAt: null });
      const request = await db.models.AppointmentRequest.findByPk(result.appointmentId!, { rejectOnEmpty: true });
      expect(request).toMatchObject({ status: 'cancelled', tenantId: tenant.id, reason: 'device_exchange' });
      const cancelled = await db.models.AppointmentEvent.findOne({
        where: { appointmentId: request.id, kind: 'cancelled' },
        rejectOnEmpty: true,
      });
      expect(cancelled.body).toContain('nicht mehr nötig');
    },
    TIMEOUT_MS,
  );

  test(
    'the end of an offer that never started (a device outside a flat) is delivered as nothing to tell',
    async () => {
      const device = await createDeviceFixture(db, { property: home.property, unit: null }, { type: 'HKV' });
      const dueAt = addDays(calendarDate(new Date()), 30);
      expect(
        await exchanges().offerDeviceExchange({ deviceId: device.id, kind: 'replacement', dueAt }, { client: temporal.client, taskQueue }),
      ).toBeNull();
      const workflowId = deviceExchangeWorkflowId(device.id, dueAt);
      await exchanges().endDeviceExchange(
        { exchangeWorkflowId: workflowId, exchanged: { replacedAt: dueAt } },
        { client: temporal.client, taskQueue },
      );
      await settleOutbox(db, temporal.client, taskQueue);
      const [entry] = await db.sequelize.query<{ kind: string; sent: boolean }>(
        `SELECT kind, sent_at IS NOT NULL AS sent FROM workflow_outbox WHERE workflow_id = :workflowId`,
        { replacements: { workflowId }, type: QueryTypes.SELECT },
      );
      expect(entry).toEqual({ kind: 'signal', sent: true });
      await expect(temporal.client.workflow.getHandle(workflowId).describe()).rejects.toThrow();
    },
    TIMEOUT_MS,
  );
});
