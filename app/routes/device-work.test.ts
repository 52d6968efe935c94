// Device work on the device page as the browser posts it: real sessions, real PostgreSQL, the
// device workflows running on a worker of this file. Who may record work, what each kind writes,
// and that the workflows follow (the old one ends, the successor's starts, deadlines move).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { User } from '../../db';
import { calendarDate } from '../../domain/calendar';
import { ensureDeviceWorkflow } from '../../server/device-obligation';
import { eventually } from '../../tests/support/eventually';
import { createDeviceFixture, uniqueSuffix } from '../../tests/support/fixtures';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../../tests/support/temporal';
import { cookieFor, createLoginUser, createWebFixture, dataOf, makeRequest, run, testDb, type WebFixture } from '../../tests/support/web';
import { action, loader } from './geraete.$id';

const database = testDb();
const today = calendarDate(new Date());
const thisYear = Number(today.slice(0, 4));
let f: WebFixture;
let worker: RunningWorker;
let temporal: TestClient;
let taskQueue: string;
let compliance: User;
const cookies = {} as Record<'manager' | 'technician' | 'tenant' | 'owner' | 'compliance', string>;

beforeAll(async () => {
  // The app reads TEMPORAL_TASK_QUEUE when it starts or signals; this file's worker serves its own queue.
  taskQueue = `web-device-work-${uniqueSuffix()}`;
  process.env.TEMPORAL_TASK_QUEUE = taskQueue;
  worker = await startTestWorker({ taskQueue, db: database, workflowBundle: await bundleWorkflows() });
  temporal = await connectTestClient();
  f = await createWebFixture(database);
  compliance = await createLoginUser(database, f.organisation.id, 'compliance');
  for (const [name, user] of Object.entries({
    manager: f.manager,
    technician: f.technician,
    tenant: f.tenant,
    owner: f.owner,
    compliance,
  })) {
    cookies[name as keyof typeof cookies] = await cookieFor(user);
  }
});

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await database.close();
});

function post(cookie: string, deviceId: number, form: Record<string, string>) {
  return run(action, makeRequest(`/geraete/${deviceId}`, { cookie, form }), { id: String(deviceId) });
}

async function workflowStatus(deviceId: number): Promise<string> {
  return (await temporal.client.workflow.getHandle(`device-${deviceId}`).describe()).status.name;
}

describe('device work', () => {
  test('the technician replaces a device: successor row, links, audit; the old workflow ends, the successor’s runs', async () => {
    const old = f.devices.red;
    await ensureDeviceWorkflow(temporal.client, old.id, { taskQueue, db: database });
    const serial = `WZ-NEU-${uniqueSuffix()}`;

    const result = dataOf(
      await post(cookies.technician, old.id, { intent: 'replace', serial, installedAt: today, calibratedYear: String(thisYear) }),
    );
    expect(result).toMatchObject({ ok: true, intent: 'replace' });
    const successorId = result.ok ? result.successorId! : -1;

    const successor = await database.models.Device.findByPk(successorId, { rejectOnEmpty: true });
    expect(successor).toMatchObject({
      serial,
      predecessorId: old.id,
      propertyId: old.propertyId,
      unitId: old.unitId,
      type: old.type,
      location: old.location,
      installedAt: today,
      calibratedYear: thisYear,
    });
    await old.reload();
    expect({ successorId: old.successorId, removedAt: old.removedAt }).toEqual({ successorId, removedAt: today });
    const audit = await database.models.AuditEntry.findOne({ where: { action: 'device.replaced', entityId: String(old.id) } });
    expect(audit?.details).toMatchObject({ successorId, serial, replacedAt: today });

    await eventually(
      async () => {
        expect(await workflowStatus(old.id)).toBe('COMPLETED');
        expect(await workflowStatus(successorId)).toBe('RUNNING');
      },
      { timeoutMs: 20_000 },
    );

    const page = dataOf(await run(loader, makeRequest(`/geraete/${old.id}`, { cookie: cookies.technician }), { id: String(old.id) }));
    expect(page.history.map((step) => [step.id, step.position])).toEqual([
      [old.id, 0],
      [successorId, 1],
    ]);
    expect(page.work).toEqual([]);
  });

  test('a serial already in use is refused on its field, and nothing is written', async () => {
    const device = f.devices.green;
    const before = await database.models.Device.count({ where: { propertyId: f.property.id } });
    const result = dataOf(
      await post(cookies.manager, device.id, { intent: 'replace', serial: f.neighbourDevice.serial, installedAt: today }),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.fieldErrors).toEqual({ serial: 'Seriennummer: Diese Seriennummer ist bereits vergeben.' });
    expect(await database.models.Device.count({ where: { propertyId: f.property.id } })).toBe(before);
    await device.reload();
    expect({ successorId: device.successorId, removedAt: device.removedAt }).toEqual({ successorId: null, removedAt: null });

    const future = dataOf(await post(cookies.manager, device.id, { intent: 'replace', serial: '', installedAt: '2999-01-01' }));
    expect(!future.ok && Object.keys(future.fieldErrors).sort()).toEqual(['installedAt', 'serial']);
  });

  test('tenants, owners and compliance get no forms and 403; a technician elsewhere gets 404', async () => {
    const device = f.devices.green;
    for (const role of ['tenant', 'owner', 'compliance'] as const) {
      const page = dataOf(await run(loader, makeRequest(`/geraete/${device.id}`, { cookie: cookies[role] }), { id: String(device.id) }));
      expect(page.work, role).toEqual([]);
      const outcome = await post(cookies[role], device.id, { intent: 'battery' });
      expect(outcome.kind === 'response' && outcome.status, role).toBe(403);
    }
    const foreign = await post(cookies.technician, f.foreignDevice.id, { intent: 'recalibrate', calibratedYear: String(thisYear) });
    expect(foreign.kind === 'response' && foreign.status).toBe(404);
    const crossSite = await run(
      action,
      makeRequest(`/geraete/${device.id}`, { cookie: cookies.manager, form: { intent: 'battery' }, origin: 'https://evil.example' }),
      { id: String(device.id) },
    );
    expect(crossSite.kind === 'response' && crossSite.status).toBe(403);
  });

  test('recalibration moves the deadline; a new battery is recorded', async () => {
    const meter = await createDeviceFixture(
      database,
      { property: f.property, unit: f.unit },
      { type: 'WZ-K', installedAt: `${thisYear - 5}-03-01`, calibratedYear: thisYear - 5 },
    );
    await ensureDeviceWorkflow(temporal.client, meter.id, { taskQueue, db: database });
    await eventually(async () => expect((await meter.reload()).dueAt).toBe(`${thisYear + 1}-12-31`));

    const tooOld = dataOf(await post(cookies.technician, meter.id, { intent: 'recalibrate', calibratedYear: String(thisYear - 6) }));
    expect(!tooOld.ok && tooOld.fieldErrors.calibratedYear).toMatch(/^Eichjahr: /);
    expect(dataOf(await post(cookies.technician, meter.id, { intent: 'recalibrate', calibratedYear: String(thisYear) }))).toMatchObject({
      ok: true,
    });
    expect((await meter.reload()).calibratedYear).toBe(thisYear);
    await eventually(async () => expect((await meter.reload()).dueAt).toBe(`${thisYear + 6}-12-31`));

    const allocator = f.devices.yellow;
    expect(dataOf(await post(cookies.technician, allocator.id, { intent: 'battery' }))).toMatchObject({ ok: true });
    expect((await allocator.reload()).batteryPercent).toBe(100);
    const refused = await post(cookies.technician, allocator.id, { intent: 'recalibrate', calibratedYear: String(thisYear) });
    expect(refused.kind === 'response' && refused.status).toBe(400);
  });
});
