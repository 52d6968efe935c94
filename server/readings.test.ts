// The readings import against the test run's PostgreSQL: all or nothing, idempotent, nothing dropped.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createDb, type Device } from '../db/index';
import { applyReadings, importReadingsCsv, type ImportOptions } from './readings';
import { parseReadingRecord } from '../domain/readings-csv';
import { createDeviceFixture, createOrgFixture, type OrgFixture } from '../tests/support/fixtures';

const db = createDb(inject('databaseUrl'));
const now = new Date('2026-11-26T12:00:00Z');
let org: OrgFixture;
let hkv: Device;
let water: Device;
let smokeAlarm: Device;
let foreign: Device;
let options: ImportOptions;

beforeAll(async () => {
  org = await createOrgFixture(db);
  const place = { property: org.property, unit: org.unit };
  hkv = await createDeviceFixture(db, place, { type: 'HKV', serial: `HKV-IMP-${org.property.id}`, installedAt: '2020-01-01' });
  water = await createDeviceFixture(db, place, { type: 'WZ-W', serial: `WZ-IMP-${org.property.id}`, installedAt: '2020-01-01' });
  smokeAlarm = await createDeviceFixture(db, place, { type: 'RWM', serial: `RWM-IMP-${org.property.id}`, installedAt: '2020-01-01' });
  const other = await createOrgFixture(db);
  foreign = await createDeviceFixture(db, { property: other.property, unit: other.unit }, { type: 'WZ-W', installedAt: '2020-01-01' });
  options = { organisationId: org.organisation.id, actor: { id: org.managers[0].id, email: org.managers[0].email }, source: 'import', now };
});

afterAll(() => db.close());

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
    expect(report).toMatchObject({ applied: true, inserted: 0, unchanged: 3, errors: [] });
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
    expect(report).toMatchObject({ applied: true, inserted: 1, skipped: 3, errors: [] });
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
  expect(report).toMatchObject({ applied: true, inserted: 1 });
  expect((await readingsOf(hkv))[0]).toEqual({ at: '2026-09-01T04:00:00.000Z', value: 700, setDateValue: null, source: 'manual' });
});
