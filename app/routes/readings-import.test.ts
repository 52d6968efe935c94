// The readings import as the page meets it (issue 12): a header-only file is refused with a reason
// instead of "Übernommen." with 0 rows, and 50,000 unknown serials give a short answer with a count
// (the answer was 5.8 MB).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { closeWebResources, cookieFor, createWebFixture, dataOf, run, testDb, TEST_ORIGIN, type WebFixture } from '../../tests/support/web';
import { action } from './monatsinformationen.ablesungen';

const database = testDb();
let f: WebFixture;
let cookie: string;

beforeAll(async () => {
  f = await createWebFixture(database);
  cookie = await cookieFor(f.manager);
});

afterAll(closeWebResources);

function upload(csv: string) {
  const body = new FormData();
  body.append('intent', 'import');
  body.append('file', new File([csv], 'ablesungen.csv', { type: 'text/csv' }));
  return run(
    action,
    new Request(`${TEST_ORIGIN}/monatsinformationen/ablesungen`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: TEST_ORIGIN },
      body,
    }),
  );
}

test('a file with only the header is not "Übernommen." but refused with the reason', async () => {
  const result = dataOf(await upload('Zählernummer;Zeitpunkt;Wert;Einheit\n'));
  expect(result.intent).toBe('import');
  if (result.intent !== 'import') return;
  expect(result.report.applied).toBe(false);
  expect(result.report.errors).toEqual([
    { line: 2, field: 'Datei', message: 'Die Datei enthält nur die Kopfzeile, aber keine Ablesungen' },
  ]);
});

test('50,000 unknown serials: the answer names the first 50 and counts all, in a few kilobytes', async () => {
  const lines = Array.from({ length: 50_000 }, (_, i) => `UNBEKANNT-${i};01.01.2026 00:00;${i};m³`);
  const result = dataOf(await upload(`Zählernummer;Zeitpunkt;Wert;Einheit\n${lines.join('\n')}\n`));
  if (result.intent !== 'import') throw new Error('expected the import’s answer');
  expect(result.report.applied).toBe(false);
  expect(result.report.unknownSerialCount).toBe(50_000);
  expect(result.report.unknownSerials).toHaveLength(50);
  expect(result.report.errorCount).toBe(50_000);
  expect(JSON.stringify(result).length).toBeLessThan(100_000);
  const [audit] = await database.models.AuditEntry.findAll({
    where: { organisationId: f.organisation.id, action: 'readings.imported' },
    raw: true,
  });
  expect(audit).toBeUndefined(); // nothing applied, nothing audited as imported
}, 60_000);
