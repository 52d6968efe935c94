// Radio gateways pushing telegrams through POST /api/v1/readings/wmbusmeters, against the test
// run's PostgreSQL and Temporal dev server: tokens created and revoked by managers, telegrams stored
// idempotently, refused ones reported by index, device workflows told after the commit, the whole
// wmbusmeters corpus ingested.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createDb, type Device } from '../../db/index';
import { parseWmbusLines, isSkipped, type WmbusReading } from '../../domain/readings-wmbus';
import type { DeviceType } from '../../domain/deadlines';
import { ApiTokenForbiddenError, ApiTokenInputError, createApiToken, listApiTokens, revokeApiToken } from '../api-tokens';
import { eventually } from '../../tests/support/eventually';
import { createDeviceFixture, createOrgFixture, createUserFixture, uniqueSuffix, type OrgFixture } from '../../tests/support/fixtures';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../../tests/support/temporal';
import type { IngestReport } from '../gateway-ingest';
import { handleApiRequest } from './v1';

const db = createDb(inject('databaseUrl'));
const taskQueue = `gateway-${uniqueSuffix()}`;
const corpusText = readFileSync(path.join(import.meta.dirname, '../../tests/fixtures/wmbusmeters/corpus.jsonl'), 'utf8');
let temporal: TestClient;
let worker: RunningWorker;
let org: OrgFixture;
let token: string;

beforeAll(async () => {
  temporal = await connectTestClient();
  worker = await startTestWorker({ taskQueue, db, workflowBundle: await bundleWorkflows() });
  org = await createOrgFixture(db);
  ({ token } = await createApiToken(org.managers[0]!, { name: 'Gateway Keller', scopes: ['readings:write'] }, { db }));
});

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await db.close();
});

const deps = () => ({ db, temporal: { client: temporal.client, taskQueue } });

function post(body: string, bearer: string | null = token, contentType = 'application/json') {
  const headers: Record<string, string> = { 'Content-Type': contentType };
  if (bearer !== null) headers.Authorization = `Bearer ${bearer}`;
  return handleApiRequest(new Request('http://portal.test/api/v1/readings/wmbusmeters', { method: 'POST', headers, body }), deps());
}

async function ingest(telegrams: unknown): Promise<IngestReport> {
  const response = await post(JSON.stringify(telegrams));
  expect(response.status).toBe(200);
  return (await response.json()) as IngestReport;
}

async function readingsOf(device: Device) {
  const rows = await db.models.Reading.findAll({ where: { deviceId: device.id }, order: [['readAt', 'ASC']] });
  return rows.map((r) => ({ at: r.readAt.toISOString(), value: r.value, unit: r.unit, setDateValue: r.setDateValue, source: r.source }));
}

describe('gateway tokens', () => {
  test('a manager creates one, only its hash is stored, and a revoked one is refused at once', async () => {
    const manager = org.managers[0]!;
    const created = await createApiToken(manager, { name: '  Gateway Dach ', scopes: ['readings:write'] }, { db });
    expect(created.token).toMatch(/^km_[A-Za-z0-9_-]{43}$/);
    const [stored] = await db.sequelize.query<{ secret_hash: string; name: string }>(
      'SELECT secret_hash, name FROM api_tokens WHERE id = $1',
      {
        bind: [created.id],
        type: QueryTypes.SELECT,
      },
    );
    expect(stored?.name).toBe('Gateway Dach');
    expect(JSON.stringify(stored)).not.toContain(created.token.slice(3));
    expect((await post('[]', created.token)).status).toBe(200);

    expect(await revokeApiToken(manager, created.id, { db })).toBe(true);
    expect(await revokeApiToken(manager, created.id, { db })).toBe(false);
    const refused = await post('[]', created.token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('Content-Type')).toBe('application/problem+json');
    expect(await refused.json()).toMatchObject({ status: 401, errors: [{ field: 'header.authorization' }] });
    const listed = await listApiTokens(manager, { db });
    expect(listed.find((t) => t.id === created.id)).toMatchObject({ name: 'Gateway Dach', revokedAt: expect.any(Date) });
    expect(JSON.stringify(listed)).not.toContain(created.token);
    const audit = await db.models.AuditEntry.findAll({
      where: { entity: 'api-token', entityId: String(created.id) },
      order: [['id', 'ASC']],
    });
    expect(audit.map((a) => a.action)).toEqual(['api-token.created', 'api-token.revoked']);
  });

  test('only managers manage tokens, of their own organisation, with a name and known scopes', async () => {
    const compliance = await createUserFixture(db, org.organisation.id, 'compliance');
    await expect(createApiToken(compliance, { name: 'x', scopes: ['read'] }, { db })).rejects.toBeInstanceOf(ApiTokenForbiddenError);
    await expect(createApiToken(org.managers[0]!, { name: ' ', scopes: ['read'] }, { db })).rejects.toMatchObject({ field: 'name' });
    await expect(createApiToken(org.managers[0]!, { name: 'x', scopes: ['admin'] }, { db })).rejects.toBeInstanceOf(ApiTokenInputError);
    await expect(createApiToken(org.managers[0]!, { name: 'x', scopes: [] }, { db })).rejects.toMatchObject({ field: 'scopes' });
    const other = await createOrgFixture(db);
    const foreign = await createApiToken(other.managers[0]!, { name: 'fremd', scopes: ['read'] }, { db });
    expect(await revokeApiToken(org.managers[0]!, foreign.id, { db })).toBe(false);
  });

  test('no token, a malformed one, or one without the scope: 401 / 403 as problem+json', async () => {
    expect((await post('[]', null)).status).toBe(401);
    expect((await post('[]', 'km_short')).status).toBe(401);
    const { token: readOnly } = await createApiToken(org.managers[0]!, { name: 'ERP', scopes: ['read'] }, { db });
    const forbidden = await post('[]', readOnly);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ status: 403, detail: expect.stringContaining('readings:write') });
  });
});

describe('telegrams', () => {
  const at = (iso: string) => iso;

  test('a batch is stored telegram by telegram; refused ones are reported by index; sent again, nothing changes', async () => {
    const place = { property: org.property, unit: org.unit };
    const hkv = await createDeviceFixture(db, place, {
      type: 'HKV',
      serial: `7${uniqueSuffix()}`.slice(0, 8),
      installedAt: '2020-01-01',
      calibratedYear: null,
    });
    const water = await createDeviceFixture(db, place, { type: 'WZ-W', serial: `W${uniqueSuffix()}`, installedAt: '2020-01-01' });
    const batch = [
      {
        media: 'heat cost allocation',
        id: hkv.serial,
        current_consumption_hca: 412,
        set_date: '2025-12-31',
        consumption_at_set_date_hca: 390,
        timestamp: at('2026-01-15T06:00:00Z'),
      },
      { media: 'water', id: water.serial, total_m3: 12.3456, status: 'OK', timestamp: at('2026-01-15T06:00:00Z') },
      { media: 'gas', id: '123', total_m3: 1 },
      { media: 'warm water', id: 'NOPE-1', total_m3: 1, timestamp: at('2026-01-15T06:00:00Z') },
      42,
      { media: 'cold water', id: hkv.serial, total_m3: 1, timestamp: at('2026-01-15T06:00:00Z') },
      { media: 'water', id: water.serial, total_m3: 1, timestamp: at('2019-06-01T06:00:00Z') },
    ];
    const report = await ingest(batch);
    expect(report).toMatchObject({ received: 7, accepted: 2, duplicates: 0, workflows: { signalled: 2, ended: 0, unsent: 0 } });
    expect(report.skipped).toEqual([{ index: 2, reason: 'unsupported medium: gas' }]);
    expect(report.errors).toEqual([
      { index: 3, serial: 'NOPE-1', field: 'id', reason: 'unknown serial NOPE-1' },
      { index: 4, reason: 'not a JSON object' },
      { index: 5, serial: hkv.serial, field: 'media', reason: `device ${hkv.serial} is a HKV, the telegram a WZ-K` },
      { index: 6, serial: water.serial, field: 'timestamp', reason: 'before the device was installed (2020-01-01)' },
    ]);
    expect(await readingsOf(hkv)).toEqual([
      { at: '2026-01-15T06:00:00.000Z', value: 412, unit: 'Einheiten', setDateValue: 390, source: 'radio' },
    ]);
    expect(await readingsOf(water)).toEqual([
      { at: '2026-01-15T06:00:00.000Z', value: 12.346, unit: 'm³', setDateValue: null, source: 'radio' },
    ]);
    expect(await db.models.Device.findByPk(water.id)).toMatchObject({ reportedStatus: 'ok', lastReadingValue: 12.346 });

    const again = await ingest(batch.slice(0, 2));
    // Nothing new for the workflows either: a device is told when its reading day or status moves.
    expect(again).toMatchObject({ received: 2, accepted: 0, duplicates: 2, errors: [], workflows: { signalled: 0 } });
    const conflicting = await ingest([{ ...(batch[1] as object), total_m3: 13 }]);
    expect(conflicting.errors).toEqual([
      {
        index: 0,
        serial: water.serial,
        field: 'value',
        reason: `another value is stored for ${water.serial} at 2026-01-15T06:00:00.000Z (12.346)`,
      },
    ]);
    expect(await readingsOf(water)).toHaveLength(1);
  });

  test('JSON lines as wmbusmeters prints them; a line that is not JSON is refused at its index', async () => {
    const water = await createDeviceFixture(
      db,
      { property: org.property, unit: org.unit },
      { type: 'WZ-K', serial: `K${uniqueSuffix()}`, installedAt: '2020-01-01' },
    );
    const lines = [
      JSON.stringify({ media: 'cold water', id: water.serial, total_m3: 5, timestamp: '2026-02-01T06:00:00Z' }),
      '',
      '{"media": "cold water", broken',
      JSON.stringify({ media: 'cold water', id: water.serial, total_m3: 6, timestamp: '2026-03-01T06:00:00Z' }),
    ].join('\n');
    const response = await post(lines, token, 'application/x-ndjson');
    const report = (await response.json()) as IngestReport;
    expect(report).toMatchObject({ received: 3, accepted: 2, errors: [{ index: 1, reason: 'not JSON' }] });
    expect((await readingsOf(water)).map((r) => r.value)).toEqual([5, 6]);

    const empty = await post('  ', token);
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ errors: [{ field: 'body' }] });
  });

  test('a smoke alarm reporting a fault: its status reaches the device workflow, which opens a ticket and turns yellow', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const alarm = await createDeviceFixture(
      db,
      { property: org.property, unit: org.unit },
      { type: 'RWM', serial: `R${uniqueSuffix()}`, installedAt: today, calibratedYear: null, lastInspectionAt: today },
    );
    const report = await ingest([
      { media: 'smoke detector', id: alarm.serial, status: 'ERROR_FLAGS_800', timestamp: new Date().toISOString() },
    ]);
    expect(report).toMatchObject({ accepted: 1, errors: [], workflows: { signalled: 1 } });
    expect(await db.models.Device.findByPk(alarm.id)).toMatchObject({ reportedStatus: 'ERROR_FLAGS_800' });
    await eventually(async () => expect((await db.models.Device.findByPk(alarm.id))?.light).toBe('yellow'), { timeoutMs: 20_000 });
    const tickets = await eventually(
      async () => {
        const rows = await db.models.Ticket.findAll({ where: { propertyId: org.property.id, category: 'device_report' } });
        expect(rows.filter((t) => t.subject.includes(alarm.serial))).toHaveLength(1);
        return rows;
      },
      { timeoutMs: 20_000 },
    );
    expect(tickets.find((t) => t.subject.includes(alarm.serial))?.body).toContain('ERROR_FLAGS_800');
  });
});

describe('the wmbusmeters corpus', () => {
  /** The register's type for a telegram's kind ("water" → cold water: the register decides). */
  const TYPE_FOR_KIND: Record<WmbusReading['kind'], DeviceType> = {
    HKV: 'HKV',
    'WZ-W': 'WZ-W',
    'WZ-K': 'WZ-K',
    WZ: 'WZ-K',
    WMZ: 'WMZ',
    RWM: 'RWM',
  };

  test("every telegram is stored, skipped with the contract's reason, or refused for the device it names", async () => {
    const corpusOrg = await createOrgFixture(db);
    ({ token } = await createApiToken(corpusOrg.managers[0]!, { name: 'Korpus', scopes: ['readings:write'] }, { db }));
    const parsed = parseWmbusLines(corpusText);
    // One device per serial, of the kind its first telegram has: later telegrams of another kind are refused.
    const typeOf = new Map<string, DeviceType>();
    for (const result of parsed)
      if (!isSkipped(result) && !typeOf.has(result.serial)) typeOf.set(result.serial, TYPE_FOR_KIND[result.kind]);
    for (const [serial, type] of typeOf)
      await createDeviceFixture(
        db,
        { property: corpusOrg.property, unit: corpusOrg.unit },
        { serial, type, installedAt: '2000-01-01', calibratedYear: null },
      );
    // A gateway pushing them one minute apart: the corpus' placeholder timestamps replaced by real ones.
    const start = Date.now() - parsed.length * 60_000;
    const lines = corpusText
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, i) => JSON.stringify({ ...(JSON.parse(line) as object), timestamp: new Date(start + i * 60_000).toISOString() }));

    const response = await post(lines.join('\n'), token, 'application/x-ndjson');
    expect(response.status).toBe(200);
    const report = (await response.json()) as IngestReport;
    const mapped = parsed.filter((r): r is WmbusReading => !isSkipped(r));
    const compatible = mapped.filter((r) => {
      const type = typeOf.get(r.serial)!;
      return r.kind === 'WZ' ? type === 'WZ-K' || type === 'WZ-W' : TYPE_FOR_KIND[r.kind] === type;
    });
    expect(report.received).toBe(parsed.length);
    expect(report.skipped).toEqual(parsed.filter(isSkipped).map((s) => ({ index: s.line - 1, reason: s.skipped })));
    expect(report.errors.every((e) => e.field === 'media')).toBe(true);
    expect(report.errors).toHaveLength(mapped.length - compatible.length);
    expect(report.accepted + report.duplicates).toBe(compatible.length);
    expect(report.workflows).toMatchObject({ signalled: new Set(compatible.map((r) => r.serial)).size, unsent: 0 });

    const again = await post(lines.join('\n'), token, 'application/x-ndjson');
    const second = (await again.json()) as IngestReport;
    const smoke = compatible.filter((r) => r.kind === 'RWM').length;
    // Smoke alarms have no reading to repeat: their status is taken again; every reading is a duplicate.
    expect(second).toMatchObject({ accepted: smoke, duplicates: compatible.length - smoke });
  });
});
