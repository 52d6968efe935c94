// The wmbusmeters upload as the readings page meets it (issue 17): the valid telegram stored, the
// other lines listed with their line numbers, a missing file answered, and only those who may
// import readings may upload.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createDeviceFixture, uniqueSuffix } from '../../tests/support/fixtures';
import { closeWebResources, cookieFor, createWebFixture, dataOf, run, testDb, TEST_ORIGIN, type WebFixture } from '../../tests/support/web';
import { action } from './monatsinformationen.ablesungen';

const database = testDb();
let f: WebFixture;

beforeAll(async () => {
  f = await createWebFixture(database);
});

afterAll(closeWebResources);

async function upload(cookie: string, text: string | null) {
  const body = new FormData();
  body.append('intent', 'import-wmbus');
  if (text !== null) body.append('file', new File([text], 'gateway.jsonl', { type: 'application/json' }));
  return run(
    action,
    new Request(`${TEST_ORIGIN}/monatsinformationen/ablesungen`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: TEST_ORIGIN },
      body,
    }),
  );
}

test('a manager uploads a gateway log: the valid line is stored, the others are listed by line', async () => {
  const meter = await createDeviceFixture(
    database,
    { property: f.property, unit: f.unit },
    { type: 'WZ-K', serial: `W${uniqueSuffix()}`, installedAt: '2020-01-01' },
  );
  const text = [
    JSON.stringify({ media: 'cold water', id: meter.serial, total_m3: 7.5, timestamp: '2026-02-01T06:00:00Z' }),
    'wmbusmeters started',
    JSON.stringify({ media: 'cold water', id: 'UNBEKANNT-9', total_m3: 1, timestamp: '2026-02-01T06:00:00Z' }),
  ].join('\n');
  const result = dataOf(await upload(await cookieFor(f.manager), text));
  if (result.intent !== 'import-wmbus' || !result.report) throw new Error('expected the wmbusmeters answer');
  expect(result.fileName).toBe('gateway.jsonl');
  expect(result.report).toMatchObject({ rows: 3, inserted: 1, unchanged: 0, errorCount: 2, skippedCount: 0 });
  expect(result.report.errors.map((e) => [e.line, e.field])).toEqual([
    [2, 'Zeile'],
    [3, 'Zählernummer (id)'],
  ]);
  const stored = await database.models.Reading.findAll({ where: { deviceId: meter.id } });
  expect(stored.map((r) => Number(r.value))).toEqual([7.5]);
});

test('without a file the page asks for one; a tenant may not upload', async () => {
  const missing = dataOf(await upload(await cookieFor(f.manager), null));
  expect(missing).toEqual({ intent: 'import-wmbus', fileName: '', report: null });
  const refused = await upload(await cookieFor(f.tenant), '{}');
  expect(refused.kind).toBe('response');
  expect(refused.kind === 'response' ? refused.status : 0).toBe(403);
});
