// `npm run bench -- monthly`: the monthly information (HKVO §6a) end to end for BENCH_UNITS (default
// 10,000) units: the real run workflow, its property child workflows and batch activities on an
// in-process worker against an isolated Temporal dev server and the bench database. Every unit has a
// tenant with a portal account, so each information is computed, published, proven, notified and
// e-mailed (to the sink). Reports units per second of a first run and of an idempotent rerun, and
// the peak resident memory of this process (worker included) and of the Temporal server.
// Target: at least 55 units per second on a two-core machine. Then BENCH_READINGS (default 10,000;
// 0 skips it) readings are imported and signalled to their device workflows (scripts/bench/readings.ts):
// every workflow must have its signal handled within the monthly run's budget (units / 55 s).
// `npm run bench -- monthly --workers 1,2` instead compares worker counts: for each count, that many
// worker processes of their own (scripts/bench/monthly-worker.ts) do a first run of the same month
// (state reset in between), in one invocation so that the counts are measured under the same load.
import type { ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, bundleWorkflowCode } from '@temporalio/worker';
import type { Db } from '../../db';
import { calendarDate } from '../../domain/calendar';
import { HISTORY_MONTHS, monthBoundaries, monthsEnding, reportingMonthFor, type YearMonth } from '../../domain/monthly';
import type { monthlyInformationRun } from '../../workflows/monthly-information';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_PROPERTY_CONCURRENCY,
  MONTHLY_RUN_WORKFLOW_TYPE,
  monthlyNotificationKey,
} from '../../domain/contracts/monthly';
import { WORKFLOWS_PATH, buildWorker } from '../lib/worker';
import { benchReadingSignals } from './readings';
import { benchPortfolio, log, quietTemporalRuntime, startBenchEnvironment, timed } from './setup';
import { round } from './stats';
import { cpuSeconds, measured, startWorkerProcess, stopWorkerProcess } from './processes';

const UNITS = Number(process.env.BENCH_UNITS ?? 10_000);
const BATCH_SIZE = Number(process.env.BENCH_BATCH ?? DEFAULT_BATCH_SIZE);
const PROPERTY_CONCURRENCY = Number(process.env.BENCH_PROPERTY_CONCURRENCY ?? DEFAULT_PROPERTY_CONCURRENCY);
const READINGS = Number(process.env.BENCH_READINGS ?? 10_000);
const TARGET_UNITS_PER_SECOND = 55;
const TASK_QUEUE = 'klarmeter-bench-monthly';
const MAX_WORKERS = 8;

/** `--workers 1,2`: the worker counts to compare; null without the flag (one worker in this process). */
export function workerCounts(argv: readonly string[]): number[] | null {
  const at = argv.indexOf('--workers');
  if (at < 0) return null;
  const value = argv[at + 1] ?? '';
  const counts = value.split(',').map(Number);
  if (!value || counts.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_WORKERS)) {
    throw new Error(`--workers: expected worker counts such as 1, 2 or 1,2 (each 1–${MAX_WORKERS}), got "${value}"`);
  }
  return counts;
}

/**
 * Two years of monthly readings for every allocator and water meter of the organisation's units,
 * varying by device and month; one device in 97 lacks the month's end reading (a substitute value).
 * Idempotent: existing readings stay.
 */
export async function seedReadings(db: Db, organisationId: number, month: YearMonth): Promise<number> {
  const boundaries = monthBoundaries(monthsEnding(month, HISTORY_MONTHS));
  const [, inserted] = await db.sequelize.query(
    `INSERT INTO readings (device_id, read_at, value, unit, source)
     SELECT id, at + interval '6 hours', round((100 + coalesce(sum(used) OVER (PARTITION BY id ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))::numeric, 3),
            CASE type WHEN 'HKV' THEN 'Einheiten' ELSE 'm³' END, 'radio'
       FROM (SELECT d.id, d.type, b.at, b.k,
                    CASE d.type WHEN 'HKV' THEN 8 + d.id % 13 WHEN 'WZ-W' THEN 0.25 + (d.id % 7) * 0.05 ELSE 0.5 + (d.id % 5) * 0.1 END
                      * (0.8 + ((d.id * 31 + b.k * 17) % 10) / 20.0) AS used
               FROM devices d JOIN properties p ON p.id = d.property_id
              CROSS JOIN unnest($2::timestamptz[]) WITH ORDINALITY AS b(at, k)
              WHERE p.organisation_id = $1 AND d.unit_id IS NOT NULL AND d.type IN ('HKV', 'WZ-W', 'WZ-K')) x
      WHERE NOT (id % 97 = 0 AND k = $3)
     ON CONFLICT (device_id, read_at) DO NOTHING`,
    { bind: [organisationId, boundaries.map((b) => b.toISOString()), boundaries.length] },
  );
  return Number(inserted ?? 0);
}

/** A portal account for every tenant, so that every information is notified and mailed. */
export async function seedTenantAccounts(db: Db, organisationId: number): Promise<void> {
  await db.sequelize.query(
    `WITH pending AS (
       SELECT t.id, t.tenant_name FROM tenancies t JOIN units u ON u.id = t.unit_id JOIN properties p ON p.id = u.property_id
        WHERE p.organisation_id = $1 AND t.user_id IS NULL),
     created AS (
       INSERT INTO users (organisation_id, email, name, role, password_hash)
       SELECT $1, 'bench-tenant-' || id || '@klarmeter.de', tenant_name, 'tenant', 'bench-without-login' FROM pending
       ON CONFLICT (email) DO NOTHING RETURNING id, email)
     UPDATE tenancies t SET user_id = created.id FROM created WHERE created.email = 'bench-tenant-' || t.id || '@klarmeter.de'`,
    { bind: [organisationId] },
  );
}

/**
 * A first run must find nothing published. Delivery events are append-only (no DELETE), but the
 * bench database may be emptied with TRUNCATE, which that rule is not about.
 */
async function resetMonthlyState(db: Db, month: YearMonth): Promise<void> {
  await db.sequelize.query('TRUNCATE monthly_delivery_events, monthly_information, monthly_run_properties, monthly_runs');
  await db.sequelize.query('DELETE FROM notifications WHERE dedupe_key = $1', { bind: [monthlyNotificationKey(month)] });
  await db.sequelize.query('DELETE FROM mails WHERE dedupe_key LIKE $1', { bind: [`${monthlyNotificationKey(month)}:%`] });
}

type MonthRun = (label: string) => Promise<{ unitsDone: number; totals: { published: number; mailed: number } }>;

/**
 * For each worker count: the month's state reset, that many worker processes started (bundling
 * their workflows before the clock starts), one first run timed, the workers stopped. The load
 * average is read at the start and the end of each run: the machine is shared.
 */
async function compareWorkerCounts(
  counts: number[],
  input: { db: Db; month: YearMonth; address: string; databaseUrl: string; temporalPid: number | undefined; runMonth: MonthRun },
) {
  const runs = [];
  for (const count of counts) {
    await resetMonthlyState(input.db, input.month);
    log(`${count} worker process(es) starting …`);
    const workers: ChildProcess[] = [];
    try {
      for (let i = 0; i < count; i++) workers.push(await startWorkerProcess(input.address, input.databaseUrl, TASK_QUEUE));
      log(`first run with ${count} worker process(es) …`);
      const loadAtStart = loadavg().map((l) => round(l, 2));
      const pids = workers.flatMap((w) => (w.pid === undefined ? [] : [w.pid]));
      const run = await measured(input.temporalPid, () => timed(() => input.runMonth(`workers-${count}`)), pids);
      runs.push({
        workers: count,
        units: run.result.result.unitsDone,
        seconds: round(run.result.seconds, 2),
        unitsPerSecond: round(run.result.result.unitsDone / run.result.seconds),
        published: run.result.result.totals.published,
        loadAverage: { atStart: loadAtStart, atEnd: loadavg().map((l) => round(l, 2)) },
        peakRssMb: run.peak,
        cpuSeconds: run.cpuSeconds,
      });
    } finally {
      await Promise.all(workers.map(stopWorkerProcess));
    }
  }
  const reference = runs[0];
  return runs.map((run) => ({ ...run, speedUp: reference ? round(run.unitsPerSecond / reference.unitsPerSecond, 2) : null }));
}

export async function benchMonthly() {
  const counts = workerCounts(process.argv);
  quietTemporalRuntime();
  const { db, databaseUrl, temporal, close } = await startBenchEnvironment({ poolMax: 20 });
  const month = reportingMonthFor(calendarDate(new Date()));
  try {
    const { organisationId, propertyIds } = await benchPortfolio(db, UNITS);
    const units = await db.models.Unit.count({ where: { propertyId: propertyIds } });
    log(`${units} units in ${propertyIds.length} properties; readings and tenant accounts …`);
    const seeded = await timed(() => seedReadings(db, organisationId, month));
    await seedTenantAccounts(db, organisationId);
    log(`${seeded.result} readings added in ${round(seeded.seconds)} s; bundling workflows …`);
    await resetMonthlyState(db, month);
    await db.sequelize.query('VACUUM ANALYZE readings');

    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection });
    const runMonth: MonthRun = (label) =>
      client.workflow.execute<typeof monthlyInformationRun>(MONTHLY_RUN_WORKFLOW_TYPE, {
        workflowId: `monthly-information-bench-${label}-${Date.now()}`,
        taskQueue: TASK_QUEUE,
        args: [{ month, organisationIds: [organisationId], batchSize: BATCH_SIZE, propertyConcurrency: PROPERTY_CONCURRENCY }],
      });
    if (counts) {
      try {
        const runs = await compareWorkerCounts(counts, {
          db,
          month,
          address: temporal.address,
          databaseUrl,
          temporalPid: temporal.process?.pid,
          runMonth,
        });
        return {
          units,
          properties: propertyIds.length,
          month,
          cpus: cpus().length,
          batchSize: BATCH_SIZE,
          propertyConcurrency: PROPERTY_CONCURRENCY,
          runs,
        };
      } finally {
        await connection.close();
      }
    }

    const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
    const nativeConnection = await NativeConnection.connect({ address: temporal.address });
    const worker = await buildWorker({ connection: nativeConnection, taskQueue: TASK_QUEUE, db, workflowBundle });
    const running = worker.run();
    try {
      log(`first run for ${month} …`);
      const first = await measured(temporal.process?.pid, () => timed(() => runMonth('first')));
      log(`rerun (idempotent) …`);
      const rerun = await measured(temporal.process?.pid, () => timed(() => runMonth('rerun')));
      const firstRate = first.result.result.unitsDone / first.result.seconds;
      const budgetSeconds = units / TARGET_UNITS_PER_SECOND;
      const cpuNow = () => {
        const { user, system } = process.cpuUsage();
        return { process: (user + system) / 1e6, temporalServer: cpuSeconds(temporal.process?.pid) };
      };
      const readings =
        READINGS > 0
          ? await measured(temporal.process?.pid, () =>
              benchReadingSignals({ db, client, taskQueue: TASK_QUEUE, organisationId, readings: READINGS, budgetSeconds, cpuNow }),
            )
          : null;
      return {
        units: first.result.result.unitsDone,
        properties: propertyIds.length,
        month,
        cpus: cpus().length,
        loadAverageAtEnd: round(loadavg()[0] ?? NaN, 2),
        batchSize: BATCH_SIZE,
        propertyConcurrency: PROPERTY_CONCURRENCY,
        firstRun: {
          seconds: round(first.result.seconds, 2),
          unitsPerSecond: round(firstRate),
          totals: first.result.result.totals,
          peakRssMb: first.peak,
          cpuSeconds: first.cpuSeconds,
        },
        idempotentRerun: {
          seconds: round(rerun.result.seconds, 2),
          unitsPerSecond: round(rerun.result.result.unitsDone / rerun.result.seconds),
          published: rerun.result.result.totals.published,
          mailed: rerun.result.result.totals.mailed,
          peakRssMb: rerun.peak,
          cpuSeconds: rerun.cpuSeconds,
        },
        target: { unitsPerSecond: TARGET_UNITS_PER_SECOND, met: firstRate >= TARGET_UNITS_PER_SECOND },
        readingsImport: readings && {
          ...readings.result,
          monthlyFirstRunSeconds: round(first.result.seconds, 2),
          peakRssMb: readings.peak,
        },
      };
    } finally {
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
    }
  } finally {
    await close();
  }
}
