// The readings import against the test run's PostgreSQL and Temporal dev server: all or nothing,
// idempotent, nothing dropped; once committed, each device's workflow hears of its newest reading.
import { relayOutbox } from './outbox';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createDb, type Device } from '../db/index';
import { applyReadings, importReadingsCsv, type ImportOptions } from './readings';
import { ensureDeviceWorkflow, reportDeviceReplaced } from './device-obligation';
import { addDays } from '../domain/dates';
import { deviceWorkflowId } from '../domain/contracts/device';
import { parseReadingRecord } from '../domain/readings-csv';
import { getStatus } from '../workflows/shared/device';
import type { deviceDeadline } from '../workflows/device-deadline';
import { freePort } from '../scripts/lib/temporal';
import { eventually } from '../tests/support/eventually';
import { createDeviceFixture, createOrgFixture, uniqueSuffix, type OrgFixture } from '../tests/support/fixtures';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../tests/support/temporal';

const db = createDb(inject('databaseUrl'));
const taskQueue = `readings-${uniqueSuffix()}`;
let temporal: TestClient;
let worker: RunningWorker;
const now = new Date('2026-11-26T12:00:00Z');
let org: OrgFixture;
let hkv: Device;
let water: Device;
let smokeAlarm: Device;
let foreign: Device;
let options: ImportOptions;

beforeAll(async () => {
  temporal = await connectTestClient();
  worker = await startTestWorker({ taskQueue, db, workflowBundle: await bundleWorkflows() });
  org = await createOrgFixture(db);
  const place = { property: org.property, unit: org.unit };
  hkv = await createDeviceFixture(db, place, { type: 'HKV', serial: `HKV-IMP-${org.property.id}`, installedAt: '2020-01-01' });
  water = await createDeviceFixture(db, place, { type: 'WZ-W', serial: `WZ-IMP-${org.property.id}`, installedAt: '2020-01-01' });
  smokeAlarm = await createDeviceFixture(db, place, { type: 'RWM', serial: `RWM-IMP-${org.property.id}`, installedAt: '2020-01-01' });
  const other = await createOrgFixture(db);
  foreign = await createDeviceFixture(db, { property: other.property, unit: other.unit }, { type: 'WZ-W', installedAt: '2020-01-01' });
  options = {
    organisationId: org.organisation.id,
    actor: { id: org.managers[0]!.id, email: org.managers[0]!.email },
    source: 'import',
    now,
    temporal: { client: temporal.client, taskQueue },
  };
});

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await db.close();
});

const csv = (...lines: string[]) => ['Zählernummer;Zeitpunkt;Wert;Einheit;Stichtagswert', ...lines].join('\n');

async function readingsOf(device: Device) {
  const rows = await db.models.Reading.findAll({ where: { deviceId: device.id }, order: [['readAt', 'ASC']] });
  return rows.map((r) => ({ at: r.readAt.toISOString(), value: r.value, setDateValue: r.setDateValue, source: r.source }));
}

describe('a valid file', () => {
  const file = () =>
    csv(
      `${hkv.serial};01.10.2026 06:00;812;Einheiten;`,
      `${hkv.serial};01.11.2026 06:00;35;Einheiten;905`,
      `${water.serial};01.11.2026 06:00;412,750;m³;`,
    );

  test('is applied in one go, and the devices show their latest reading', async () => {
    const report = await importReadingsCsv(db, file(), { ...options, fileName: 'oktober.csv' });
    expect(report).toEqual({
      applied: true,
      rows: 3,
      inserted: 3,
      unchanged: 0,
      skipped: 0,
      errors: [],
      unknownSerials: [],
      unknownSerialCount: 0,
      workflows: { signalled: 2, ended: 0, unsent: 0 },
    });
    expect(await readingsOf(hkv)).toEqual([
      { at: '2026-10-01T04:00:00.000Z', value: 812, setDateValue: null, source: 'import' },
      { at: '2026-11-01T05:00:00.000Z', value: 35, setDateValue: 905, source: 'import' },
    ]);
    await water.reload();
    expect(water.lastReadingValue).toBe(412.75);
    expect(water.lastReadingAt?.toISOString()).toBe('2026-11-01T05:00:00.000Z');
    const audit = await db.models.AuditEntry.findOne({
      where: { action: 'readings.imported', organisationId: org.organisation.id },
      order: [['id', 'DESC']],
    });
    expect(audit?.details).toMatchObject({ fileName: 'oktober.csv', inserted: 3, rows: 3 });
  });

  test('imported a second time changes nothing', async () => {
    const before = await db.models.Reading.count();
    const report = await importReadingsCsv(db, file(), options);
    // Unchanged readings are signalled again: importing a file twice repairs a signal an outage swallowed.
    expect(report).toMatchObject({ applied: true, inserted: 0, unchanged: 3, errors: [], workflows: { signalled: 2 } });
    expect(await db.models.Reading.count()).toBe(before);
  });
});

describe('a file with errors is not applied at all', () => {
  test('one bad row keeps the good ones out too; the errors name line and field', async () => {
    const report = await importReadingsCsv(
      db,
      csv(
        `${water.serial};01.09.2026 06:00;400;m³;`,
        `${water.serial};31.09.2026 06:00;401;m³;`,
        `${water.serial};02.09.2026 06:00;401;kWh;`,
        `${water.serial};03.09.2026 06:00;402;m³;400`,
        `${smokeAlarm.serial};03.09.2026 06:00;1;Einheiten;`,
        `${hkv.serial};01.01.2019 06:00;1;Einheiten;`,
      ),
      options,
    );
    expect(report.applied).toBe(false);
    expect(report.inserted).toBe(0);
    expect(report.workflows).toEqual({ signalled: 0, ended: 0, unsent: 0 });
    expect(report.errors).toEqual([
      { line: 3, field: 'Zeitpunkt', message: '„31.09.2026 06:00“ ist kein Zeitpunkt (erwartet TT.MM.JJJJ hh:mm oder JJJJ-MM-TT hh:mm)' },
      { line: 4, field: 'Einheit', message: `${water.serial} (Warmwasserzähler) misst in m³, nicht in kWh` },
      { line: 5, field: 'Stichtagswert', message: 'gibt es nur bei Heizkostenverteilern' },
      { line: 6, field: 'Zählernummer', message: `${smokeAlarm.serial} ist ein Rauchwarnmelder und liefert keine Verbrauchswerte` },
      { line: 7, field: 'Zeitpunkt', message: 'liegt vor dem Einbau des Geräts (01.01.2020)' },
    ]);
    expect((await readingsOf(water)).map((r) => r.at)).not.toContain('2026-09-01T04:00:00.000Z');
  });

  test('a stored reading is never overwritten with another value', async () => {
    const report = await importReadingsCsv(
      db,
      csv(`${water.serial};01.08.2026 06:00;390;m³;`, `${water.serial};01.11.2026 06:00;413;m³;`),
      options,
    );
    expect(report.applied).toBe(false);
    expect(report.errors).toEqual([
      { line: 3, field: 'Wert', message: `für ${water.serial} zu diesem Zeitpunkt ist bereits 412,75 m³ gespeichert` },
    ]);
    // The transaction was rolled back: the new August reading is not there either.
    expect((await readingsOf(water)).map((r) => r.at)).toEqual(['2026-11-01T05:00:00.000Z']);
  });
});

describe('unknown serials', () => {
  const file = () =>
    csv(
      `${water.serial};01.07.2026 06:00;380;m³;`,
      'WZ-GIBT-ES-NICHT;01.07.2026 06:00;1;m³;',
      `${foreign.serial};01.07.2026 06:00;1;m³;`,
      'WZ-GIBT-ES-NICHT;01.08.2026 06:00;2;m³;',
    );

  test('are reported with their lines and refuse the file (another organisation’s devices count as unknown)', async () => {
    const report = await importReadingsCsv(db, file(), options);
    expect(report.applied).toBe(false);
    expect(report.unknownSerials).toEqual([
      { serial: 'WZ-GIBT-ES-NICHT', lines: [3, 5], lineCount: 2 },
      { serial: foreign.serial, lines: [4], lineCount: 1 },
    ]);
    expect(report.unknownSerialCount).toBe(2);
    expect(report.errors.map((e) => [e.line, e.field])).toEqual([
      [3, 'Zählernummer'],
      [4, 'Zählernummer'],
      [5, 'Zählernummer'],
    ]);
    expect(await readingsOf(foreign)).toEqual([]);
  });

  test('when asked, the known rows are applied and the unknown ones listed as skipped', async () => {
    const report = await importReadingsCsv(db, file(), { ...options, skipUnknown: true });
    expect(report).toMatchObject({ applied: true, inserted: 1, skipped: 3, errors: [], workflows: { signalled: 1 } });
    expect(report.unknownSerials.map((u) => u.serial)).toEqual(['WZ-GIBT-ES-NICHT', foreign.serial]);
  });
});

test('a manual entry takes the same path (serials in any case)', async () => {
  const { row } = parseReadingRecord(
    { serial: hkv.serial.toLowerCase(), readAt: '2026-09-01T06:00', value: '700', unit: 'Einheiten' },
    1,
    now,
  );
  const report = await applyReadings(db, [row!], { ...options, source: 'manual' });
  expect(report).toMatchObject({ applied: true, inserted: 1, workflows: { signalled: 1, ended: 0, unsent: 0 } });
  expect((await readingsOf(hkv))[0]).toEqual({ at: '2026-09-01T04:00:00.000Z', value: 700, setDateValue: null, source: 'manual' });
});

describe('the device workflows hear of an import', () => {
  const today = new Date().toISOString().slice(0, 10);
  const daysAgo = (days: number) => addDays(today, -days);
  /** A reading at 06:00 German time: the same UTC calendar day. */
  const readingLine = (device: Device, day: string, value: number) => `${device.serial};${day} 06:00;${value};m³;`;
  const liveOptions = (): ImportOptions => ({ ...options, now: new Date() });

  function handleOf(device: Device) {
    return temporal.client.workflow.getHandle<typeof deviceDeadline>(deviceWorkflowId(device.id));
  }

  /** A cold-water meter calibrated this year (deadline years ahead): only its readings can make it red. */
  function meter(attributes: Partial<Device> = {}) {
    return createDeviceFixture(db, { property: org.property, unit: org.unit }, { installedAt: daysAgo(400), ...attributes });
  }

  async function signalsReceived(device: Device): Promise<number> {
    let signals = 0;
    for await (const execution of temporal.client.workflow.list({ query: `WorkflowId = "${deviceWorkflowId(device.id)}"` })) {
      const history = await temporal.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      signals += (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'deviceHealth').length;
    }
    return signals;
  }

  test('a device red for "no reading for more than 30 days" turns green, in the workflow and on its row', async () => {
    const device = await meter({ lastReadingAt: new Date(`${daysAgo(45)}T05:00:00Z`) });
    await ensureDeviceWorkflow(temporal.client, device.id, { db, taskQueue });
    await eventually(async () => expect((await handleOf(device).query(getStatus)).light).toBe('red'));
    await eventually(async () => expect((await device.reload()).light).toBe('red'));

    const report = await importReadingsCsv(db, csv(readingLine(device, daysAgo(1), 120.5)), liveOptions());

    expect(report).toMatchObject({ applied: true, inserted: 1, workflows: { signalled: 1, ended: 0, unsent: 0 } });
    await eventually(async () =>
      expect(await handleOf(device).query(getStatus)).toMatchObject({ light: 'green', facts: { lastReadingAt: daysAgo(1) } }),
    );
    await eventually(async () => expect((await device.reload()).light).toBe('green'));
    await handleOf(device).terminate();
  });

  test('many readings of one device make one signal with the newest day; an older file later sets nothing back', async () => {
    const device = await meter();
    const days = Array.from({ length: 40 }, (_, i) => daysAgo(40 - i));
    const report = await importReadingsCsv(db, csv(...days.map((day, i) => readingLine(device, day, 100 + i))), liveOptions());

    // No workflow ran for the device: signalWithStart started one from the row and delivered the signal.
    expect(report).toMatchObject({ applied: true, inserted: 40, workflows: { signalled: 1 } });
    await eventually(async () => expect((await handleOf(device).query(getStatus)).facts.lastReadingAt).toBe(daysAgo(1)));
    expect(await signalsReceived(device)).toBe(1);

    const older = await importReadingsCsv(db, csv(readingLine(device, daysAgo(60), 90)), liveOptions());
    expect(older).toMatchObject({ applied: true, inserted: 1, workflows: { signalled: 1 } });
    await eventually(async () => expect(await signalsReceived(device)).toBe(2));
    expect(await handleOf(device).query(getStatus)).toMatchObject({ light: 'green', facts: { lastReadingAt: daysAgo(1) } });
    await handleOf(device).terminate();
  });

  test('a reading for a replaced device does not restart its completed workflow', async () => {
    const device = await meter();
    const successor = await meter();
    await ensureDeviceWorkflow(temporal.client, device.id, { db, taskQueue });
    await reportDeviceReplaced(temporal.client, device.id, { successorId: successor.id, replacedAt: today }, { db, taskQueue });
    expect(await handleOf(device).result()).toMatchObject({ state: 'replaced' });
    const runs = async () => (await temporal.client.workflow.count(`WorkflowId = "${deviceWorkflowId(device.id)}"`)).count;
    await eventually(async () => expect(await runs()).toBe(1));

    // A late file with a reading from before the exchange: stored, but the obligation has ended.
    const late = await importReadingsCsv(db, csv(readingLine(device, daysAgo(2), 50)), liveOptions());
    expect(late).toMatchObject({ applied: true, inserted: 1, workflows: { signalled: 0, ended: 1, unsent: 0 } });

    // Even a row that does not (yet) say so cannot bring it back: Temporal's reuse policy refuses a new run.
    await db.models.Device.update({ successorId: null, removedAt: null }, { where: { id: device.id } });
    const racing = await importReadingsCsv(db, csv(readingLine(device, daysAgo(1), 51)), liveOptions());
    expect(racing).toMatchObject({ applied: true, inserted: 1, workflows: { signalled: 0, ended: 1, unsent: 0 } });

    expect((await handleOf(device).describe()).status.name).toBe('COMPLETED');
    expect(await runs()).toBe(1);
    await handleOf(successor).terminate();
  });

  test('with Temporal unreachable the import still commits; the outbox relay tells the workflow once it answers', async () => {
    const device = await meter({ lastReadingAt: new Date(`${daysAgo(45)}T05:00:00Z`) });
    await ensureDeviceWorkflow(temporal.client, device.id, { db, taskQueue });
    await eventually(async () => expect((await device.reload()).light).toBe('red'));
    const file = csv(readingLine(device, daysAgo(1), 77));
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    try {
      const unreachable = { client: new Client({ connection }), taskQueue, signalDeadlineMs: 1_000 };
      const report = await importReadingsCsv(db, file, { ...liveOptions(), temporal: unreachable });
      expect(report).toMatchObject({ applied: true, inserted: 1, workflows: { signalled: 0, ended: 0, unsent: 1 } });
      expect((await device.reload()).lastReadingAt?.toISOString().slice(0, 10)).toBe(daysAgo(1));
      expect((await handleOf(device).query(getStatus)).light).toBe('red');
    } finally {
      await connection.close();
    }

    // Nobody imports again: the relay (in every worker) delivers what waits once Temporal answers.
    await db.sequelize.query(
      "UPDATE workflow_outbox SET next_attempt_at = now() WHERE kind = 'device-readings' AND task_queue = $1 AND sent_at IS NULL",
      { bind: [taskQueue] },
    );
    expect(await relayOutbox({ db, client: temporal.client, taskQueue })).toEqual({ sent: 1, pending: 0 });
    await eventually(async () => expect(await handleOf(device).query(getStatus)).toMatchObject({ light: 'green' }));
    await eventually(async () => expect((await device.reload()).light).toBe('green'));
    await handleOf(device).terminate();
  });
});
