// The coverage reports as their loaders answer real requests: real sessions and PostgreSQL, the
// month's information published by the monthly activities, a statement delivered by its workflow on
// this file's worker. October's information missed units without a portal account; the statement's
// letters reached the tenants after the §556(3) deadline; a heat cost allocator was replaced late.
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Property, User } from '../../db';
import { saveStatement } from '../../db/statements';
import { calendarDate } from '../../domain/calendar';
import { daysBetween } from '../../domain/dates';
import { formatDate } from '../../domain/format';
import { findDevice } from '../../server/devices';
import { recordDeviceWork } from '../../server/device-work';
import { visibleScope } from '../../server/permissions';
import { approve, deliver, startStatementLifecycle } from '../../server/statement-lifecycle';
import { pdfRenderer } from '../../server/statements';
import { eventually } from '../../tests/support/eventually';
import { createDeviceFixture, createOrgFixture, sessionUserOf, uniqueSuffix, type OrgFixture } from '../../tests/support/fixtures';
import { FIXTURE_MONTH, createMonthlyFixture, publishFixtureMonth, type MonthlyFixture } from '../../tests/support/monthly-fixtures';
import { pdfText } from '../../tests/support/pdf';
import { createStatementFixture, type StatementFixture } from '../../tests/support/statement-fixtures';
import { connectTestClient, startTestWorker, type RunningWorker } from '../../tests/support/temporal';
import { cookieFor, createLoginUser, dataOf, makeRequest, run, testDb } from '../../tests/support/web';
import { loader as pageLoader } from './pruefung.berichte.$bericht';
import { loader as pdfLoader } from './pruefung.berichte.$bericht.pdf';

const database = testDb();
let worker: RunningWorker;
let org: OrgFixture;
let monthly: MonthlyFixture;
let house: StatementFixture;
let parkring: Property;
let officerCookie: string;
let managerCookie: string;
let tenantCookie: string;
let foreignOfficerCookie: string;

beforeAll(async () => {
  process.env.TEMPORAL_TASK_QUEUE = `web-berichte-${uniqueSuffix()}`;
  worker = await startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE, db: database });
  org = await createOrgFixture(database);
  const tenant: User = await createLoginUser(database, org.organisation.id, 'tenant');
  const neighbour: User = await createLoginUser(database, org.organisation.id, 'tenant');
  monthly = await createMonthlyFixture(database, { org, tenant, neighbour });
  await publishFixtureMonth(database, monthly);

  // Devices of their own property: a hot-water meter whose calibration ran out at the end of 2025
  // untouched, and an allocator due on 15.01.2026 replaced on 01.03.2026.
  parkring = await database.models.Property.create({
    organisationId: org.organisation.id,
    name: `Parkring 3 ${uniqueSuffix()}`,
    street: 'Parkring 3',
    postalCode: '10115',
    city: 'Berlin',
    ownerId: null,
    technicianId: null,
  });
  await createDeviceFixture(
    database,
    { property: parkring },
    { type: 'WZ-W', serial: `WZ-W-ABGELAUFEN-${uniqueSuffix()}`, installedAt: '2019-03-01', calibratedYear: 2019 },
  );
  const allocator = await createDeviceFixture(
    database,
    { property: parkring },
    { type: 'HKV', serial: `HKV-ALT-${uniqueSuffix()}`, installedAt: '2016-01-15' },
  );
  const successor = await createDeviceFixture(
    database,
    { property: parkring },
    { type: 'HKV', serial: `HKV-NEU-${uniqueSuffix()}`, installedAt: '2026-03-01', predecessorId: allocator.id },
  );
  await allocator.update({ successorId: successor.id, removedAt: '2026-03-01' });

  // The 2025 statement (deadline 31.12.2026), its letters posted on 30.12.2026 and received on 04.01.2027.
  house = await createStatementFixture(database, {}, org);
  const manager = org.managers[0]!;
  const saved = await saveStatement(database, house.request, {
    userId: manager.id,
    email: manager.email,
    organisationId: manager.organisationId,
  });
  const ref = { id: saved.stored!.id, version: saved.stored!.version };
  const actor = { userId: manager.id, name: manager.email, role: 'manager' };
  await startStatementLifecycle(ref.id, actor);
  // On a loaded machine a step can outlast the update's deadline; the workflow goes on all the same.
  await approve(ref, actor);
  await eventually(
    async () => expect((await database.models.Statement.findByPk(ref.id, { rejectOnEmpty: true })).status).toBe('approved'),
    {
      timeoutMs: 120_000,
      intervalMs: 250,
    },
  );
  await deliver(ref, { actor, channel: 'post', dispatchedOn: '2026-12-30', receivedOn: '2027-01-04' });
  await eventually(
    async () => {
      const [{ count } = { count: 0 }] = await database.sequelize.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM statement_recipients WHERE statement_id = $1',
        { bind: [ref.id], type: QueryTypes.SELECT },
      );
      expect(count).toBe(6);
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );

  const officer = await createLoginUser(database, org.organisation.id, 'compliance');
  const tenantUser = await createLoginUser(database, org.organisation.id, 'tenant');
  const foreign = await createOrgFixture(database);
  const foreignOfficer = await createLoginUser(database, foreign.organisation.id, 'compliance');
  [officerCookie, managerCookie, tenantCookie, foreignOfficerCookie] = await Promise.all([
    cookieFor(officer),
    cookieFor(org.managers[0]!),
    cookieFor(tenantUser),
    cookieFor(foreignOfficer),
  ]);
}, 300_000);

afterAll(async () => {
  await worker?.stop();
  await pdfRenderer().close();
  await database.close();
});

const page = (bericht: string, query: string, cookie = officerCookie) =>
  run(pageLoader, makeRequest(`/pruefung/berichte/${bericht}?${query}`, { cookie }), { bericht });
const pdf = (bericht: string, query: string, cookie = officerCookie) =>
  run(pdfLoader, makeRequest(`/pruefung/berichte/${bericht}/pdf?${query}`, { cookie }), { bericht });

type Table = { caption: string; rows: string[][] };
const rowsOf = (tables: Table[], caption: RegExp) => tables.find((t) => caption.test(t.caption))!.rows;
const fact = (facts: Array<{ label: string; value: string }>, label: string) => facts.find((f) => f.label === label)?.value;

describe('§6a monthly information', () => {
  test('October 2026 in the first property: every unit counted, the ones not informed named, each with its reason', async () => {
    const data = dataOf(await page('monatsinformation', `property=${org.property.id}&month=${FIXTURE_MONTH}`));
    const report = data.report!;
    expect(report.subtitle).toBe('Verbrauchsmonat Oktober 2026, fällig bis 05.11.2026');
    // Seven flats: vacant and tenant-change are not due; own and peerA have accounts; peerB, peerC, gap have none.
    expect(fact(report.facts, 'Einheiten')).toBe('7');
    expect(fact(report.facts, 'Zu informieren')).toBe('5');
    expect(fact(report.facts, 'Nicht informiert')).toBe('3');
    // The information was provided when the activity ran (the test server's clock): on time only before 06.11.2026.
    const onTime = Date.now() < Date.parse('2026-11-05T23:00:00Z');
    expect(fact(report.facts, 'Informiert')).toBe(`2 von 5 (rechtzeitig ${onTime ? 2 : 0}, verspätet ${onTime ? 0 : 2})`);
    const findings = rowsOf(report.tables, /^Nicht rechtzeitig/);
    const byUnit = new Map(findings.map((row) => [row[1], row]));
    for (const key of ['peerB', 'peerC', 'gap'] as const) {
      expect(byUnit.get(monthly.units[key].label)?.slice(2)).toEqual([
        'nicht informiert',
        '–',
        'nein',
        'Kein Portalzugang: andere Zustellung nötig',
      ]);
    }
    expect(byUnit.get(monthly.units.vacant.label)?.[2]).toBe('nicht fällig');
    expect(byUnit.get(monthly.units.moved.label)?.[5]).toMatch(/^Nutzerwechsel/);
    expect(byUnit.has(monthly.units.own.label)).toBe(!onTime);
  });

  test('a month without any information names every unit as missing', async () => {
    const data = dataOf(await page('monatsinformation', `property=${monthly.secondProperty.id}&month=2026-09`));
    expect(fact(data.report!.facts, 'Nicht informiert')).toBe('2');
    expect(rowsOf(data.report!.tables, /^Nicht rechtzeitig/).map((row) => row[4 + 1])).toEqual([
      'Keine Monatsinformation erstellt',
      'Keine Monatsinformation erstellt',
    ]);
  });
});

describe('BGB §556(3) statement delivery', () => {
  test('2025: every recipient of the letters received on 04.01.2027 is named late against the deadline 31.12.2026', async () => {
    const data = dataOf(await page('abrechnungen', `property=${house.property.id}&year=2025`));
    const report = data.report!;
    expect(fact(report.facts, 'Empfänger')).toBe('6');
    expect(fact(report.facts, 'Verspätet zugegangen')).toBe('6');
    expect(fact(report.facts, 'Fristgerecht')).toBe('0');
    const late = rowsOf(report.tables, /^Nicht fristgerecht/);
    expect(late).toHaveLength(6);
    expect(new Set(late.map((row) => row.slice(3).join(' | ')))).toEqual(new Set(['04.01.2027 (Post) | 31.12.2026 | verspätet, 4 Tage']));
    expect(late.map((row) => row[2])).toContain('Anna Neumieter');
  });
});

describe('device deadlines per type', () => {
  test('2026: the allocator replaced 45 days late; 2025: the expired hot-water meter missed', async () => {
    const year2026 = dataOf(await page('fristen', `property=${parkring.id}&year=2026`)).report!;
    expect(rowsOf(year2026.tables, /^Je Gerätetyp/)).toEqual([['Heizkostenverteiler', '1', '0', '1', '0', '0']]);
    expect(rowsOf(year2026.tables, /^Versäumte/)[0]!.slice(2)).toEqual([
      'Austausch 15.01.2026',
      'Austausch 01.03.2026',
      'verspätet erledigt, 45 Tage',
    ]);
    const year2025 = dataOf(await page('fristen', `property=${parkring.id}&year=2025`)).report!;
    expect(rowsOf(year2025.tables, /^Je Gerätetyp/)).toEqual([['Warmwasserzähler', '1', '0', '0', '1', '0']]);
  });

  test('a recalibration recorded after the old deadline counts it resolved late, one before it as met; each deadline once', async () => {
    // A property of its own, so the other test's counts stay as they are.
    const lindenallee = await database.models.Property.create({
      organisationId: org.organisation.id,
      name: `Lindenallee 8 ${uniqueSuffix()}`,
      street: 'Lindenallee 8',
      postalCode: '10115',
      city: 'Berlin',
      ownerId: null,
      technicianId: null,
    });
    const thisYear = Number(calendarDate(new Date()).slice(0, 4));
    // Calibrated in 2019: valid until 31.12.2025, and the register still shows that deadline (the
    // device workflow moves it only after the recalibration's commit).
    const expired = await createDeviceFixture(
      database,
      { property: lindenallee },
      { type: 'WZ-W', serial: `WZ-W-NACHGEEICHT-${uniqueSuffix()}`, installedAt: '2019-03-01', calibratedYear: 2019 },
    );
    await expired.update({ deadlineKind: 'calibration', dueAt: '2025-12-31' });
    // Valid until the end of this year: recalibrated in time.
    const current = await createDeviceFixture(
      database,
      { property: lindenallee },
      { type: 'WZ-K', serial: `WZ-K-RECHTZEITIG-${uniqueSuffix()}`, installedAt: `${thisYear - 6}-03-01`, calibratedYear: thisYear - 6 },
    );
    const manager = sessionUserOf(org.managers[0]!);
    const scope = await visibleScope(manager);
    const temporal = await connectTestClient();
    /** The work as the device page's form records it. */
    const record = async (deviceId: number, fields: Record<string, string>) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.set(name, value);
      const result = await recordDeviceWork({
        user: manager,
        device: (await findDevice(scope, deviceId))!,
        form,
        ip: null,
        db: database,
        client: temporal.client,
        taskQueue: process.env.TEMPORAL_TASK_QUEUE!,
      });
      expect(result).toMatchObject({ ok: true });
    };
    const recalibrate = async (deviceId: number) => {
      const before = calendarDate(new Date());
      await record(deviceId, { intent: 'recalibrate', calibratedYear: String(thisYear) });
      return { before, after: calendarDate(new Date()) };
    };
    const resolvedRow = (deviceId: number) =>
      database.sequelize.query<{ kind: string; dueAt: string; resolvedOn: string; how: string; recordedBy: number }>(
        `SELECT kind, due_at::text AS "dueAt", resolved_on::text AS "resolvedOn", how, recorded_by AS "recordedBy"
             FROM device_deadline_resolutions WHERE device_id = $1`,
        { bind: [deviceId], type: QueryTypes.SELECT },
      );
    try {
      const days = await recalibrate(expired.id);
      await recalibrate(current.id);
      const [late] = await resolvedRow(expired.id);
      // Recorded on the day of the work (the test cannot know which side of midnight it ran on).
      expect([days.before, days.after]).toContain(late!.resolvedOn);
      expect(late).toMatchObject({ kind: 'calibration', dueAt: '2025-12-31', how: 'recalibrated', recordedBy: manager.id });
      expect(await resolvedRow(current.id)).toMatchObject([{ dueAt: `${thisYear}-12-31`, how: 'recalibrated' }]);

      const year2025 = dataOf(await page('fristen', `property=${lindenallee.id}&year=2025`)).report!;
      expect(rowsOf(year2025.tables, /^Je Gerätetyp/)).toEqual([['Warmwasserzähler', '1', '0', '1', '0', '0']]);
      expect(rowsOf(year2025.tables, /^Versäumte/)[0]!.slice(2)).toEqual([
        'Eichfrist 31.12.2025',
        `Nacheichung ${formatDate(late!.resolvedOn)}`,
        `verspätet erledigt, ${daysBetween('2025-12-31', late!.resolvedOn)} Tage`,
      ]);
      const current2 = dataOf(await page('fristen', `property=${lindenallee.id}&year=${thisYear}`)).report!;
      expect(rowsOf(current2.tables, /^Je Gerätetyp/)).toEqual([['Kaltwasserzähler', '1', '1', '0', '0', '0']]);

      // An exchange recorded on the page keeps its deadline too; the register's row of the replaced
      // device (the same deadline) is not counted a second time.
      // A fixed past year of its own (the hot-water meter's is 2025).
      const year = 2023;
      const allocator = await createDeviceFixture(
        database,
        { property: lindenallee },
        { type: 'HKV', serial: `HKV-GETAUSCHT-${uniqueSuffix()}`, installedAt: `${year - 10}-01-15`, calibratedYear: null },
      );
      await allocator.update({ deadlineKind: 'replacement', dueAt: `${year}-01-15` });
      await record(allocator.id, {
        intent: 'replace',
        serial: `HKV-NEU-${uniqueSuffix()}`,
        installedAt: `${year}-01-20`,
        calibratedYear: '',
      });
      expect(await resolvedRow(allocator.id)).toMatchObject([
        { kind: 'replacement', dueAt: `${year}-01-15`, resolvedOn: `${year}-01-20`, how: 'replaced' },
      ]);
      const previous = dataOf(await page('fristen', `property=${lindenallee.id}&year=${year}`)).report!;
      expect(rowsOf(previous.tables, /^Je Gerätetyp/)).toEqual([['Heizkostenverteiler', '1', '0', '1', '0', '0']]);
      expect(rowsOf(previous.tables, /^Versäumte/)[0]!.slice(2)).toEqual([
        `Austausch 15.01.${year}`,
        `Austausch 20.01.${year}`,
        'verspätet erledigt, 5 Tage',
      ]);
    } finally {
      await temporal.close();
    }
  }, 120_000);
});

describe('access and export', () => {
  test('managers read the reports; tenants are refused; another organisation cannot name this one’s property', async () => {
    expect(dataOf(await page('fristen', `property=${parkring.id}&year=2026`, managerCookie)).report).not.toBeNull();
    const tenant = await page('fristen', `property=${parkring.id}&year=2026`, tenantCookie);
    expect(tenant.kind === 'response' && tenant.status).toBe(403);
    for (const bericht of ['monatsinformation', 'abrechnungen', 'fristen']) {
      const foreign = await page(bericht, `property=${org.property.id}`, foreignOfficerCookie);
      expect(foreign.kind === 'response' && foreign.status).toBe(404);
    }
    const unknown = await page('geheim', '');
    expect(unknown.kind === 'response' && unknown.status).toBe(404);
  });

  test('a refused filter names its field and computes no report', async () => {
    const data = dataOf(await page('abrechnungen', 'year=20x5'));
    expect(data.errors.year).toMatch(/^Jahr:/);
    expect(data.report).toBeNull();
  });

  test('the PDF holds what the page shows, and the export is audited', async () => {
    const outcome = await pdf('abrechnungen', `property=${house.property.id}&year=2025`);
    if (outcome.kind !== 'response') throw new Error('expected a response');
    expect(outcome.response.headers.get('Content-Type')).toBe('application/pdf');
    const text = await pdfText(new Uint8Array(await outcome.response.arrayBuffer()));
    expect(text).toContain('Zustellung der Abrechnungen');
    expect(text).toContain('Anna Neumieter');
    expect(text).toContain('verspätet, 4 Tage');
    const [audit] = await database.sequelize.query<{ details: unknown }>(
      `SELECT details FROM audit_log WHERE organisation_id = $1 AND entity = 'compliance_report' ORDER BY id DESC LIMIT 1`,
      { bind: [org.organisation.id], type: QueryTypes.SELECT },
    );
    expect(audit?.details).toMatchObject({ format: 'pdf', report: 'abrechnungen' });
  });
});
