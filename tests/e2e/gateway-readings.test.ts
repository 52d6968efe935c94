// End to end on the real Temporal dev server and PostgreSQL: a gateway token pushes wmbusmeters
// telegrams (crafted as shared/READINGS.md describes) for a flat's allocator and hot-water meter,
// and without anyone touching a file the readings are stored, the device workflows know the last
// reading, the flat's monthly information is computed from them, and the statement's billing-day
// values are the set-date values the devices sent after the billing day. Every date is fixed in
// the past (a billing year and a month of it), so nothing depends on today; effects of workflows
// are awaited with eventually().
import { afterAll, beforeAll, expect, test } from 'vitest';
import { previewStatement } from '../../db/statements';
import { exampleStatementRequest } from '../../domain/billing/example-request';
import { getStatus } from '../../workflows/shared/device';
import { deviceWorkflowId } from '../../domain/contracts/device';
import { createApiToken } from '../../server/api-tokens';
import { handleApiRequest } from '../../server/api';
import { createMailer } from '../../server/mail';
import { createMonthlyObligation } from '../../server/monthly-obligation';
import { eventually } from '../support/eventually';
import { createDeviceFixture, createOrgFixture, createUserFixture, uniqueSuffix } from '../support/fixtures';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../support/temporal';
import { closeWebResources, testDb } from '../support/web';

const db = testDb();
const taskQueue = `gateway-e2e-${uniqueSuffix()}`;
let temporal: TestClient;
let worker: RunningWorker;

beforeAll(async () => {
  temporal = await connectTestClient();
  worker = await startTestWorker({ taskQueue, db, workflowBundle: await bundleWorkflows() });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await closeWebResources();
});

/** One telegram per line of the gateway's day: the allocator and the hot-water meter at `timestamp`. */
function telegrams(hkvSerial: string, waterSerial: string, timestamp: string, hca: number, m3: number, setDate?: [string, number, number]) {
  return [
    {
      media: 'heat cost allocation',
      meter: 'qcaloric',
      id: hkvSerial,
      current_consumption_hca: hca,
      ...(setDate && { set_date: setDate[0], consumption_at_set_date_hca: setDate[1] }),
      status: 'OK',
      timestamp,
    },
    {
      media: 'warm water',
      meter: 'mkradio3',
      id: waterSerial,
      total_m3: m3,
      ...(setDate && { target_date: setDate[0], target_m3: setDate[2] }),
      status: 'OK',
      timestamp,
    },
  ];
}

test('telegrams pushed by a gateway become readings, device state, monthly information and billing-day values', async () => {
  const org = await createOrgFixture(db);
  const tenant = await createUserFixture(db, org.organisation.id, 'tenant');
  await db.models.Tenancy.create({ unitId: org.unit.id, userId: tenant.id, tenantName: tenant.name, startsOn: '2020-01-01' });
  await db.models.MonthlyPropertySetting.create({
    propertyId: org.property.id,
    hkvKwhPerUnit: 5,
    hotWaterTempC: 60,
    districtHeating: false,
    updatedBy: null,
  });
  const place = { property: org.property, unit: org.unit };
  const suffix = uniqueSuffix();
  const hkv = await createDeviceFixture(db, place, {
    type: 'HKV',
    serial: `E2E-H-${suffix}`,
    installedAt: '2020-01-01',
    calibratedYear: null,
  });
  const water = await createDeviceFixture(db, place, { type: 'WZ-W', serial: `E2E-W-${suffix}`, installedAt: '2020-01-01' });
  const { token } = await createApiToken(org.managers[0], { name: 'Gateway Keller', scopes: ['readings:write'] }, { db });

  // The gateway's pushes over the billing year 2025: the start of the year, the start and end of
  // October (06:00 in Germany), and in January a telegram carrying the values stored at the set date.
  const pushes = [
    telegrams(hkv.serial, water.serial, '2025-01-01T05:00:00Z', 100, 10),
    telegrams(hkv.serial, water.serial, '2025-10-01T04:00:00Z', 400, 20),
    telegrams(hkv.serial, water.serial, '2025-11-01T05:00:00Z', 460, 22.5),
    telegrams(hkv.serial, water.serial, '2026-01-05T07:30:00Z', 12, 31.25, ['2025-12-31', 700, 31]),
  ];
  for (const batch of pushes) {
    const response = await handleApiRequest(
      new Request('http://portal.test/api/v1/readings/wmbusmeters', {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(batch),
      }),
      { db, temporal: { client: temporal.client, taskQueue } },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ received: 2, accepted: 2, errors: [], skipped: [] });
  }

  // The readings, as stored.
  const stored = await db.models.Reading.findAll({ where: { deviceId: hkv.id }, order: [['readAt', 'ASC']] });
  expect(
    stored.map((r) => [r.readAt.toISOString(), Number(r.value), r.setDateValue === null ? null : Number(r.setDateValue), r.source]),
  ).toEqual([
    ['2025-01-01T05:00:00.000Z', 100, null, 'radio'],
    ['2025-10-01T04:00:00.000Z', 400, null, 'radio'],
    ['2025-11-01T05:00:00.000Z', 460, null, 'radio'],
    ['2026-01-05T07:30:00.000Z', 12, 700, 'radio'],
  ]);

  // The device workflows were told: their facts carry the day of the last reading.
  for (const device of [hkv, water])
    await eventually(
      async () => {
        const status = await temporal.client.workflow.getHandle(deviceWorkflowId(device.id)).query(getStatus);
        expect(status.facts.lastReadingAt).toBe('2026-01-05');
      },
      { timeoutMs: 30_000 },
    );

  // The monthly information of October 2025 for the flat, published as the monthly run does.
  const monthly = createMonthlyObligation({ db, mailer: createMailer({ db, from: 'test@klarmeter.local' }) });
  const { runId, properties } = await monthly.startMonthlyRun({
    workflowId: `monthly-e2e-${suffix}`,
    month: '2025-10',
    organisationIds: [org.organisation.id],
  });
  for (const { propertyId } of properties) await monthly.processMonthlyBatch({ runId, month: '2025-10', propertyId });
  const information = await db.models.MonthlyInformation.findOne({ where: { unitId: org.unit.id, month: '2025-10-01' } });
  expect(information?.delivery).toBe('portal');
  // 60 allocator units × 5 kWh, 2.5 m³ hot water.
  expect(information?.content).toMatchObject({ month: '2025-10', heatingUnits: 60, heatingKwh: 300, hotWaterM3: 2.5, estimated: false });

  // The 2025 statement: the start from the New Year's reading, the end from the set-date values.
  const statement = await previewStatement(db, exampleStatementRequest(org.property.id));
  const unit = statement?.units.find((u) => u.unitId === org.unit.id);
  const byDevice = new Map(unit?.readings.map((r) => [r.deviceId, r]));
  expect(byDevice.get(hkv.id)).toMatchObject({
    start: { value: 100, readOn: '2025-01-01', how: 'reading' },
    end: { value: 700, readOn: '2026-01-05', how: 'set-date' },
    consumption: 600,
  });
  expect(byDevice.get(water.id)).toMatchObject({
    start: { value: 10, how: 'reading' },
    end: { value: 31, how: 'set-date' },
    consumption: 21,
  });
}, 180_000);
