// The dashboard through its loader with real sessions on real PostgreSQL: every figure from rows
// this file creates, for the manager's portfolio, one property, and the owner's own properties.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { calendarDate } from '../../domain/calendar';
import { addDays } from '../../domain/dates';
import { addMonths, monthOf } from '../../domain/dashboard';
import { createDeviceFixture, uniqueSuffix } from '../../tests/support/fixtures';
import { cookieFor, createWebFixture, dataOf, makeRequest, run, testDb, type WebFixture } from '../../tests/support/web';
import { loader } from './dashboard';

const database = testDb();
const now = new Date();
const today = calendarDate(now);
const thisMonth = monthOf(today);
const year = Number(today.slice(0, 4));
const inDays = (days: number) => calendarDate(new Date(now.getTime() + days * 86_400_000));
/** Calendar days from today, as the server counts its horizons (no DST hour can move it a day). */
const daysFromToday = (days: number) => addDays(today, days);
let f: WebFixture;
const cookies = {} as Record<'manager' | 'owner' | 'technician', string>;

async function ticket(propertyId: number, fields: { status?: string; resolutionDueAt?: Date | null; breached?: boolean }) {
  await database.models.Ticket.create({
    organisationId: f.organisation.id,
    propertyId,
    unitId: null,
    createdBy: f.tenant.id,
    topic: 'heating',
    subject: 'Heizung kalt',
    body: 'Heizung kalt',
    category: 'general_question',
    priority: 'normal',
    linkedKind: null,
    linkedId: null,
    linkedVersion: null,
    status: (fields.status ?? 'open') as 'open',
    slaClock: 'calendar',
    reactionDueAt: null,
    resolutionDueAt: fields.resolutionDueAt ?? null,
    resolutionBreachedAt: fields.breached ? new Date() : null,
  });
}

async function monthly(unitId: number, propertyId: number, month: string, heatingKwh: number) {
  const content = JSON.stringify({ test: uniqueSuffix() });
  await database.sequelize.query(
    `INSERT INTO monthly_information (month, unit_id, property_id, delivery, heating_kwh, hot_water_kwh, total_kwh, estimated,
                                      devices_ok, remote_readable, content, content_sha256)
     VALUES (:month, :unitId, :propertyId, 'vacant', :heatingKwh, 10, :heatingKwh + 10, false, true, true, :content, :sha)`,
    {
      replacements: {
        month: `${month}-01`,
        unitId,
        propertyId,
        heatingKwh,
        content,
        sha: createHash('sha256').update(content).digest('hex'),
      },
    },
  );
}

beforeAll(async () => {
  f = await createWebFixture(database);
  cookies.manager = await cookieFor(f.manager);
  cookies.owner = await cookieFor(f.owner);
  cookies.technician = await cookieFor(f.technician);
  const place = { property: f.property, unit: f.unit };
  // Two remotely read devices, one reporting; deadlines in 10 and 60 days.
  await createDeviceFixture(database, place, {
    remoteReadable: true,
    lastReadingAt: new Date(now.getTime() - 86_400_000),
    dueAt: inDays(10),
    deadlineKind: 'calibration',
    light: 'yellow',
  });
  await createDeviceFixture(database, place, {
    remoteReadable: true,
    lastReadingAt: new Date(now.getTime() - 10 * 86_400_000),
    dueAt: inDays(60),
    deadlineKind: 'calibration',
    light: 'yellow',
  });
  await ticket(f.property.id, { breached: true });
  await ticket(f.property.id, { resolutionDueAt: new Date(now.getTime() + 30 * 86_400_000) });
  await ticket(f.property.id, { status: 'closed' });
  await ticket(f.otherProperty.id, { resolutionDueAt: new Date(now.getTime() + 3_600_000) });
  await monthly(f.unit.id, f.property.id, `${year}-01`, 500.4);
  await monthly(f.otherUnit.id, f.otherProperty.id, `${year}-01`, 250);
  await monthly(f.unit.id, f.property.id, `${year - 1}-01`, 600);
  // The other obligations' deadlines: a sampling round due in 20 days; an archived protocol whose
  // retention ended yesterday (awaiting deletion), and one under a legal hold (suspended).
  await database.sequelize.query(
    `INSERT INTO water_systems (organisation_id, property_id, name, large, phase, due_at) VALUES (:org, :property, 'Warmwasser', true, 'routine', :due)`,
    { replacements: { org: f.organisation.id, property: f.property.id, due: daysFromToday(20) } },
  );
  for (const [propertyId, held] of [
    [f.property.id, false],
    [f.otherProperty.id, true],
  ] as const) {
    const [[document]] = (await database.sequelize.query(
      `INSERT INTO archive_documents (organisation_id, property_id, kind, title) VALUES (:org, :propertyId, 'smoke-alarm-protocol', 'Protokoll') RETURNING id`,
      { replacements: { org: f.organisation.id, propertyId } },
    )) as [[{ id: number }], unknown];
    await database.sequelize.query(
      `INSERT INTO archive_versions (document_id, version, document_date, retention_until, file_name, content_type, sha256, byte_size,
                                     ciphertext, iv, auth_tag, generated_by)
       VALUES (:documentId, 1, '2010-01-01', :until, 'p.pdf', 'application/pdf', :sha, 1, '\\x00', '\\x00', '\\x00', 'test')`,
      { replacements: { documentId: document.id, until: daysFromToday(-1), sha: 'a'.repeat(64) } },
    );
    if (held) {
      await database.sequelize.query(
        `INSERT INTO archive_legal_holds (organisation_id, property_id, reason, placed_by) VALUES (:org, :propertyId, 'Streit', :by)`,
        { replacements: { org: f.organisation.id, propertyId, by: f.manager.id } },
      );
    }
  }
});

/** Last calendar year's cost data is due on 31 March; no fixture property has its statement. */
function costDataExpected(open: number) {
  const due = `${year}-03-31`;
  const overdue = due < today;
  return {
    kind: 'cost-data',
    overdue: overdue ? open : 0,
    within30: !overdue && due <= daysFromToday(30) ? open : 0,
    within90: !overdue && due <= daysFromToday(90) ? open : 0,
  };
}

afterAll(async () => {
  await database.close();
});

async function dashboardOf(cookie: string, query = '') {
  return dataOf(await run(loader, makeRequest(`/dashboard${query}`, { cookie })));
}

describe('the manager’s portfolio', () => {
  test('units, radio quality, tickets at risk, deadlines, lights', async () => {
    const { data, objects } = await dashboardOf(cookies.manager);
    expect(data.property).toBeNull();
    expect(data.propertyCount).toBe(2);
    expect(objects.rows.map((p) => p.id).sort()).toEqual([f.property.id, f.otherProperty.id].sort());
    expect(data.units).toBe(3);
    expect(data.radio).toEqual({ remote: 7, reporting: 1, permille: 143 });
    // Open: the breached, the one due in 30 days, the other property's due in an hour; closed does not count.
    expect(data.tickets).toEqual({ open: 3, atRisk: 2 });
    // Devices overdue: the red device (2024) and the other property's red one (2025).
    expect(data.deadlines.kinds.map(({ kind, overdue, within30, within90 }) => ({ kind, overdue, within30, within90 }))).toEqual([
      { kind: 'device', overdue: 2, within30: 1, within90: 2 },
      { kind: 'legionella', overdue: 0, within30: 1, within90: 1 },
      costDataExpected(2),
      { kind: 'archive-retention', overdue: 1, within30: 0, within90: 0 },
    ]);
    const cost = costDataExpected(2);
    expect(data.deadlines.overdue).toBe(3 + cost.overdue);
    expect(data.deadlines.within).toEqual({ 30: 2 + cost.within30, 90: 3 + cost.within90 });
    // Each kind links to the page where it is worked on.
    expect(data.deadlines.kinds.map((k) => k.href)).toEqual(['/geraete', '/trinkwasser', '/abrechnungen', '/nachweise']);
    expect(data.lights).toEqual({ red: 2, yellow: 3, green: 2, unknown: 0 });
    expect(data.status).toBe('red');
  });

  test('heating this year against last year, per month, from the kept totals', async () => {
    const { data } = await dashboardOf(cookies.manager);
    expect(data.heating[0]).toEqual({ month: `${year}-01`, thisYear: 750, lastYear: 600 });
    expect(data.heating.at(-1)?.month).toBe(thisMonth);
    // A revision of a published month moves the total with it.
    await database.sequelize.query(`UPDATE monthly_information SET heating_kwh = 400.4 WHERE unit_id = :unitId AND month = :month`, {
      replacements: { unitId: f.unit.id, month: `${year}-01-01` },
    });
    const property = (await dashboardOf(cookies.manager, `?property=${f.property.id}`)).data;
    expect(property.heating[0]).toEqual({ month: `${year}-01`, thisYear: 400, lastYear: 600 });
  });

  test('inquiries per 100 units: this month’s tickets over the units', async () => {
    const { data } = await dashboardOf(cookies.manager);
    const current = data.inquiries.at(-1);
    expect(current).toEqual({ month: thisMonth, inquiries: 4, per100Units: 13333 });
    expect((data.inquiries[0]?.month ?? '') <= thisMonth).toBe(true);
    expect(data.inquiries.length).toBeLessThanOrEqual(24);
    expect(data.inquiries.some((m) => m.month === addMonths(thisMonth, 1))).toBe(false);
  });
});

describe('one property and the scope', () => {
  test('?property= narrows every figure to that property', async () => {
    const { data } = await dashboardOf(cookies.manager, `?property=${f.otherProperty.id}`);
    expect(data.property?.id).toBe(f.otherProperty.id);
    expect(data.units).toBe(1);
    expect(data.tickets).toEqual({ open: 1, atRisk: 1 });
    // The other property's red device; its archived protocol is under a legal hold.
    expect(data.deadlines.kinds.find((k) => k.kind === 'device')?.overdue).toBe(1);
    expect(data.deadlines.kinds.find((k) => k.kind === 'archive-retention')?.overdue).toBe(0);
    expect(data.lights.red).toBe(1);
  });

  test('the owner sees its own property only; another is not found', async () => {
    const { data, properties, objects } = await dashboardOf(cookies.owner);
    expect(properties.map((p) => p.id)).toEqual([f.property.id]);
    expect(objects.rows.map((p) => p.id)).toEqual([f.property.id]);
    // Owners see the sampling deadline without a link to the drinking-water page they may not open.
    expect(data.deadlines.kinds.find((k) => k.kind === 'legionella')).toMatchObject({ within30: 1, href: null });
    expect(data.units).toBe(2);
    expect(data.tickets.open).toBe(2);
    const other = await run(loader, makeRequest(`/dashboard?property=${f.otherProperty.id}`, { cookie: cookies.owner }));
    expect(other.kind === 'response' && other.status).toBe(404);
    const malformed = await run(loader, makeRequest('/dashboard?property=abc', { cookie: cookies.owner }));
    expect(malformed.kind === 'response' && malformed.status).toBe(404);
  });

  test('technicians have no dashboard', async () => {
    const outcome = await run(loader, makeRequest('/dashboard', { cookie: cookies.technician }));
    expect(outcome.kind === 'response' && outcome.status).toBe(403);
  });
});
