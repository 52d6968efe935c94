// The legionella sampling obligation on Temporal's time-skipping test server with the real
// activities and PostgreSQL: reminders and the escalation of the 3-year deadline, a finding that
// informs every current tenant of the property exactly once (portal entry, or a letter for a tenant
// without an account), its re-sampling deadline, and the clean result that closes it.
import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, test } from 'vitest';
import { createDb } from '../db';
import { calendarDate } from '../domain/calendar';
import { addDays, addYears } from '../domain/dates';
import { legionellaWorkflowId } from '../domain/contracts/legionella';
import { createWaterSystem, listWaterSystems, recordHealthOfficeNotified, recordLabResult } from '../server/legionella';
import { createLegionellaObligation } from '../server/legionella-obligation';
import type { SessionUser } from '../server/session';
import { createOrgFixture, createUserFixture, type OrgFixture, sessionUserOf } from '../tests/support/fixtures';
import { settleOutbox } from '../tests/support/outbox-settle';
import { recordHistory, timeSkippingPerTest, type TimeSkipping } from '../tests/support/time-skipping';
import { legionellaStatus } from './shared/legionella';

process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
process.env.DATABASE_URL ??= inject('databaseUrl');

const db = createDb(inject('databaseUrl'));
const today = calendarDate(new Date());
const DAY = 86_400_000;
const HOUR = 3_600_000;
let org: OrgFixture;
let manager: SessionUser;

beforeAll(async () => {
  org = await createOrgFixture(db, { reminderDays: [30, 7] });
  manager = sessionUserOf(org.managers[0]);
});

afterAll(async () => {
  await db.close();
});

let ts: TimeSkipping;
const server = timeSkippingPerTest({ db });
beforeEach(() => {
  ts = server.current;
});

const notices = (dedupeKey: string) => db.models.Notification.findAll({ where: { dedupeKey }, order: [['userId', 'ASC']] });
const ofKind = async (waterSystemId: number, kind: string) =>
  (await db.models.Notification.findAll({ where: { kind } })).filter((n) =>
    n.dedupeKey?.startsWith(`${legionellaWorkflowId(waterSystemId)}:`),
  );

async function newSystem(lastSampledAt: string) {
  const created = await createWaterSystem(
    manager,
    {
      propertyId: org.property.id,
      name: `Warmwasserspeicher ${randomBytes(3).toString('hex')}`,
      large: null,
      storageLitres: 750,
      pipeLitres: 2,
      lastSampledAt,
    },
    { db, client: ts.client, taskQueue: ts.taskQueue },
  );
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
  await settleOutbox(db, ts.client, ts.taskQueue);
  return { ...created, handle: ts.client.workflow.getHandle(legionellaWorkflowId(created.waterSystemId)) };
}

describe('the sampling deadline', () => {
  test('reminds before the 3-year deadline and escalates once when it passes', async () => {
    // Last sampled so that the deadline falls about 20 days after the server's clock. Leap-day
    // clamping may move it a day, so every step is measured from the actual due date, not "today".
    const lastSampledAt = addYears(new Date((await ts.now()) + 20 * DAY).toISOString().slice(0, 10), -3);
    const system = await newSystem(lastSampledAt);
    expect(system.dueAt).toBe(addYears(lastSampledAt, 3));
    const dueMs = Date.parse(`${system.dueAt}T00:00:00Z`);
    const skipTo = async (atMs: number) => ts.skip(atMs - (await ts.now()));
    const reminders = () => ofKind(system.waterSystemId, 'legionella-reminder');
    const escalations = () => ofKind(system.waterSystemId, 'legionella-escalation');
    await ts.skip('1 hour');
    expect(await reminders()).toHaveLength(1); // the 30-day point had passed
    await skipTo(dueMs - 7 * DAY - HOUR);
    expect(await reminders()).toHaveLength(1);
    await skipTo(dueMs - 7 * DAY + HOUR);
    expect(await reminders()).toHaveLength(2); // 7 days before
    await skipTo(dueMs - HOUR);
    expect(await escalations()).toHaveLength(0);
    await skipTo(dueMs + HOUR);
    expect(await escalations()).toHaveLength(1);
    await ts.skip('30 days');
    expect(await escalations()).toHaveLength(1);
    expect(await system.handle.query(legionellaStatus)).toMatchObject({ phase: 'routine', state: 'escalated', dueAt: system.dueAt });

    const clean = await recordLabResult(
      manager,
      { waterSystemId: system.waterSystemId, sampledAt: today, cfuPer100ml: '40', lab: 'Labor Nord', file: null },
      { db, client: ts.client, taskQueue: ts.taskQueue },
    );
    await settleOutbox(db, ts.client, ts.taskQueue);
    expect(clean).toMatchObject({ ok: true, finding: false });
    await ts.skip('1 minute');
    expect(await system.handle.query(legionellaStatus)).toMatchObject({ phase: 'routine', state: 'watching', dueAt: addYears(today, 3) });
    await recordHistory(system.handle, 'deadline-escalation-clean');
    await ts.terminate(system.handle);
  });
});

describe('a finding', () => {
  test('informs every current tenant of the property once and is closed only by a clean result', async () => {
    const unit2 = await db.models.Unit.create({ propertyId: org.property.id, label: 'Whg. 2.01', floor: '2. OG', areaM2: 70 });
    const tenantA = await createUserFixture(db, org.organisation.id, 'tenant');
    const tenantB = await createUserFixture(db, org.organisation.id, 'tenant');
    const { Tenancy } = db.models;
    await Tenancy.create({ unitId: org.unit.id, userId: tenantA.id, tenantName: tenantA.name, startsOn: '2020-01-01', endsOn: null });
    await Tenancy.create({ unitId: unit2.id, userId: tenantB.id, tenantName: tenantB.name, startsOn: '2021-01-01', endsOn: null });
    await Tenancy.create({ unitId: unit2.id, userId: null, tenantName: 'Familie Ohnekonto', startsOn: '2021-01-01', endsOn: null });
    const former = await createUserFixture(db, org.organisation.id, 'tenant');
    await Tenancy.create({ unitId: org.unit.id, userId: former.id, tenantName: former.name, startsOn: '2015-01-01', endsOn: '2019-12-31' });

    const system = await newSystem(addYears(today, -2));
    await ts.skip('1 hour');
    const options = { db, client: ts.client, taskQueue: ts.taskQueue };
    const pdf = { fileName: 'befund.pdf', content: Buffer.from('%PDF-1.4\n% Legionellenbefund\n') };
    const finding = await recordLabResult(
      manager,
      { waterSystemId: system.waterSystemId, sampledAt: today, cfuPer100ml: 1200, lab: 'Labor Süd', file: pdf },
      options,
    );
    await settleOutbox(db, ts.client, ts.taskQueue);
    if (!finding.ok) throw new Error(JSON.stringify(finding.errors));
    expect(finding.finding).toBe(true);
    await ts.skip('1 minute');
    expect(await system.handle.query(legionellaStatus)).toMatchObject({
      phase: 'finding',
      findingResultId: finding.resultId,
      dueAt: addDays(today, 30),
    });

    const tenantKey = `${legionellaWorkflowId(system.waterSystemId)}:finding-${finding.resultId}:tenants`;
    // Telling again (a retried activity) informs nobody twice.
    await createLegionellaObligation({ db, mailer: { send: async () => undefined } as never }).informLegionellaFinding({
      waterSystemId: system.waterSystemId,
      resultId: finding.resultId,
    });
    expect((await notices(tenantKey)).map((n) => n.userId)).toEqual([tenantA.id, tenantB.id].sort((a, b) => a - b));
    const rows = await db.sequelize.query<{ tenantName: string; channel: string }>(
      `SELECT t.tenant_name AS "tenantName", n.channel FROM legionella_tenant_notices n JOIN tenancies t ON t.id = n.tenancy_id WHERE n.result_id = :id ORDER BY t.id`,
      { replacements: { id: finding.resultId }, type: QueryTypes.SELECT },
    );
    expect(rows).toEqual([
      { tenantName: tenantA.name, channel: 'portal' },
      { tenantName: tenantB.name, channel: 'portal' },
      { tenantName: 'Familie Ohnekonto', channel: 'brief' },
    ]);
    expect(await ofKind(system.waterSystemId, 'legionella-finding')).toHaveLength(1);
    const archived = await db.sequelize.query(
      `SELECT archive_version_id FROM legionella_results WHERE id = :id AND archive_version_id IS NOT NULL`,
      {
        replacements: { id: finding.resultId },
        type: QueryTypes.SELECT,
      },
    );
    expect(archived).toHaveLength(1);

    expect(await recordHealthOfficeNotified(manager, { resultId: finding.resultId, notifiedAt: today }, { db })).toEqual({ ok: true });
    const view = (await listWaterSystems(manager, { db })).find((s) => s.id === system.waterSystemId);
    expect(view?.finding).toMatchObject({ healthOfficeNotifiedAt: today, letters: ['Familie Ohnekonto'], informedInPortal: 2 });

    // Re-sampling deadline missed: escalated, still open.
    await ts.skip('31 days');
    expect(await system.handle.query(legionellaStatus)).toMatchObject({ phase: 'finding', state: 'escalated' });
    const clean = await recordLabResult(
      manager,
      { waterSystemId: system.waterSystemId, sampledAt: today, cfuPer100ml: 0, lab: 'Labor Süd', file: null },
      options,
    );
    await settleOutbox(db, ts.client, ts.taskQueue);
    expect(clean).toMatchObject({ ok: true, finding: false });
    await ts.skip('1 minute');
    expect(await system.handle.query(legionellaStatus)).toMatchObject({
      phase: 'routine',
      findingResultId: null,
      dueAt: addYears(today, 3),
    });
    expect(await notices(tenantKey)).toHaveLength(2);
    await recordHistory(system.handle, 'finding-then-clean');
    await ts.terminate(system.handle);
  });
});
