// The readings section of `npm run bench -- monthly`: BENCH_READINGS (default 10,000) readings
// imported as one CSV file into devices whose workflows run and show red for "no reading for more
// than 30 days". Measured from the start of the import: until every device workflow has received
// its one signal (the import returns: committed, every signalWithStart acknowledged), and until
// every device is green on its row (each workflow has handled its signal and projected the light).
// Both are compared with the monthly run's budget for the same portfolio (BENCH_UNITS / 55 s).
import type { Client } from '@temporalio/client';
import { QueryTypes } from 'sequelize';
import type { Db } from '../../db';
import { addDays } from '../../domain/dates';
import { deviceWorkflowId } from '../../domain/contracts/device';
import { lightAt } from '../../domain/deadlines';
import { UNIT_FOR_DEVICE } from '../../domain/readings-csv';
import { deviceFacts, ensureDeviceWorkflows } from '../../server/device-obligation';
import { importReadingsCsv } from '../../server/readings';
import { log, timed } from './setup';
import { round } from './stats';

const SILENT_DAYS = 45;
const HOUR_MS = 3_600_000;
/** Half past: the monthly section's readings are at 06:00, so the two never meet at one instant. */
const HALF_PAST_MS = 1_800_000;
const POLL_MS = 500;

export interface ReadingsBenchInput {
  db: Db;
  client: Client;
  taskQueue: string;
  organisationId: number;
  readings: number;
  /** Seconds the monthly run may take for the same portfolio (units / target units per second). */
  budgetSeconds: number;
  /** CPU seconds used so far by this process (worker included) and the Temporal server: figures the shared machine's load does not skew. */
  cpuNow: () => { process: number; temporalServer: number | null };
}

function cpuSince(cpuNow: ReadingsBenchInput['cpuNow'], before: ReturnType<ReadingsBenchInput['cpuNow']>) {
  const now = cpuNow();
  return {
    process: round(now.process - before.process, 2),
    temporalServer:
      now.temporalServer === null || before.temporalServer === null ? null : round(now.temporalServer - before.temporalServer, 2),
  };
}

/** "2026-11-30 06:00" in German local time, as collection software writes it. */
const localTime = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Berlin',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** Devices of the organisation that take readings and would be green with a fresh one. */
async function candidates(db: Db, organisationId: number, wanted: number, today: string) {
  const { Device, Organisation, Property } = db.models;
  const organisation = await Organisation.findByPk(organisationId, { rejectOnEmpty: true });
  const properties = await Property.findAll({ where: { organisationId }, attributes: ['id'], raw: true });
  const devices = await Device.findAll({
    where: { propertyId: properties.map((p) => p.id), successorId: null, removedAt: null },
    order: [['id', 'ASC']],
  });
  return (
    devices
      // Installed before today (the generated portfolio has some installed later), so every reading is in service.
      .filter((device) => UNIT_FOR_DEVICE[device.type] !== null && device.installedAt < today)
      .filter((device) => lightAt({ ...deviceFacts(device, organisation), lastReadingAt: today }, today) === 'green')
      .slice(0, wanted)
  );
}

async function lights(db: Db, ids: number[]): Promise<{ red: number; green: number }> {
  const [row] = await db.sequelize.query<{ red: string; green: string }>(
    `SELECT count(*) FILTER (WHERE light = 'red') AS red, count(*) FILTER (WHERE light = 'green') AS green
       FROM devices WHERE id = ANY($1::int[])`,
    { bind: [ids], type: QueryTypes.SELECT },
  );
  return { red: Number(row?.red ?? 0), green: Number(row?.green ?? 0) };
}

async function waitFor(what: string, timeoutMs: number, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`bench: ${what} not reached within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** How many deviceHealth signals a sample of the workflows received: each must have had exactly one. */
async function signalsPerWorkflow(client: Client, ids: number[]): Promise<number[]> {
  const step = Math.max(1, Math.floor(ids.length / 10));
  const sample = ids.filter((_, i) => i % step === 0).slice(0, 10);
  return Promise.all(
    sample.map(async (id) => {
      const history = await client.workflow.getHandle(deviceWorkflowId(id)).fetchHistory();
      return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'deviceHealth').length;
    }),
  );
}

export async function benchReadingSignals({ db, client, taskQueue, organisationId, readings, budgetSeconds, cpuNow }: ReadingsBenchInput) {
  const today = new Date().toISOString().slice(0, 10);
  const devices = await candidates(db, organisationId, readings, today);
  if (devices.length === 0) throw new Error('bench: no device of the portfolio takes readings');
  const ids = devices.map((d) => d.id);
  const perDevice = Math.ceil(readings / devices.length);

  // Silent for 45 days: the workflows start red. (A bench set-up write; the app never does this.)
  log(`readings: ${ids.length} devices made silent, starting their workflows …`);
  await db.sequelize.query(`UPDATE devices SET last_reading_at = $2::timestamptz WHERE id = ANY($1::int[])`, {
    bind: [ids, `${addDays(today, -SILENT_DAYS)}T05:00:00Z`],
  });
  const cpuAtStart = cpuNow();
  const started = await timed(async () => {
    await ensureDeviceWorkflows(client, ids, { db, taskQueue, concurrency: 50 });
    await waitFor('every device red', 3_600_000, async () => (await lights(db, ids)).red === ids.length);
  });
  const startCpu = cpuSince(cpuNow, cpuAtStart);

  // Whole past hours, so that a rerun within the hour finds the same readings (unchanged, still signalled).
  const lastHour = Math.floor(Date.now() / HOUR_MS) - 1;
  const lines = ['Zählernummer;Zeitpunkt;Wert;Einheit'];
  for (let n = 0; n < readings; n++) {
    const device = devices[n % devices.length]!;
    const hour = lastHour - Math.floor(n / devices.length);
    const value = (device.id % 997) + (hour % 10_000) / 10;
    lines.push(
      `${device.serial};${localTime.format(new Date(hour * HOUR_MS + HALF_PAST_MS))};${value.toFixed(1)};${UNIT_FOR_DEVICE[device.type]}`,
    );
  }
  const csv = lines.join('\n');

  log(`readings: importing ${readings} readings of ${ids.length} devices …`);
  const cpuAtImport = cpuNow();
  const begun = performance.now();
  const imported = await timed(() =>
    importReadingsCsv(db, csv, { organisationId, actor: null, source: 'import', fileName: 'bench.csv', temporal: { client, taskQueue } }),
  );
  const { result: report } = imported;
  if (!report.applied) throw new Error(`bench: import refused: ${JSON.stringify(report.errors.slice(0, 3))}`);
  await waitFor('every device green', 3_600_000, async () => (await lights(db, ids)).green === ids.length);
  const allGreenSeconds = (performance.now() - begun) / 1000;
  const importCpu = cpuSince(cpuNow, cpuAtImport);

  // signalWithStart returns once the signal is in the workflow's history: received, though not yet handled.
  const received = imported.seconds;
  return {
    readings: report.rows,
    devices: ids.length,
    readingsPerDevice: perDevice,
    inserted: report.inserted,
    workflows: report.workflows,
    signalsPerWorkflowSampled: await signalsPerWorkflow(client, ids),
    setup: { workflowsStartedRedSeconds: round(started.seconds, 2), cpuSeconds: startCpu },
    allSignalsReceivedSeconds: round(received, 2),
    allWorkflowsGreenSeconds: round(allGreenSeconds, 2),
    devicesGreenPerSecond: round(ids.length / allGreenSeconds),
    // From the import to all green; PostgreSQL's share is not counted.
    cpuSeconds: importCpu,
    cpuMsPerDevice: round(((importCpu.process + (importCpu.temporalServer ?? 0)) * 1000) / ids.length, 1),
    monthlyBudgetSeconds: round(budgetSeconds, 2),
    withinMonthlyBudget: { signalsReceived: received <= budgetSeconds, workflowsGreen: allGreenSeconds <= budgetSeconds },
  };
}
