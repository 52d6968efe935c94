// Activity heartbeats against the run's Temporal dev server: a worker process killed with kill -9
// while it renders an approval's PDFs. Without heartbeats its activity would be retried only after
// the start-to-close timeout (10 minutes); with them another worker takes over within 30 s, keeps
// the PDFs already stored and renders only the missing ones.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Op, QueryTypes } from 'sequelize';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createActivities } from '.';
import { createMailer } from '../server/mail';
import { createMonthlyFixture, FIXTURE_MONTH } from '../tests/support/monthly-fixtures';
import { createOrgFixture, createUserFixture, uniqueSuffix } from '../tests/support/fixtures';
import { createDb, type Document } from '../db';
import { loadStatement, saveStatement } from '../db/statements';
import { storeDocument } from '../server/documents';
import { statementAddressees } from '../server/statement-documents';
import { approve, startStatementLifecycle, statementWorkflowId } from '../server/statement-lifecycle';
import { getStatus } from '../workflows/shared/statement';
import { createStatementFixture } from '../tests/support/statement-fixtures';
import { eventually } from '../tests/support/eventually';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../tests/support/temporal';

// PDFs are stored encrypted; the worker process gets the same key through its environment.
process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
const db = createDb(inject('databaseUrl'));
const taskQueue = `heartbeat-${uniqueSuffix()}`;
const FAILOVER_LIMIT_MS = 30_000;
/** temporal.api.enums.v1.PendingActivityState.STARTED */
const ACTIVITY_STARTED = 2;
let temporal: TestClient;
let child: ChildProcess | undefined;
let rescuer: RunningWorker | undefined;

/** A worker in a process group of its own (its Chromium included), so kill -9 takes all of it. */
async function workerProcess(): Promise<ChildProcess> {
  const started = spawn(process.execPath, ['--import', 'tsx', path.join('tests', 'support', 'worker-process.ts')], {
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    },
  });
  await new Promise<void>((resolve, reject) => {
    started.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    started.once('exit', (code) => reject(new Error(`the worker process exited (${code})`)));
  });
  return started;
}

beforeAll(async () => {
  temporal = await connectTestClient();
});

afterAll(async () => {
  if (child?.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  await rescuer?.stop();
  await temporal?.close();
  await db.close();
});

/** A statement of the fixture house saved as a draft by its manager. */
async function savedStatement() {
  const house = await createStatementFixture(db);
  const manager = house.org.managers[0]!;
  const saved = await saveStatement(db, house.request, {
    userId: manager.id,
    email: manager.email,
    organisationId: manager.organisationId,
  });
  return { house, manager, ref: { id: saved.stored!.id, version: saved.stored!.version } };
}

test('kill -9 of the worker rendering an approval: another worker continues within 30 s and renders each PDF once', async () => {
  const { manager, ref } = await savedStatement();
  const actor = { userId: manager.id, name: manager.email, role: 'manager' };
  const options = { db, client: temporal.client, taskQueue };
  const addressees = statementAddressees((await loadStatement(db, ref.id))!);
  const last = addressees.at(-1)!;
  expect(addressees.length).toBeGreaterThan(1);
  // The kill must land while a PDF is still missing, however fast the worker renders: an
  // uncommitted row of the test holds the last addressee's unique key, so the worker's insert of that
  // PDF waits for this transaction (which ends only after the kill) while all the others are stored.
  const gate = await db.sequelize.transaction();
  try {
    await storeDocument(
      db,
      {
        kind: 'statement',
        statementId: ref.id,
        unitId: last.unitId,
        occupancyKey: last.occupancyKey,
        version: 1,
        fileName: 'gate.pdf',
        contentType: 'application/pdf',
        content: Buffer.from('gate'),
        createdBy: null,
      },
      { transaction: gate },
    );
  } catch (error) {
    await gate.rollback();
    throw error;
  }
  child = await workerProcess();
  await startStatementLifecycle(ref.id, actor, options);
  const approval = approve(ref, actor, options);

  // Killed in the middle: every PDF but the gated one stored by it, the rendering activity still running.
  const handle = temporal.client.workflow.getHandle(statementWorkflowId(ref.id, ref.version));
  let storedBefore: Document[];
  try {
    storedBefore = await eventually(
      async () => {
        const documents = await db.models.Document.findAll({ where: { kind: 'statement', statementId: ref.id } });
        expect(documents.length).toBe(addressees.length - 1);
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        expect(pending.some((a) => a.activityType?.name === 'renderStatementDocuments' && a.state === ACTIVITY_STARTED)).toBe(true);
        return documents;
      },
      { timeoutMs: 90_000, intervalMs: 50 },
    );
    process.kill(-child.pid!, 'SIGKILL');
  } finally {
    await gate.rollback();
  }
  const killedAt = Date.now();
  rescuer = await startTestWorker({ db, taskQueue, workflowBundle: await bundleWorkflows() });

  // The next attempt starts (on the rescuer) once the heartbeat timeout has noticed the dead worker.
  await eventually(
    async () => {
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      const rendering = pending.find((a) => a.activityType?.name === 'renderStatementDocuments');
      if (rendering) expect(rendering.attempt).toBeGreaterThan(1);
    },
    { timeoutMs: FAILOVER_LIMIT_MS, intervalMs: 200 },
  );
  const status = await eventually(
    async () => {
      const live = await handle.query(getStatus);
      expect(live.state).toBe('approved');
      return live;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  const tookOverMs = Date.now() - killedAt;
  console.log(`approval finished ${tookOverMs} ms after the kill (${storedBefore.length} PDFs stored before it)`);
  expect(tookOverMs).toBeLessThan(FAILOVER_LIMIT_MS);
  expect(status.state).toBe('approved');

  // Every addressee has exactly one PDF; those stored before the kill were kept, not rendered again.
  const documents = await db.models.Document.findAll({ where: { kind: 'statement', statementId: ref.id }, order: [['id', 'ASC']] });
  expect(storedBefore.length).toBeLessThan(documents.length);
  const keys = documents.map((d) => `${d.unitId}/${d.occupancyKey}`);
  expect(new Set(keys).size).toBe(keys.length);
  for (const before of storedBefore) {
    expect(documents.find((d) => d.id === before.id)?.sha256).toBe(before.sha256);
  }
  // The manager's update either saw the approval or timed out while the worker was dead; it never refused it.
  const outcome = await approval;
  if (!outcome.ok) expect(outcome.message).toContain('antwortet gerade nicht');
}, 180_000);

/** Runs an activity in Temporal's activity context, typed by the activity (not by the literal arguments). */
function runIn<A extends unknown[], R>(
  env: MockActivityEnvironment,
  activity: (...args: A) => Promise<R>,
  ...args: NoInfer<A>
): Promise<R> {
  return env.run(activity, ...args) as Promise<R>;
}

test('a monthly batch retried after it had published resumes from its heartbeat: the publication counts, only the announcing is left', async () => {
  const org = await createOrgFixture(db, { managers: 1 });
  const tenant = await createUserFixture(db, org.organisation.id, 'tenant');
  await createMonthlyFixture(db, { org, tenant });
  // The real activities in Temporal's activity context, which records their heartbeats and hands a
  // retry the last one (as the server does after a worker died).
  const activities = createActivities({ db, mailer: createMailer({ db, from: 'Klarmeter <noreply@klarmeter.local>' }) });
  const first = new MockActivityEnvironment();
  const beats: unknown[] = [];
  first.on('heartbeat', (details: unknown) => beats.push(details));
  const { runId } = await runIn(first, activities.startMonthlyRun, {
    workflowId: `monthly-heartbeat-${uniqueSuffix()}`,
    month: FIXTURE_MONTH,
    organisationIds: [org.organisation.id],
  });
  const batch = { runId, month: FIXTURE_MONTH, propertyId: org.property.id };
  const done = await runIn(first, activities.processMonthlyBatch, batch);
  expect(done.published).toBeGreaterThan(0);
  expect(beats[0]).toEqual({ stage: 'publishing' });
  const last = beats.at(-1) as { stage: string; totals: unknown };
  expect(last).toMatchObject({ stage: 'published', totals: { ...done, mailed: 0 } });

  // A retry from scratch would find every information unchanged and report none published.
  const rerun = await runIn(new MockActivityEnvironment(), activities.processMonthlyBatch, batch);
  expect(rerun.published).toBe(0);
  // Resumed from the heartbeat, the attempt reports the publication of the attempt that died and
  // announces what is left (here nothing: the first attempt had told the tenant).
  const provided = await db.models.MonthlyDeliveryEvent.count();
  const resumed = await runIn(new MockActivityEnvironment({ heartbeatDetails: last }), activities.processMonthlyBatch, batch);
  expect(resumed).toEqual({ ...done, mailed: 0 });
  expect(await db.models.MonthlyDeliveryEvent.count()).toBe(provided);
});

test('a delivery commits its recipients batch by batch: a retry after a crash mid-way records each tenant once and returns the same facts', async () => {
  const { house, manager, ref } = await savedStatement();
  const tenants = await db.models.StatementOccupancy.count({ where: { statementId: ref.id, tenancyId: { [Op.ne]: null } } });
  expect(tenants).toBeGreaterThanOrEqual(4);
  const activities = createActivities({
    db,
    mailer: createMailer({ db, from: 'Klarmeter <noreply@klarmeter.local>' }),
    recipientBatchSize: 2,
  });
  const input = {
    statementId: ref.id,
    version: ref.version,
    channel: 'post' as const,
    dispatchedOn: '2026-06-01',
    today: '2026-06-01',
    periodEnd: house.request.period.end,
    objectionMode: 'end-of-month' as const,
    actor: { userId: manager.id, name: manager.email },
    ip: '203.0.113.9',
    documentSha256: 'a'.repeat(64),
  };
  const stored = () =>
    db.sequelize.query<{ occupancyId: number; transactionId: string }>(
      'SELECT occupancy_id AS "occupancyId", xmin::text AS "transactionId" FROM statement_recipients WHERE statement_id = :id ORDER BY occupancy_id',
      { replacements: ref, type: QueryTypes.SELECT },
    );

  // The worker dies right after its first batch committed (its first progress report fails).
  const dying = new MockActivityEnvironment();
  dying.on('heartbeat', () => {
    throw new Error('worker gone');
  });
  await expect(runIn(dying, activities.deliverToRecipients, input)).rejects.toThrow('worker gone');
  expect(await stored()).toHaveLength(2);

  const beats: unknown[] = [];
  const retry = new MockActivityEnvironment();
  retry.on('heartbeat', (details: unknown) => beats.push(details));
  const delivered = await runIn(retry, activities.deliverToRecipients, input);
  expect(delivered).toHaveLength(tenants);
  expect(beats.at(-1)).toEqual({ done: tenants, total: tenants });
  const rows = await stored();
  expect(rows.map((r) => r.occupancyId)).toEqual(delivered.map((r) => r.occupancyId).sort((a, b) => a - b));
  // One transaction per batch of two: committed separately, never all at once.
  expect(new Set(rows.map((r) => r.transactionId)).size).toBe(Math.ceil(tenants / 2));
  const events = await db.models.ProofEvent.findAll({ where: { statementId: ref.id, version: ref.version, step: 'delivered' } });
  expect(events).toHaveLength(tenants);
  expect(events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: tenants }, (_, i) => i + 1));

  // A third run (a retry of a finished attempt) finds everything and returns what was recorded.
  expect(await runIn(new MockActivityEnvironment(), activities.deliverToRecipients, input)).toEqual(delivered);
  expect(await db.models.ProofEvent.count({ where: { statementId: ref.id, version: ref.version } })).toBe(tenants);
});
