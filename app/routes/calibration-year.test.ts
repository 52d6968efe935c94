// MessEV §34(2) in the register: the calibration validity counts from the year of calibration or
// first marking. A meter whose year is unknown is flagged (list, CSV, device page) instead of being
// silently dated from its installation, and entering the year moves its deadline through the device
// workflow. Real sessions, real PostgreSQL, the device workflows on a worker of this file.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureDeviceWorkflow } from '../../server/device-obligation';
import { eventually } from '../../tests/support/eventually';
import { createDeviceFixture, uniqueSuffix } from '../../tests/support/fixtures';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../../tests/support/temporal';
import { cookieFor, createWebFixture, dataOf, makeRequest, run, testDb, type WebFixture } from '../../tests/support/web';
import { action, loader as deviceLoader } from './geraete.$id';
import { loader as registerLoader } from './geraete._index';
import { loader as csvLoader } from './geraete[.]csv';

const database = testDb();
let f: WebFixture;
let worker: RunningWorker;
let temporal: TestClient;
let taskQueue: string;
let technician: string;

beforeAll(async () => {
  taskQueue = `web-calibration-year-${uniqueSuffix()}`;
  process.env.TEMPORAL_TASK_QUEUE = taskQueue;
  worker = await startTestWorker({ taskQueue, db: database, workflowBundle: await bundleWorkflows() });
  temporal = await connectTestClient();
  f = await createWebFixture(database);
  technician = await cookieFor(f.technician);
});

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await database.close();
});

const post = (deviceId: number, form: Record<string, string>) =>
  run(action, makeRequest(`/geraete/${deviceId}`, { cookie: technician, form }), { id: String(deviceId) });
const devicePage = async (deviceId: number) =>
  dataOf(await run(deviceLoader, makeRequest(`/geraete/${deviceId}`, { cookie: technician }), { id: String(deviceId) }));

describe('a meter without a known calibration year', () => {
  test('is flagged in the register and its CSV, asks for the year, and the year moves the deadline', async () => {
    const serial = `WZ-OHNE-${uniqueSuffix()}`;
    const meter = await createDeviceFixture(
      database,
      { property: f.property, unit: f.unit },
      { type: 'WZ-W', serial, installedAt: '2022-04-05', calibratedYear: null },
    );
    await ensureDeviceWorkflow(temporal.client, meter.id, { taskQueue, db: database });
    // Until the year is known the workflow can only assume the installation year: a latest bound.
    await eventually(async () => expect((await meter.reload()).dueAt).toBe('2028-12-31'));

    const manager = await cookieFor(f.manager);
    const register = dataOf(await run(registerLoader, makeRequest(`/geraete?property=${f.property.id}&type=WZ-W`, { cookie: manager })));
    expect(register.page.calibrationYearUnknown).toBeGreaterThanOrEqual(1);
    expect(register.page.rows.find((row) => row.id === meter.id)).toMatchObject({ calibratedYear: null });
    // The register lists just those meters when asked.
    const unknownOnly = dataOf(
      await run(registerLoader, makeRequest(`/geraete?property=${f.property.id}&eichjahr=unbekannt`, { cookie: manager })),
    );
    expect(unknownOnly.filters.calibrationYearUnknown).toBe(true);
    expect(unknownOnly.page.rows.length).toBeGreaterThanOrEqual(1);
    expect(unknownOnly.page.rows.every((row) => row.calibratedYear === null && row.type !== 'HKV' && row.type !== 'RWM')).toBe(true);
    expect(unknownOnly.page.total).toBe(unknownOnly.page.calibrationYearUnknown);
    const csv = await run(csvLoader, makeRequest(`/geraete.csv?property=${f.property.id}&type=WZ-W`, { cookie: manager }));
    if (csv.kind !== 'response') throw new Error('expected a response');
    const line = (await csv.response.text()).split('\r\n').find((l) => l.startsWith(serial))!;
    expect(line).toContain(';05.04.2022;unbekannt;Eichfrist;31.12.2028;');

    expect((await devicePage(meter.id)).work).toEqual(['replace', 'calibration-year', 'recalibrate']);
    // A meter is calibrated before it is used: not after the year of its installation.
    const late = dataOf(await post(meter.id, { intent: 'calibration-year', calibratedYear: '2023' }));
    expect(!late.ok && late.fieldErrors.calibratedYear).toBe('Eichjahr: Bitte ein Jahr zwischen 2014 und 2022 angeben.');
    expect(dataOf(await post(meter.id, { intent: 'calibration-year', calibratedYear: '2020' }))).toMatchObject({
      ok: true,
      message: 'Eichjahr 2020 erfasst; die Eichfrist ist neu berechnet.',
    });
    expect((await meter.reload()).calibratedYear).toBe(2020);
    // Marked 2020, installed 2022: valid until 31.12.2026, two years earlier than assumed.
    await eventually(async () => expect((await meter.reload()).dueAt).toBe('2026-12-31'));
    expect(
      await database.models.AuditEntry.count({ where: { action: 'device.calibration_year_recorded', entityId: String(meter.id) } }),
    ).toBe(1);
    expect((await devicePage(meter.id)).work).toEqual(['replace', 'recalibrate']);
  });

  test('a meter with a known year is not asked for it again', async () => {
    const meter = await createDeviceFixture(database, { property: f.property, unit: f.unit }, { type: 'WZ-K', calibratedYear: 2024 });
    const refused = await post(meter.id, { intent: 'calibration-year', calibratedYear: '2020' });
    expect(refused.kind === 'response' && refused.status).toBe(400);
    expect((await meter.reload()).calibratedYear).toBe(2024);
  });
});
