// The monthly information pages as browsers meet them: loaders and actions with real session cookies.
// Tenants see only their own unit and what was addressed to them; opening is proven once; managers
// see who received and opened it, start the run and set the conversion; readings are imported.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { User } from '../../db';
import { ensureMonthlySchedule } from '../../server/monthly-schedule';
import { MONTHLY_SCHEDULE_ID } from '../../domain/contracts/monthly';
import { createOrgFixture, uniqueSuffix } from '../../tests/support/fixtures';
import { FIXTURE_MONTH, createMonthlyFixture, publishFixtureMonth, type MonthlyFixture } from '../../tests/support/monthly-fixtures';
import { TEST_ORIGIN, cookieFor, createLoginUser, dataOf, makeRequest, run, testDb } from '../../tests/support/web';
import { temporalClient } from '../../server/temporal';
import { action as consumptionAction, loader as consumptionLoader } from './verbrauch';
import { action as overviewAction, loader as overviewLoader } from './monatsinformationen._index';
import { loader as monthLoader } from './monatsinformationen.$month';
import { action as readingsAction, loader as readingsLoader } from './monatsinformationen.ablesungen';

const database = testDb();
let f: MonthlyFixture;
let tenant: User;
let neighbour: User;
const cookies: Record<'tenant' | 'neighbour' | 'manager' | 'compliance', string> = {} as never;

beforeAll(async () => {
  const org = await createOrgFixture(database);
  [tenant, neighbour] = [
    await createLoginUser(database, org.organisation.id, 'tenant'),
    await createLoginUser(database, org.organisation.id, 'tenant'),
  ];
  const manager = await createLoginUser(database, org.organisation.id, 'manager');
  const compliance = await createLoginUser(database, org.organisation.id, 'compliance');
  f = await createMonthlyFixture(database, { org, tenant, neighbour });
  await publishFixtureMonth(database, f);
  Object.assign(cookies, {
    tenant: await cookieFor(tenant),
    neighbour: await cookieFor(neighbour),
    manager: await cookieFor(manager),
    compliance: await cookieFor(compliance),
  });
});

afterAll(() => database.close());

const monthPath = `/monatsinformationen/${FIXTURE_MONTH}`;

async function openedEventsOf(unitId: number): Promise<number> {
  const info = await database.models.MonthlyInformation.findOne({ where: { unitId, month: `${FIXTURE_MONTH}-01` }, rejectOnEmpty: true });
  return database.models.MonthlyDeliveryEvent.count({ where: { informationId: info.id, kind: 'opened' } });
}

describe('tenant', () => {
  test('sees its own flat’s information: kWh, comparisons, chart data, assumptions', async () => {
    const data = dataOf(await run(consumptionLoader, makeRequest('/verbrauch', { cookie: cookies.tenant })));
    expect(data.flat?.unitId).toBe(f.units.own.id);
    expect(data.months).toEqual([{ month: FIXTURE_MONTH, totalKwh: 280, changePreviousYear: 12, estimated: false }]);
    expect(data.information?.content).toMatchObject({
      totalKwh: 280,
      comparisons: { previousMonth: { kwh: 250 }, previousYear: { kwh: 250 } },
      assumptions: { hkvKwhPerUnit: 5 },
    });
    expect(data.information?.content.series).toHaveLength(24);
  });

  test('sees only its own unit: the neighbour’s flat and unpublished months are not found', async () => {
    const neighbours = dataOf(await run(consumptionLoader, makeRequest('/verbrauch', { cookie: cookies.neighbour })));
    expect(neighbours.flat?.unitId).toBe(f.units.peerA.id);
    expect(neighbours.information?.content.totalKwh).toBe(230);
    const opening = { intent: 'opened', wohnung: String(f.units.peerA.id), monat: FIXTURE_MONTH };
    expect(dataOf(await run(consumptionAction, makeRequest('/verbrauch', { cookie: cookies.neighbour, form: opening })))).toEqual({
      recorded: true,
    });
    const foreign = await run(consumptionAction, makeRequest('/verbrauch', { cookie: cookies.tenant, form: opening }));
    expect(foreign.kind === 'response' && foreign.status).toBe(404);
    for (const path of [
      `/verbrauch?wohnung=${f.units.peerA.id}`,
      `/verbrauch?wohnung=${f.units.gap.id}`,
      '/verbrauch?monat=2026-09',
      '/verbrauch?monat=kaputt',
    ]) {
      const outcome = await run(consumptionLoader, makeRequest(path, { cookie: cookies.tenant }));
      expect(outcome.kind === 'response' && outcome.status, path).toBe(404);
    }
  });

  test('showing the page records nothing; the page’s report of its opening is recorded once, however often it comes', async () => {
    const unread = await database.models.MonthlyInformation.findOne({ where: { unitId: f.units.own.id }, rejectOnEmpty: true });
    expect(unread.openedAt).toBeNull(); // the first test only showed it
    const opened = () =>
      run(
        consumptionAction,
        makeRequest('/verbrauch', {
          cookie: cookies.tenant,
          form: { intent: 'opened', wohnung: String(f.units.own.id), monat: FIXTURE_MONTH },
        }),
      );
    expect(dataOf(await opened())).toEqual({ recorded: true });
    const before = await database.models.MonthlyInformation.findOne({ where: { unitId: f.units.own.id }, rejectOnEmpty: true });
    expect(before.openedAt).not.toBeNull();
    for (let i = 0; i < 3; i++) expect(dataOf(await opened())).toEqual({ recorded: false });
    expect(await openedEventsOf(f.units.own.id)).toBe(1);
    const after = await database.models.MonthlyInformation.findOne({ where: { unitId: f.units.own.id }, rejectOnEmpty: true });
    expect(after.openedAt).toEqual(before.openedAt);
  });

  test('may not open the managers’ pages', async () => {
    for (const [loader, path, params] of [
      [overviewLoader, '/monatsinformationen', {}],
      [monthLoader, monthPath, { month: FIXTURE_MONTH }],
      [readingsLoader, '/monatsinformationen/ablesungen', {}],
    ] as const) {
      const outcome = await run(loader, makeRequest(path, { cookie: cookies.tenant }), params);
      expect(outcome.kind === 'response' && outcome.status, path).toBe(403);
    }
  });
});

describe('manager', () => {
  test('sees who received and who opened the month’s information', async () => {
    const { summary, rows } = dataOf(await run(monthLoader, makeRequest(monthPath, { cookie: cookies.manager }), { month: FIXTURE_MONTH }));
    expect(summary).toMatchObject({ informed: 9, units: 9, portal: 2, opened: 2, notRemote: 1, estimated: 1, noAccount: 5 });
    const own = rows.find((r) => r.unitLabel === f.units.own.label && r.propertyName === f.property.name);
    expect(own).toMatchObject({ delivery: 'portal', tenantName: expect.any(String), openedAt: expect.any(Date) });
    expect(rows.find((r) => r.unitLabel === f.units.moved.label)).toMatchObject({
      delivery: 'tenant-change',
      remoteReadable: false,
      openedAt: null,
    });

    const opened = dataOf(
      await run(monthLoader, makeRequest(`${monthPath}?status=not-remote`, { cookie: cookies.manager }), { month: FIXTURE_MONTH }),
    );
    expect(opened.rows.map((r) => r.unitLabel)).toEqual([f.units.moved.label]);
  });

  test('the overview: completion n of N, opened rate and the run’s progress', async () => {
    const data = dataOf(await run(overviewLoader, makeRequest('/monatsinformationen', { cookie: cookies.manager })));
    expect(data.months).toEqual([expect.objectContaining({ month: FIXTURE_MONTH, units: 9, portal: 2, opened: 2 })]);
    expect(data.unitCount).toBe(9);
    expect(data.run).toMatchObject({
      month: FIXTURE_MONTH,
      status: 'completed',
      unitsDone: 9,
      unitsTotal: 9,
      properties: 2,
      propertiesDone: 2,
    });
    expect(data.canManage).toBe(true);
  });

  test('sets a property’s conversion factor; nonsense is refused', async () => {
    const post = (factor: string) =>
      run(
        overviewAction,
        makeRequest('/monatsinformationen', {
          cookie: cookies.manager,
          form: {
            intent: 'settings',
            propertyId: String(f.secondProperty.id),
            hkvKwhPerUnit: factor,
            hotWaterTempC: '55',
            districtHeating: 'on',
          },
        }),
      );
    expect(dataOf(await post('0'))).toMatchObject({ ok: false, propertyId: f.secondProperty.id });
    expect(dataOf(await post('6,2'))).toMatchObject({ ok: true });
    expect(await database.models.MonthlyPropertySetting.findByPk(f.secondProperty.id)).toMatchObject({
      hkvKwhPerUnit: 6.2,
      hotWaterTempC: 55,
      districtHeating: true,
    });
  });

  test('"Lauf jetzt starten" triggers the Schedule', async () => {
    const client = temporalClient();
    // A queue without a worker: the run starts but does not process the shared test database.
    await ensureMonthlySchedule(client, `monthly-web-${uniqueSuffix()}`);
    try {
      const result = dataOf(
        await run(overviewAction, makeRequest('/monatsinformationen', { cookie: cookies.manager, form: { intent: 'run' } })),
      );
      expect(result).toMatchObject({ ok: true });
      const { info } = await client.schedule.getHandle(MONTHLY_SCHEDULE_ID).describe();
      expect(info.numActionsTaken + info.runningActions.length).toBeGreaterThan(0);
      for (const action of info.runningActions) await client.workflow.getHandle(action.workflow.workflowId).terminate('test');
    } finally {
      await client.schedule.getHandle(MONTHLY_SCHEDULE_ID).delete();
    }
    // Without the Schedule the page says so instead of failing.
    const missing = dataOf(
      await run(overviewAction, makeRequest('/monatsinformationen', { cookie: cookies.manager, form: { intent: 'run' } })),
    );
    expect(missing).toMatchObject({ ok: false, message: expect.stringContaining('Zeitplan') });
  });

  test('a compliance officer reads the overview but may not start runs or enter readings', async () => {
    const data = dataOf(await run(monthLoader, makeRequest(monthPath, { cookie: cookies.compliance }), { month: FIXTURE_MONTH }));
    expect(data.withTenants).toBe(false);
    expect(data.rows.every((r) => r.tenantName === null)).toBe(true);
    const outcome = await run(overviewAction, makeRequest('/monatsinformationen', { cookie: cookies.compliance, form: { intent: 'run' } }));
    expect(outcome.kind === 'response' && outcome.status).toBe(403);
  });
});

describe('readings import on the page', () => {
  function upload(csv: string, extra: Record<string, string> = {}) {
    const form = new FormData();
    form.set('intent', 'import');
    form.set('file', new File([csv], 'funk-november.csv', { type: 'text/csv' }));
    for (const [key, value] of Object.entries(extra)) form.set(key, value);
    return new Request(new URL('/monatsinformationen/ablesungen', TEST_ORIGIN), {
      method: 'POST',
      headers: { Cookie: cookies.manager, Origin: TEST_ORIGIN },
      body: form,
    });
  }
  const serial = () => f.devices.own[2]!.serial;

  test('a file with errors is refused with line and field; unknown serials are listed', async () => {
    const result = dataOf(
      await run(
        readingsAction,
        upload(`Zählernummer;Zeitpunkt;Wert;Einheit\n${serial()};15.11.2026 06:00;1x;m³\nGIBT-ES-NICHT;15.11.2026 06:00;1;m³\n`),
      ),
    );
    expect(result.intent === 'import' && result.report).toMatchObject({
      applied: false,
      inserted: 0,
      errorCount: 2,
      errors: [
        { line: 2, field: 'Wert', message: '„1x“ ist keine Zahl' },
        { line: 3, field: 'Zählernummer', message: 'unbekannte Zählernummer „GIBT-ES-NICHT“' },
      ],
      unknownSerials: [{ serial: 'GIBT-ES-NICHT', lines: [3] }],
    });
  });

  test('a valid file is applied, and the same file again changes nothing', async () => {
    const csv = `Zählernummer;Zeitpunkt;Wert;Einheit\n${serial()};15.11.2026 06:00;111,5;m³\n`;
    const first = dataOf(await run(readingsAction, upload(csv)));
    const second = dataOf(await run(readingsAction, upload(csv)));
    // Committed, then the device's workflow is told (the shared client: the route passes nothing Temporal-specific).
    expect(first.intent === 'import' && first.report).toMatchObject({
      applied: true,
      inserted: 1,
      unchanged: 0,
      workflows: { signalled: 1 },
    });
    expect(second.intent === 'import' && second.report).toMatchObject({ applied: true, inserted: 0, unchanged: 1 });
    const { recent } = dataOf(await run(readingsLoader, makeRequest('/monatsinformationen/ablesungen', { cookie: cookies.manager })));
    expect(recent[0]).toMatchObject({ manual: false, fileName: 'funk-november.csv', rows: 1, inserted: 0, unchanged: 1 });
  });

  test('manual entry names the field of each error', async () => {
    const result = dataOf(
      await run(
        readingsAction,
        makeRequest('/monatsinformationen/ablesungen', {
          cookie: cookies.manager,
          form: { intent: 'manual', serial: serial(), readAt: '2026-11-20T06:00', value: '112', unit: 'Einheiten', setDateValue: '' },
        }),
      ),
    );
    expect(result.intent === 'manual' && result.fieldErrors).toEqual({ unit: expect.stringContaining('misst in m³') });
  });
});
