// A worker killed (kill -9) while it processes a batch of the monthly information: the other worker
// continues the killed batch within 30 s and finishes the run, every unit exactly once. The batch
// activity heartbeats (timeout 15 s), so the killed worker's batch is retried elsewhere within seconds,
// not after its start-to-close timeout of 5 minutes. How long the rest of the run takes depends on the
// machine's load, so the 30 s bound is asserted on the hand-over, not on the whole run.
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
const FAILOVER_LIMIT_MS = 30_000;
const RUN_LIMIT_MS = 180_000;
/** temporal.api.enums.v1.PendingActivityState.STARTED */
const ACTIVITY_STARTED = 2;

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

interface BatchInProgress {
  pid: number;
  name: string;
  workflowId: string;
  activityId: string;
}

const pidOf = (identity: string | null | undefined) => Number(identity?.split('@')[0]);

/** A worker of the cluster that is running one of the run's activities right now, and that activity. */
async function workerInTheMiddleOfABatch(month: string, propertyIds: number[]): Promise<BatchInProgress> {
  const workers = Object.entries(clusterState().services).filter(([name]) => name.startsWith('worker-'));
  return eventually(
    async () => {
      for (const propertyId of propertyIds) {
        const workflowId = monthlyPropertyWorkflowId(month, propertyId);
        const description = await temporal.client.workflow
          .getHandle(workflowId)
          .describe()
          .catch(() => null);
        for (const activity of description?.raw.pendingActivities ?? []) {
          if (activity.state !== ACTIVITY_STARTED || !activity.activityId) continue;
          const pid = pidOf(activity.lastWorkerIdentity);
          const worker = workers.find(([, service]) => service.pid === pid);
          if (worker) return { pid, name: worker[0], workflowId, activityId: activity.activityId };
        }
      }
      throw new Error('no batch in progress yet');
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

test(
  'kill -9 of a worker during a monthly run: the other continues it within 30 s and finishes it, every unit once',
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

    // The killed batch is done or running on another worker: it no longer waits for the dead one.
    await eventually(
      async () => {
        const description = await temporal.client.workflow.getHandle(victim.workflowId).describe();
        const batch = description.raw.pendingActivities?.find((a) => a.activityId === victim.activityId);
        if (batch && (batch.state !== ACTIVITY_STARTED || pidOf(batch.lastWorkerIdentity) === victim.pid)) {
          throw new Error(`the batch ${victim.activityId} of ${victim.workflowId} still waits for ${victim.name}`);
        }
      },
      { timeoutMs: FAILOVER_LIMIT_MS, intervalMs: 250 },
    );
    expect(Date.now() - killedAt).toBeLessThan(FAILOVER_LIMIT_MS);

    const result = await Promise.race([
      handle.result(),
      sleep(RUN_LIMIT_MS).then(() => {
        throw new Error(`the run did not finish within ${RUN_LIMIT_MS / 1000} s after ${victim.name} was killed`);
      }),
    ]);
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
