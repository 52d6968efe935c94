// The register's PDF report through its route with real sessions, real PostgreSQL and Chromium:
// what it lists follows the register's filters and the viewer's scope, and each export is audited.
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pdfRenderer } from '../../server/statements';
import { pdfText } from '../../tests/support/pdf';
import { cookieFor, createWebFixture, makeRequest, run, testDb, type WebFixture } from '../../tests/support/web';
import { loader } from './geraete.bericht[.pdf]';

const database = testDb();
let f: WebFixture;
const cookies = {} as Record<'manager' | 'owner' | 'tenant', string>;

beforeAll(async () => {
  f = await createWebFixture(database);
  cookies.manager = await cookieFor(f.manager);
  cookies.owner = await cookieFor(f.owner);
  cookies.tenant = await cookieFor(f.tenant);
});

afterAll(async () => {
  await pdfRenderer().close();
  await database.close();
});

async function report(cookie: string, query: string) {
  const outcome = await run(loader, makeRequest(`/geraete/bericht.pdf${query}`, { cookie }));
  if (outcome.kind !== 'response') throw new Error('expected a response');
  return outcome.response;
}

test('one property: cover with the filters, the summaries, every device with calibration, battery and deadline; A4 pages numbered', async () => {
  const response = await report(cookies.manager, `?property=${f.property.id}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('Content-Type')).toBe('application/pdf');
  expect(response.headers.get('Content-Disposition')).toMatch(
    new RegExp(`attachment; filename="geraeteregister-bericht-liegenschaft-${f.property.id}-\\d{4}-\\d{2}-\\d{2}\\.pdf"`),
  );
  const text = await pdfText(new Uint8Array(await response.arrayBuffer()));
  expect(text).toContain(`Geräteregister ${f.property.name}`);
  expect(text).toContain(`Liegenschaft: ${f.property.name}`);
  expect(text).toContain('Zusammenfassung nach Gerätetyp');
  for (const device of [f.devices.red, f.devices.yellow, f.devices.green, f.neighbourDevice]) expect(text).toContain(device.serial);
  expect(text).not.toContain(f.foreignDevice.serial);
  // The yellow allocator: no calibration duty, 20 % battery, its replacement date.
  expect(text).toContain('Eichpflicht'); // 'keine Eichpflicht', wrapped in its cell
  expect(text).toContain('20 %');
  expect(text).toContain('01.03.2030');
  expect(text).toMatch(/Seite 1 von \d+/);

  const [audit] = await database.sequelize.query<{ details: { format: string; rows: number } }>(
    "SELECT details FROM audit_log WHERE actor_id = :id AND action = 'export' ORDER BY id DESC LIMIT 1",
    { replacements: { id: f.manager.id }, type: QueryTypes.SELECT },
  );
  expect(audit?.details).toMatchObject({ format: 'pdf', rows: 4 });
});

test('the serial and light filters narrow the report; the owner’s report holds its own property only', async () => {
  const bySerial = await pdfText(new Uint8Array(await (await report(cookies.manager, `?serial=${f.devices.yellow.serial}`)).arrayBuffer()));
  expect(bySerial).toContain(f.devices.yellow.serial);
  expect(bySerial).not.toContain(f.devices.red.serial);
  expect(bySerial).toContain(`Seriennummer beginnt mit: ${f.devices.yellow.serial.toUpperCase()}`);

  const owner = await pdfText(new Uint8Array(await (await report(cookies.owner, '?light=red')).arrayBuffer()));
  expect(owner).toContain(f.devices.red.serial);
  expect(owner).not.toContain(f.foreignDevice.serial);
  expect(owner).not.toContain(f.devices.green.serial);
});

test('tenants cannot export the register', async () => {
  const outcome = await run(loader, makeRequest('/geraete/bericht.pdf', { cookie: cookies.tenant }));
  expect(outcome.kind === 'response' && outcome.status).toBe(403);
});
