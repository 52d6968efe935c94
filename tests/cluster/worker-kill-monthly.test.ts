// A worker killed (kill -9) while it processes a batch of the monthly information: its batch continues
// on the other worker within 30 s, the run finishes, every unit exactly once. The batch activity
// heartbeats (timeout 15 s), so the killed worker's batch is retried elsewhere within seconds, not
// after its start-to-close timeout of 5 minutes. How long the rest of the run takes on the one worker
// left depends on the machine's load, so the run's end has a generous limit of its own.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Db } from '../../db';
import { seedLargePortfolio } from '../../db/seed/demo';
import { calendarDate } from '../../domain/calendar';
import { reportingMonthFor } from '../../domain/monthly';
import type { monthlyInformationRun } from '../../workflows/monthly-information';
import { MONTHLY_RUN_WORKFLOW_TYPE, monthlyNotificationKey, monthlyPropertyWorkflowId } from '../../domain/contracts/monthly';
import { seedReadings, seedTenantAccounts } from '../../scripts/bench/monthly';
import { eventually, sleep } from '../support/eventually';
import { uniqueSuffix } from '../support/fixtures';
import { clusterDb, clusterState, clusterTemporal, waitForRestart, waitUntilHealthy } from './support/cluster';

const UNITS = 1_200;
/** The killed worker's batch starts again on the other worker within this. */
const FAILOVER_LIMIT_MS = 30_000;
/** The whole run, on one worker of a loaded 2-core machine. */
const RUN_LIMIT_MS = 180_000;
/** temporal.api.enums.v1.PendingActivityState.STARTED */
const ACTIVITY_STARTED = 2;
/** temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT */
const TIMEOUT_HEARTBEAT = 4;

let db: Db;
let temporal: { client: Client; close(): Promise<void> };

beforeAll(async () => {
  db = clusterDb();
  temporal = await clusterTemporal();
  await waitUntilHealthy();
});

afterAll(async () => {
  await temporal?.close();
  await db?.close();
});

/** A worker of the cluster that is running one of the run's activities right now. */
async function workerInTheMiddleOfABatch(month: string, propertyIds: number[]): Promise<{ pid: number; name: string }> {
  const workers = Object.entries(clusterState().services).filter(([name]) => name.startsWith('worker-'));
  return eventually(
    async () => {
      for (const propertyId of propertyIds) {
        const handle = temporal.client.workflow.getHandle(monthlyPropertyWorkflowId(month, propertyId));
        const description = await handle.describe().catch(() => null);
        for (const activity of description?.raw.pendingActivities ?? []) {
          if (activity.state !== ACTIVITY_STARTED) continue;
          const pid = Number(activity.lastWorkerIdentity?.split('@')[0]);
          const worker = workers.find(([, service]) => service.pid === pid);
          if (worker) return { pid, name: worker[0] };
        }
      }
      throw new Error('no batch in progress yet');
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

const millisOf = (ts: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  Number(String(ts?.seconds ?? 0)) * 1_000 + Math.floor((ts?.nanos ?? 0) / 1_000_000);

/**
 * The attempts that took over from a worker that stopped heartbeating (the killed one), from the
 * property workflows' histories: where and when each started, and whether its activity completed.
 * (A batch the victim happened to finish between our look and the kill is not among them.)
 */
async function takeovers(month: string, propertyIds: number[]) {
  const found: Array<{ identity: string; startedAt: number; completed: boolean }> = [];
  for (const propertyId of propertyIds) {
    const history = await temporal.client.workflow.getHandle(monthlyPropertyWorkflowId(month, propertyId)).fetchHistory();
    const events = history.events ?? [];
    for (const event of events) {
      const started = event.activityTaskStartedEventAttributes;
      if (started?.lastFailure?.timeoutFailureInfo?.timeoutType !== TIMEOUT_HEARTBEAT) continue;
      const scheduledId = String(started.scheduledEventId);
      found.push({
        identity: started.identity ?? '',
        startedAt: millisOf(event.eventTime),
        completed: events.some((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === scheduledId),
      });
    }
  }
  return found;
}

// Seeding, the run on one worker under load (RUN_LIMIT_MS) and the checks: more than the files' default.
test(
  'kill -9 of a worker during a monthly run: its batch continues on the other within 30 s, every unit once',
  { timeout: 300_000 },
  async () => {
    const month = reportingMonthFor(calendarDate(new Date()));
    const { organisationId } = await seedLargePortfolio(db, UNITS, calendarDate(new Date()));
    await seedReadings(db, organisationId, month);
    await seedTenantAccounts(db, organisationId);
    const properties = await db.models.Property.findAll({ where: { organisationId }, attributes: ['id'] });
    const propertyIds = properties.map((p) => p.id);
    const unitIds = (await db.models.Unit.findAll({ where: { propertyId: propertyIds }, attributes: ['id'] })).map((u) => u.id);
    expect(unitIds).toHaveLength(UNITS);

    const handle: WorkflowHandle<typeof monthlyInformationRun> = await temporal.client.workflow.start<typeof monthlyInformationRun>(
      MONTHLY_RUN_WORKFLOW_TYPE,
      {
        workflowId: `monthly-information-cluster-${uniqueSuffix()}`,
        taskQueue: clusterState().taskQueue,
        args: [{ month, organisationIds: [organisationId] }],
      },
    );
    const victim = await workerInTheMiddleOfABatch(month, propertyIds);
    process.kill(victim.pid, 'SIGKILL');
    const killedAt = Date.now();

    const result = await Promise.race([
      handle.result(),
      sleep(RUN_LIMIT_MS).then(() => {
        throw new Error(`the run did not finish within ${RUN_LIMIT_MS / 1000} s after ${victim.name} was killed`);
      }),
    ]);
    // The killed worker's batches were taken over by another worker within the failover limit.
    const taken = await takeovers(month, propertyIds);
    expect(taken.length, 'batches the killed worker was running').toBeGreaterThan(0);
    for (const attempt of taken) {
      expect(attempt.completed).toBe(true);
      expect(attempt.identity).not.toMatch(new RegExp(`^${victim.pid}@`));
      expect(attempt.startedAt - killedAt).toBeLessThan(FAILOVER_LIMIT_MS);
    }
    expect(result).toMatchObject({ state: 'completed', unitsTotal: UNITS, unitsDone: UNITS, propertiesFailed: [] });
    expect(result.totals).toMatchObject({ units: UNITS, published: UNITS });

    // Exactly once: one information, one proof of provision, one notification and e-mail per tenant.
    const informations = await db.models.MonthlyInformation.findAll({
      where: { unitId: unitIds, month: `${month}-01` },
      attributes: ['id'],
    });
    expect(informations).toHaveLength(UNITS);
    expect(await db.models.MonthlyDeliveryEvent.count({ where: { informationId: informations.map((i) => i.id) } })).toBe(UNITS);
    const tenants = await db.models.User.findAll({ where: { organisationId, role: 'tenant' }, attributes: ['id'] });
    const tenantIds = tenants.map((t) => t.id);
    expect(await db.models.Notification.count({ where: { dedupeKey: monthlyNotificationKey(month), userId: tenantIds } })).toBe(
      result.totals.portal,
    );
    const mailKeys = tenantIds.map((id) => `${monthlyNotificationKey(month)}:user-${id}`);
    expect(await db.models.Mail.count({ where: { dedupeKey: mailKeys } })).toBe(result.totals.mailed);

    await waitForRestart(victim.name, victim.pid);
    await waitUntilHealthy();
  },
);
