// A wmbusmeters file uploaded on the readings page, against the test run's PostgreSQL: judged as the
// gateway endpoint judges a batch, the valid lines stored, every other line reported with its line
// number in the file and a German reason, the same file again storing nothing twice, audited.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createDb } from '../db/index';
import { createDeviceFixture, createOrgFixture, uniqueSuffix } from '../tests/support/fixtures';
import { connectTestClient, type TestClient } from '../tests/support/temporal';
import { importWmbusText, telegramLines } from './readings-wmbus-upload';
import { NOT_JSON } from './gateway-ingest';

const db = createDb(inject('databaseUrl'));
// No worker polls this queue: the test is about what is stored and reported, not the lights.
const taskQueue = `wmbus-upload-${uniqueSuffix()}`;
let temporal: TestClient;

beforeAll(async () => {
  temporal = await connectTestClient();
});

afterAll(async () => {
  await temporal?.close();
  await db.close();
});

describe('telegramLines', () => {
  test('numbers the lines of the file as an editor does, blank lines skipped but counted', () => {
    expect(telegramLines('\uFEFF{"id":"1"}\r\n\r\n  \nnot json\n{"id":"2"}\n')).toEqual([
      { line: 1, telegram: { id: '1' } },
      { line: 4, telegram: NOT_JSON },
      { line: 5, telegram: { id: '2' } },
    ]);
  });
});

describe('a wmbusmeters file on the readings page', () => {
  test('valid lines are stored together; refused and skipped lines are listed by line; again, nothing changes', async () => {
    const org = await createOrgFixture(db);
    const other = await createOrgFixture(db);
    const place = { property: org.property, unit: org.unit };
    const hkv = await createDeviceFixture(db, place, {
      type: 'HKV',
      serial: `H${uniqueSuffix()}`,
      installedAt: '2020-01-01',
      calibratedYear: null,
    });
    const water = await createDeviceFixture(db, place, { type: 'WZ-K', serial: `W${uniqueSuffix()}`, installedAt: '2020-01-01' });
    const foreign = await createDeviceFixture(
      db,
      { property: other.property, unit: other.unit },
      { type: 'WZ-K', serial: `F${uniqueSuffix()}` },
    );
    const at = '2026-01-15T06:00:00Z';
    const file = [
      JSON.stringify({ media: 'heat cost allocation', id: hkv.serial, current_consumption_hca: 412, timestamp: at }),
      '',
      '{"media": "water", "id": ',
      JSON.stringify({ media: 'cold water', id: 'NOPE-1', total_m3: 1, timestamp: at }),
      JSON.stringify({ media: 'gas', id: '123', total_m3: 1 }),
      JSON.stringify({ media: 'cold water', id: hkv.serial, total_m3: 1, timestamp: at }),
      JSON.stringify({ media: 'cold water', id: water.serial, total_m3: 12.345, timestamp: at }),
      JSON.stringify({ media: 'cold water', id: foreign.serial, total_m3: 3, timestamp: at }),
    ].join('\n');
    const options = {
      organisationId: org.organisation.id,
      actor: { id: org.managers[0]!.id, email: org.managers[0]!.email },
      ip: null,
      fileName: 'gateway.log',
      temporal: { client: temporal.client, taskQueue },
    };

    const report = await importWmbusText(db, file, options);
    expect(report).toMatchObject({ rows: 7, inserted: 2, unchanged: 0, unknownSerialCount: 2 });
    expect(report.errors).toEqual([
      { line: 3, field: 'Zeile', message: 'keine JSON-Zeile (wmbusmeters mit format=json)' },
      { line: 4, field: 'Zählernummer (id)', message: 'unbekannte Zählernummer „NOPE-1“' },
      { line: 6, field: 'Medium (media)', message: `Gerät ${hkv.serial} ist ein HKV, das Telegramm ein WZ-K` },
      // Another organisation's meter is unknown here: its serial is not even confirmed to exist.
      { line: 8, field: 'Zählernummer (id)', message: `unbekannte Zählernummer „${foreign.serial}“` },
    ]);
    expect(report.skipped).toEqual([{ line: 5, field: 'Zeile', message: 'Medium wird nicht abgerechnet: gas' }]);
    expect(report.unknownSerials).toEqual([
      { serial: 'NOPE-1', lines: [4], lineCount: 1 },
      { serial: foreign.serial, lines: [8], lineCount: 1 },
    ]);

    const stored = await db.models.Reading.findAll({ where: { deviceId: [hkv.id, water.id, foreign.id] }, order: [['deviceId', 'ASC']] });
    expect(stored.map((r) => [r.deviceId, Number(r.value), r.readAt.toISOString()])).toEqual([
      [hkv.id, 412, '2026-01-15T06:00:00.000Z'],
      [water.id, 12.345, '2026-01-15T06:00:00.000Z'],
    ]);

    const again = await importWmbusText(db, file, options);
    expect(again).toMatchObject({ rows: 7, inserted: 0, unchanged: 2 });
    expect(again.errors.map((e) => e.line)).toEqual([3, 4, 6, 8]);

    const audit = await db.models.AuditEntry.findAll({
      where: { organisationId: org.organisation.id, action: 'readings.imported' },
      order: [['id', 'ASC']],
    });
    expect(audit.map((a) => a.details)).toEqual([
      expect.objectContaining({
        format: 'wmbusmeters',
        fileName: 'gateway.log',
        rows: 7,
        inserted: 2,
        unchanged: 0,
        skipped: 1,
        refused: 4,
      }),
      expect.objectContaining({ format: 'wmbusmeters', rows: 7, inserted: 0, unchanged: 2 }),
    ]);
  });
});
