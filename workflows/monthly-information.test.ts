// The monthly information run on Temporal's time-skipping test server, with the real activities
// against the test run's PostgreSQL: fan-out per property, batches, continue-as-new, substitute
// values, idempotent reruns and progress. (Its Schedule needs the dev server: tests/e2e.)
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { Op } from 'sequelize';
import { createDb, type MonthlyInformation } from '../db';
import { verifyDeliveryChain } from '../server/monthly-obligation';
import { createOrgFixture, createUserFixture, uniqueSuffix } from '../tests/support/fixtures';
import { FIXTURE_MONTH, createMonthlyFixture, type FixtureUnitKey, type MonthlyFixture } from '../tests/support/monthly-fixtures';
import { recordHistory, startTimeSkipping, type TimeSkipping, runsFrom } from '../tests/support/time-skipping';
import { monthlyInformationRun } from './monthly-information';
import { getMonthlyPropertyStatus, getMonthlyRunStatus } from './shared/monthly';
import { monthlyNotificationKey, monthlyPropertyWorkflowId, type MonthlyRunInput } from '../domain/contracts/monthly';

const db = createDb(inject('databaseUrl'));
let ts: TimeSkipping;
let f: MonthlyFixture;

beforeAll(async () => {
  ts = await startTimeSkipping({ db });
  const org = await createOrgFixture(db);
  const tenant = await createUserFixture(db, org.organisation.id, 'tenant');
  f = await createMonthlyFixture(db, { org, tenant });
});

afterAll(async () => {
  await ts?.stop();
  await db.close();
});

/** Small batches and low limits, so that a property has three batches and both workflows continue as new. */
function startRun(overrides: Partial<MonthlyRunInput> = {}) {
  return ts.client.workflow.start(monthlyInformationRun, {
    workflowId: `monthly-information-test-${uniqueSuffix()}`,
    taskQueue: ts.taskQueue,
    args: [
      { month: FIXTURE_MONTH, organisationIds: [f.organisation.id], batchSize: 3, maxChildrenPerRun: 1, maxBatchesPerRun: 2, ...overrides },
    ],
  });
}

async function informationOf(key: FixtureUnitKey): Promise<MonthlyInformation> {
  return db.models.MonthlyInformation.findOne({ where: { unitId: f.units[key].id, month: `${FIXTURE_MONTH}-01` }, rejectOnEmpty: true });
}

/** The runs of a workflow, first to last, following continue-as-new from the first run. */
/** The first run of a child workflow, as one of the parent's runs started it. */
async function childFirstRun(parentRuns: string[], parentId: string, childId: string): Promise<string> {
  for (const runId of parentRuns) {
    const history = await ts.client.workflow.getHandle(parentId, runId).fetchHistory();
    for (const event of history.events ?? []) {
      const started = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      if (started?.workflowId === childId && started.runId) return started.runId;
    }
  }
  throw new Error(`${childId} was not started by ${parentId}`);
}

/** Everything a rerun must leave alone: rows, proofs, notifications, e-mails. */
async function snapshot() {
  const unitIds = [...Object.values(f.units), ...f.secondUnits].map((u) => u.id);
  const rows = await db.models.MonthlyInformation.findAll({ where: { unitId: unitIds }, order: [['unitId', 'ASC']], raw: true });
  const events = await db.models.MonthlyDeliveryEvent.count({ where: { informationId: rows.map((r) => r.id) } });
  const notifications = await db.models.Notification.count({ where: { dedupeKey: monthlyNotificationKey(FIXTURE_MONTH) } });
  const mails = await db.models.Mail.count({ where: { dedupeKey: { [Op.like]: `${monthlyNotificationKey(FIXTURE_MONTH)}:%` } } });
  return { rows, events, notifications, mails };
}

describe('a run over the fixture portfolio', () => {
  let first: Awaited<ReturnType<typeof snapshot>>;

  test('publishes the information of every unit and finishes the run', async () => {
    const handle = await startRun();
    const result = await handle.result();
    expect(result).toMatchObject({
      month: FIXTURE_MONTH,
      state: 'completed',
      propertiesTotal: 2,
      propertiesDone: 2,
      propertiesFailed: [],
      unitsTotal: 9,
      unitsDone: 9,
      totals: {
        units: 9,
        published: 9,
        portal: 1,
        noAccount: 6,
        vacant: 1,
        tenantChange: 1,
        estimated: 1,
        notRemoteReadable: 1,
        mailed: 1,
      },
    });
    const run = await db.models.MonthlyRun.findOne({ where: { workflowId: handle.workflowId }, rejectOnEmpty: true });
    expect(run).toMatchObject({ status: 'completed', propertiesTotal: 2, unitsTotal: 9, month: `${FIXTURE_MONTH}-01` });
    const progress = await db.models.MonthlyRunProperty.findAll({ where: { runId: run.id }, raw: true });
    expect(progress.map((p) => [p.unitsDone, p.unitsTotal, p.finishedAt !== null])).toEqual([
      [7, 7, true],
      [2, 2, true],
    ]);
    first = await snapshot();
    expect(first.rows).toHaveLength(9);
    // Both workflows continued as new (one property per run, two batches per run): more than one run each.
    const parentRuns = await runsFrom(ts.client, handle.workflowId, handle.firstExecutionRunId);
    expect(parentRuns).toHaveLength(2);
    const childId = monthlyPropertyWorkflowId(FIXTURE_MONTH, f.property.id);
    const childRuns = await runsFrom(ts.client, childId, await childFirstRun(parentRuns, handle.workflowId, childId));
    expect(childRuns).toHaveLength(2);
    for (const [i, runId] of parentRuns.entries())
      await recordHistory(ts.client.workflow.getHandle(handle.workflowId, runId), `batches-continue-as-new-run-${i + 1}`);
    for (const [i, runId] of childRuns.entries())
      await recordHistory(ts.client.workflow.getHandle(childId, runId), `batches-continue-as-new-run-${i + 1}`);
  });

  test('the tenant’s flat: kWh, the three comparisons, hints and tips; notified and mailed once', async () => {
    const own = await informationOf('own');
    expect(own).toMatchObject({
      delivery: 'portal',
      recipientId: expect.any(Number),
      totalKwh: 280,
      heatingKwh: 230,
      hotWaterKwh: 50,
      changePreviousMonth: 12,
      changePreviousYear: 12,
      changePeers: 13.9,
      estimated: false,
      devicesOk: true,
      remoteReadable: true,
    });
    expect(own.content.comparisons.peers).toMatchObject({ kwh: 245.84, units: 4, basis: 'class', classLabel: '50–70 m²' });
    expect(own.content.hints.map((h) => h.text)).toEqual([
      'Verbrauch 12 % über Vorjahr',
      'Verbrauch 12 % über Vormonat',
      'Verbrauch 14 % über dem Durchschnitt vergleichbarer Wohnungen',
      'Alle Geräte funktionstüchtig',
    ]);
    expect(own.content.tips.length).toBeGreaterThan(0);
    expect(own.content.assumptions).toEqual({ hkvKwhPerUnit: 5, hotWaterTempC: 60, districtHeating: false, source: 'property' });
    expect(own.notifiedAt).not.toBeNull();
    expect(own.mailedAt).not.toBeNull();
    expect(
      await db.models.Notification.count({ where: { userId: own.recipientId!, dedupeKey: monthlyNotificationKey(FIXTURE_MONTH) } }),
    ).toBe(1);
  });

  test('a missing reading gives a marked substitute value (the flat’s own October a year earlier)', async () => {
    const gap = await informationOf('gap');
    expect(gap).toMatchObject({ estimated: true, devicesOk: false, totalKwh: 240, delivery: 'no-account', recipientId: null });
    expect(gap.content.substitutes).toEqual([{ kind: 'heating', method: 'previous-year', kwh: 190 }]);
    expect(gap.content.devices.find((d) => d.serial === f.gapDevice.serial)).toMatchObject({ ok: false });
    expect(gap.content.hints.map((h) => h.text)).toContain('Verbrauch teilweise geschätzt (Ersatzwert)');
  });

  test('vacancy, a change of tenant in the month and devices that are not remotely readable are flagged', async () => {
    expect(await informationOf('vacant')).toMatchObject({ delivery: 'vacant', tenancyId: null, recipientId: null });
    const moved = await informationOf('moved');
    expect(moved).toMatchObject({ delivery: 'tenant-change', recipientId: null, remoteReadable: false });
    expect(moved.content.hints.map((h) => h.text)).toContain('1 Gerät ist nicht fernablesbar');
  });

  test('every unit has its proof of provision, and the chain verifies', async () => {
    const events = await db.models.MonthlyDeliveryEvent.findAll({ where: { informationId: first.rows.map((r) => r.id) }, raw: true });
    expect(events.map((e) => e.kind)).toEqual(Array(9).fill('provided'));
    const own = await informationOf('own');
    expect(events.find((e) => Number(e.informationId) === own.id)).toMatchObject({
      userId: own.recipientId,
      contentSha256: own.contentSha256,
    });
    expect(await verifyDeliveryChain(db)).toMatchObject({ ok: true });
  });

  test('a rerun of the month changes nothing: no row, proof, notification or e-mail more', async () => {
    const result = await (await startRun({ batchSize: 200, maxChildrenPerRun: 500, maxBatchesPerRun: 25 })).result();
    expect(result.totals).toMatchObject({ units: 9, published: 0, mailed: 0 });
    expect(await snapshot()).toEqual(first);
  });

  test('late readings replace the substitute at the next run: revised, proven anew, not announced again', async () => {
    await db.models.Reading.create({
      deviceId: f.gapDevice.id,
      readAt: new Date('2026-11-01T05:00:00Z'),
      value: 100 + 19 * 25,
      unit: 'Einheiten',
      setDateValue: null,
      source: 'import',
    });
    const result = await (await startRun()).result();
    // The flat now counts among the comparable users, so its whole property's averages moved; the other property is untouched.
    expect(result.totals).toMatchObject({ published: 7 });
    expect((await snapshot()).rows.filter((row) => row.propertyId === f.secondProperty.id)).toEqual(
      first.rows.filter((row) => row.propertyId === f.secondProperty.id),
    );
    const gap = await informationOf('gap');
    expect(gap).toMatchObject({ estimated: false, totalKwh: 240, devicesOk: true });
    expect(gap.revisedAt).not.toBeNull();
    expect(await db.models.MonthlyDeliveryEvent.count({ where: { informationId: gap.id, kind: 'provided' } })).toBe(2);
    const now = await snapshot();
    expect([now.notifications, now.mails]).toEqual([first.notifications, first.mails]);
  });
});

test('progress: the run and each property answer getStatus, also once finished', async () => {
  const handle = await startRun({ batchSize: 2, maxChildrenPerRun: 500, maxBatchesPerRun: 25 });
  const seen: number[] = [];
  for (let i = 0; i < 200; i++) {
    const status = await handle.query(getMonthlyRunStatus).catch(() => null);
    if (status) seen.push(status.unitsDone);
    if (status?.state === 'completed') break;
  }
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
  expect(await handle.query(getMonthlyRunStatus)).toMatchObject({ state: 'completed', unitsDone: 9, unitsTotal: 9, propertiesDone: 2 });
  const child = ts.client.workflow.getHandle(monthlyPropertyWorkflowId(FIXTURE_MONTH, f.property.id));
  expect(await child.query(getMonthlyPropertyStatus)).toMatchObject({
    state: 'completed',
    unitsDone: 7,
    unitsTotal: 7,
    propertyId: f.property.id,
  });
});
