// The device import (/geraete/import) as a manager meets it: a good file stores every device with
// its calibration year (unknown years flagged in the register) and starts each device's deadline
// workflow through the outbox; a file with one bad row or another organisation's unit stores
// nothing and names line and field. Real sessions, real PostgreSQL, the device workflows on a
// worker of this file.
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '../../tests/support/eventually';
import { createOrgFixture, uniqueSuffix, type OrgFixture } from '../../tests/support/fixtures';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../../tests/support/temporal';
import { cookieFor, createWebFixture, dataOf, makeRequest, run, testDb, TEST_ORIGIN, type WebFixture } from '../../tests/support/web';
import { action } from './geraete.import';
import { loader as registerLoader } from './geraete._index';

const database = testDb();
let f: WebFixture;
let foreign: OrgFixture;
let worker: RunningWorker;
let temporal: TestClient;
let manager: string;

beforeAll(async () => {
  const taskQueue = `web-device-import-${uniqueSuffix()}`;
  process.env.TEMPORAL_TASK_QUEUE = taskQueue;
  worker = await startTestWorker({ taskQueue, db: database, workflowBundle: await bundleWorkflows() });
  temporal = await connectTestClient();
  [f, foreign] = await Promise.all([createWebFixture(database), createOrgFixture(database)]);
  manager = await cookieFor(f.manager);
});

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await database.close();
});

const HEADER = 'Liegenschaft;Wohneinheit;Seriennummer;Gerätetyp;Einbauort;Eingebaut am;Eichjahr';

function upload(csv: string, options: { cookie?: string; origin?: string } = {}) {
  const body = new FormData();
  body.append('file', new File([csv], 'geraete.csv', { type: 'text/csv' }));
  return run(
    action,
    new Request(`${TEST_ORIGIN}/geraete/import`, {
      method: 'POST',
      headers: { Cookie: options.cookie ?? manager, Origin: options.origin ?? TEST_ORIGIN },
      body,
    }),
  );
}

const devicesWithSerials = (serials: string[]) =>
  database.models.Device.findAll({ where: { serial: serials }, order: [['serial', 'ASC']] });

describe('device import', () => {
  test('a good file stores every device with its calibration year, flags unknown years, and starts their workflows', async () => {
    const s = uniqueSuffix().toUpperCase();
    const property = f.property.name;
    const csv = [
      HEADER,
      `${property};${f.unit.label};WZ-IMP-A-${s};Kaltwasserzähler;Bad;15.03.2024;2023`,
      `${property};${f.unit.label};WZ-IMP-B-${s};WZ-W;Küche;01.05.2024;`,
      `${property};${f.unit.label};HKV-IMP-C-${s};Heizkostenverteiler;Wohnzimmer;2024-05-01;`,
      `${property};Gebäude;WMZ-IMP-D-${s};Wärmemengenzähler;Keller;01.10.2022;unbekannt`,
    ].join('\r\n');
    const { report } = dataOf(await upload(csv));
    expect(report).toMatchObject({ applied: true, rows: 4, inserted: 4, calibrationYearUnknown: 2, errors: [], workflowsPending: 0 });

    const stored = (serial: string) => database.models.Device.findOne({ where: { serial }, rejectOnEmpty: true });
    const [a, b, c, d] = await Promise.all([
      stored(`WZ-IMP-A-${s}`),
      stored(`WZ-IMP-B-${s}`),
      stored(`HKV-IMP-C-${s}`),
      stored(`WMZ-IMP-D-${s}`),
    ]);
    expect(a).toMatchObject({
      propertyId: f.property.id,
      unitId: f.unit.id,
      type: 'WZ-K',
      location: 'Bad',
      installedAt: '2024-03-15',
      calibratedYear: 2023,
    });
    expect(b).toMatchObject({ type: 'WZ-W', installedAt: '2024-05-01', calibratedYear: null });
    expect(c).toMatchObject({ type: 'HKV', calibratedYear: null });
    expect(d).toMatchObject({ unitId: null, type: 'WMZ', installedAt: '2022-10-01', calibratedYear: null });

    // Each device's workflow computes its deadline: from the calibration year where it is known,
    // else (unknown year) the installation year as a latest bound.
    await eventually(
      async () => {
        expect((await a.reload()).dueAt).toBe('2029-12-31');
        expect((await b.reload()).dueAt).toBe('2030-12-31');
        expect((await d.reload()).dueAt).toBe('2028-12-31');
        expect((await c.reload()).light).not.toBeNull();
      },
      { timeoutMs: 60_000 },
    );
    const [outboxLeft] = await database.sequelize.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM workflow_outbox WHERE sent_at IS NULL AND workflow_id = ANY($1::text[])',
      { bind: [[a, b, c, d].map((device) => `device-${device.id}`)], type: QueryTypes.SELECT },
    );
    expect(outboxLeft).toEqual({ n: 0 });

    // The register flags the meters whose year is unknown.
    const register = dataOf(
      await run(registerLoader, makeRequest(`/geraete?property=${f.property.id}&eichjahr=unbekannt`, { cookie: manager })),
    );
    const flagged = register.page.rows.map((row) => row.id);
    expect(flagged).toEqual(expect.arrayContaining([b.id, d.id]));
    expect(flagged).not.toContain(a.id);
    expect(flagged).not.toContain(c.id);

    const audit = await database.models.AuditEntry.findOne({ where: { organisationId: f.organisation.id, action: 'devices.imported' } });
    expect(audit?.details).toMatchObject({ fileName: 'geraete.csv', rows: 4 });
  }, 120_000);

  test('one bad row stores nothing and names its line and field; a serial in the register or twice in the file is refused', async () => {
    const s = uniqueSuffix().toUpperCase();
    const property = f.property.name;
    const csv = [
      HEADER,
      `${property};${f.unit.label};WZ-BAD-A-${s};Kaltwasserzähler;Bad;15.03.2024;2023`,
      `${property};${f.unit.label};WZ-BAD-B-${s};Kaltwasserzähler;Bad;15.03.2024;zwanzig`,
      `${property};${f.unit.label};${f.devices.red.serial};Warmwasserzähler;Bad;15.03.2024;2023`,
      `${property};${f.unit.label};wz-bad-a-${s};Kaltwasserzähler;Bad;15.03.2024;2023`,
      `${property};${f.unit.label};HKV-BAD-E-${s};Heizkostenverteiler;Bad;15.03.2024;2023`,
    ].join('\n');
    const { report } = dataOf(await upload(csv));
    expect(report.applied).toBe(false);
    expect(report.inserted).toBe(0);
    expect(report.errors).toEqual([
      { line: 3, field: 'Eichjahr', message: '„zwanzig“ ist keine vierstellige Jahreszahl' },
      { line: 4, field: 'Seriennummer', message: `„${f.devices.red.serial}“ ist bereits vergeben` },
      { line: 5, field: 'Seriennummer', message: 'steht schon in Zeile 2' },
      { line: 6, field: 'Eichjahr', message: 'Heizkostenverteiler haben kein Eichjahr: bitte leer lassen' },
    ]);
    expect(await devicesWithSerials([`WZ-BAD-A-${s}`, `WZ-BAD-B-${s}`, `HKV-BAD-E-${s}`])).toEqual([]);
  });

  test("another organisation's property and unit are refused, and nothing is stored", async () => {
    const s = uniqueSuffix().toUpperCase();
    const csv = [
      HEADER,
      `${f.property.name};${f.unit.label};WZ-OWN-${s};Kaltwasserzähler;Bad;15.03.2024;2023`,
      `${foreign.property.name};${foreign.unit.label};WZ-FOREIGN-${s};Kaltwasserzähler;Bad;15.03.2024;2023`,
      `${f.property.name};Whg. 9.99;WZ-NOUNIT-${s};Kaltwasserzähler;Bad;15.03.2024;2023`,
    ].join('\n');
    const { report } = dataOf(await upload(csv));
    expect(report.applied).toBe(false);
    expect(report.errors).toEqual([
      { line: 3, field: 'Liegenschaft', message: `„${foreign.property.name}“ ist keine Liegenschaft Ihrer Organisation` },
      { line: 4, field: 'Wohneinheit', message: `„Whg. 9.99“ ist keine Wohneinheit von „${f.property.name}“` },
    ]);
    expect(await devicesWithSerials([`WZ-OWN-${s}`, `WZ-FOREIGN-${s}`, `WZ-NOUNIT-${s}`])).toEqual([]);
  });

  test('only managers may import, and only from the portal itself', async () => {
    const csv = `${HEADER}\n${f.property.name};${f.unit.label};WZ-X-${uniqueSuffix()};Kaltwasserzähler;Bad;15.03.2024;2023`;
    expect(await upload(csv, { cookie: await cookieFor(f.technician) })).toMatchObject({ kind: 'response', status: 403 });
    expect(await upload(csv, { origin: 'https://evil.example' })).toMatchObject({ kind: 'response', status: 403 });
  });
});
