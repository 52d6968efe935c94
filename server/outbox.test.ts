// The outbox against a Temporal dev server of its own that the test stops and starts again: user
// actions taken while it is down are committed with their workflow start or report in the outbox,
// and the relay delivers each once Temporal is back — exactly once, however often it is retried.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { QueryTypes } from 'sequelize';
import { createDb, type User } from '../db';
import { findTemporalCli, freePort, startTemporalDevServer, type DevServer } from '../scripts/lib/temporal';
import { createDeviceFixture, createOrgFixture, createUserFixture, uniqueSuffix, type OrgFixture } from '../tests/support/fixtures';
import { eventually } from '../tests/support/eventually';
import { ticketWorkflowId } from '../domain/contracts/ticket';
import { appointmentWorkflowId } from '../domain/contracts/appointment';
import { deviceWorkflowId } from '../domain/contracts/device';
import { openTicket, ticketQueued } from './tickets';
import { appointmentQueued, requestAppointment } from './appointments';
import { recordDeviceWork } from './device-work';
import { findDevice } from './devices';
import { visibleScope } from './permissions';
import { pendingWork, relayOutbox, startOutboxRelay } from './outbox';
import type { SessionUser } from './session';
import { approve, lifecyclePanel, recordOpening, saveStatementDraft, statementWorkflowId } from './statement-lifecycle';
import { createStatementFixture, type StatementFixture } from '../tests/support/statement-fixtures';

const db = createDb(inject('databaseUrl'));
const taskQueue = `outbox-${uniqueSuffix()}`;
let dir: string;
let port: number;
let server: DevServer | undefined;
let connection: Connection;
let client: Client;
let org: OrgFixture;
let tenant: User;
let manager: User;
let house: StatementFixture;

async function startServer() {
  server = await startTemporalDevServer({ cli: await findTemporalCli(() => undefined), port, dbFile: path.join(dir, 'temporal.db') });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'klarmeter-outbox-'));
  port = await freePort();
  await startServer();
  // Lazy, like the web's client: it connects (and reconnects) on use.
  connection = Connection.lazy({ address: `127.0.0.1:${port}` });
  client = new Client({ connection });
  org = await createOrgFixture(db);
  tenant = await createUserFixture(db, org.organisation.id, 'tenant');
  manager = org.managers[0]!;
  house = await createStatementFixture(db, {}, org);
});

afterAll(async () => {
  await connection?.close();
  await server?.stop();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const sessionUser = (user: User): SessionUser => ({
  id: user.id,
  organisationId: user.organisationId,
  organisationName: org.organisation.name,
  email: user.email,
  name: user.name,
  role: user.role,
});

const slotIn = (days: number) => {
  const start = Math.ceil((Date.now() + days * 86_400_000) / 3_600_000) * 3_600_000;
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(start + 7_200_000).toISOString() };
};

/** Runs of a workflow id that Temporal knows (open or closed). */
async function runsOf(workflowId: string): Promise<string[]> {
  const runs: string[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(execution.runId);
  return runs;
}

describe('user actions while Temporal is down', () => {
  test('succeed at once, say "wird bearbeitet", and their workflows appear once Temporal is back — once each', async () => {
    const device = await createDeviceFixture(db, { property: org.property, unit: org.unit }, { batteryPercent: 20 });
    await server!.stop();
    server = undefined;

    const options = { db, client, taskQueue };
    // Each action waits at most for its delivery deadline (5 s), not for Temporal's connection timeout.
    const durations: number[] = [];
    const timed = async <T>(work: () => Promise<T>): Promise<T> => {
      const started = Date.now();
      const result = await work();
      durations.push(Date.now() - started);
      return result;
    };
    const found = await findDevice(await visibleScope(sessionUser(manager)), device.id);
    const form = new FormData();
    form.set('intent', 'battery');
    // Three people act at the same moment, as they would: each waits its own deadline, not the others'.
    const [ticket, appointment, work] = await Promise.all([
      timed(() =>
        openTicket(
          {
            organisationId: org.organisation.id,
            propertyId: org.property.id,
            unitId: org.unit.id,
            createdBy: tenant.id,
            topic: 'reading',
            subject: 'Zählerstand Wasser',
            body: 'Mein Zählerstand wurde nicht übernommen.',
          },
          options,
        ),
      ),
      timed(() =>
        requestAppointment(
          {
            organisationId: org.organisation.id,
            unitId: org.unit.id,
            tenantId: tenant.id,
            reason: 'device_exchange',
            note: null,
            slots: [slotIn(10), slotIn(11)],
          },
          options,
        ),
      ),
      timed(() => recordDeviceWork({ user: sessionUser(manager), device: found!, form, ip: null, db, client, taskQueue })),
    ]);
    const statementId = await timed(() => saveStatementDraft(sessionUser(manager), house.request, undefined, options));
    // A tenant opens the version while Temporal is away: its opening waits in the outbox too, behind the start.
    const tenantActor = { userId: tenant.id, name: tenant.email, role: 'tenant', ip: null };
    await timed(() => recordOpening({ id: statementId, version: 1 }, tenantActor, org.unit.id, 'view', undefined, options));
    // The 5 s deadline plus room for the action's own database work on a loaded CI machine (9.2 s seen
    // once). Without the deadline the client's own retries (10 attempts, ×1.7 from 100 ms, at most 5 s
    // each, ±20 % jitter) would hold an action for at least 15.8 s: the bound still tells them apart.
    expect(Math.max(...durations)).toBeLessThan(14_000);
    // The saved version's page does not offer "Freigeben" (its workflow would refuse it) but says why.
    const panel = await lifecyclePanel(
      sessionUser(manager),
      { id: statementId, version: 1, status: 'draft', propertyId: house.property.id },
      options,
    );
    expect(panel.canApprove).toBe(false);
    expect(panel.live).toContain('Wird bearbeitet');
    // Approving it anyway (a page loaded before) says so too, at once, and writes nothing: the
    // approval is the workflow's to write, and its workflow is not there yet.
    const managerActor = { userId: manager.id, name: manager.email, role: 'manager', ip: null };
    const approval = await timed(() => approve({ id: statementId, version: 1 }, managerActor, options));
    expect(approval).toEqual({ ok: false, message: expect.stringContaining('Wird bearbeitet') as unknown });
    expect((await db.models.Statement.findByPk(statementId))!.status).toBe('draft');

    expect(ticket.queued).toBe(true);
    expect(appointment.queued).toBe(true);
    expect(work).toMatchObject({ ok: true, intent: 'battery' });
    expect(work.message).toContain('wird bearbeitet');
    // The rows are committed: nothing is lost, nothing needs to be entered again.
    expect(await db.models.Ticket.findByPk(ticket.ticketId)).not.toBeNull();
    expect(await db.models.AppointmentRequest.findByPk(appointment.appointmentId)).not.toBeNull();
    expect((await db.models.Device.findByPk(device.id))!.batteryPercent).toBe(100);
    expect(await ticketQueued(ticket.ticketId, { db })).toBe(true);
    expect(await appointmentQueued(appointment.appointmentId)).toBe(true);

    const workflowIds = [
      ticketWorkflowId(ticket.ticketId),
      appointmentWorkflowId(appointment.appointmentId),
      deviceWorkflowId(device.id),
      statementWorkflowId(statementId, 1),
    ];
    expect([...(await pendingWork(workflowIds, db)).keys()].sort()).toEqual([...workflowIds].sort());

    // A relay pass while Temporal is still away keeps everything for later and does not hang.
    await db.sequelize.query('UPDATE workflow_outbox SET next_attempt_at = now() WHERE workflow_id = ANY($1::text[])', {
      bind: [workflowIds],
    });
    const away = await relayOutbox({ db, client, taskQueue, deadlineMs: 1_000 });
    expect(away.sent).toBe(0);
    expect((await pendingWork(workflowIds, db)).size).toBe(4);

    // Temporal comes back; the relay (as in every worker) delivers without anyone touching the cases.
    await startServer();
    const relay = startOutboxRelay({ db, client, taskQueue, intervalMs: 200, log: () => undefined });
    try {
      await eventually(async () => expect((await pendingWork(workflowIds, db)).size).toBe(0), { timeoutMs: 60_000, intervalMs: 250 });
    } finally {
      await relay.stop();
    }
    for (const workflowId of workflowIds) {
      expect((await client.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');
    }
    expect(await ticketQueued(ticket.ticketId, { db })).toBe(false);
    // The opening reached the version's workflow, once, after its start.
    const signals = ((await client.workflow.getHandle(statementWorkflowId(statementId, 1)).fetchHistory()).events ?? []).flatMap((event) =>
      event.workflowExecutionSignaledEventAttributes ? [event.workflowExecutionSignaledEventAttributes] : [],
    );
    expect(signals.map((signal) => signal.signalName)).toEqual(['statementOpened']);
    const payload = signals[0]!.input?.payloads?.[0]?.data;
    expect(JSON.parse(Buffer.from(payload!).toString('utf8'))).toMatchObject({
      unitId: org.unit.id,
      via: 'view',
      actor: { userId: tenant.id },
    });

    // Delivered again (a relay that crashed between the call and its bookkeeping): no second run.
    const before = await Promise.all(
      workflowIds.map((id) => eventually(async () => runsOf(id).then((runs) => (expect(runs).toHaveLength(1), runs)))),
    );
    await db.sequelize.query('UPDATE workflow_outbox SET sent_at = NULL, next_attempt_at = now() WHERE workflow_id = ANY($1::text[])', {
      bind: [workflowIds],
    });
    const again = await relayOutbox({ db, client, taskQueue });
    expect(again).toEqual({ sent: 4, pending: 0 });
    // The opening waited behind its workflow's start (one workflow's entries go in order): the next pass.
    expect(await relayOutbox({ db, client, taskQueue })).toEqual({ sent: 1, pending: 0 });
    const after = await Promise.all(workflowIds.map((id) => runsOf(id)));
    expect(after).toEqual(before);
  });

  test('entries of one workflow are delivered in order: a later one waits behind an undelivered earlier one', async () => {
    const rows = await db.sequelize.transaction(async (transaction) => {
      const insert = (workflowId: string) =>
        db.sequelize.query<{ id: number }>(
          `INSERT INTO workflow_outbox (kind, workflow_id, task_queue, payload, next_attempt_at)
           VALUES ('signal', $1, $2, $3::jsonb, now() + interval '1 hour') RETURNING id`,
          {
            bind: [workflowId, taskQueue, JSON.stringify({ workflowId, taskQueue, signal: 'x', args: [], ifMissing: 'skip' })],
            type: QueryTypes.SELECT,
            transaction,
          },
        );
      const workflowId = `outbox-order-${uniqueSuffix()}`;
      const [first] = await insert(workflowId);
      const [second] = await insert(workflowId);
      return { workflowId, first: first!.id, second: second!.id };
    });
    // Only the second is due; it must not overtake the first (a signal before its workflow's start).
    await db.sequelize.query('UPDATE workflow_outbox SET next_attempt_at = now() WHERE id = $1', { bind: [rows.second] });
    expect(await relayOutbox({ db, client, taskQueue })).toEqual({ sent: 0, pending: 0 });
    await db.sequelize.query('UPDATE workflow_outbox SET next_attempt_at = now() WHERE id = $1', { bind: [rows.first] });
    // The signal's workflow does not exist and the entry says `skip`: both count as delivered, in order.
    expect(await relayOutbox({ db, client, taskQueue })).toEqual({ sent: 1, pending: 0 });
    expect(await relayOutbox({ db, client, taskQueue })).toEqual({ sent: 1, pending: 0 });
    expect((await pendingWork([rows.workflowId], db)).size).toBe(0);
  });
});
