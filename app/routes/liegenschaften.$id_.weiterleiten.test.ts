// Issue 14 item 3: besides statements, a manager forwards a property's monthly-information summary
// and its register report to the owner; the owner sees each with its own delivery record and opens
// it, scoped to what was addressed to them while the property is theirs. Real PostgreSQL, the routes'
// loaders and actions with real session cookies; the month published by the monthly activities.
import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { User } from '../../db';
import { cookieFor, dataOf, makeRequest, run, testDb } from '../../tests/support/web';
import { createUserFixture } from '../../tests/support/fixtures';
import { FIXTURE_MONTH, createMonthlyFixture, publishFixtureMonth, type MonthlyFixture } from '../../tests/support/monthly-fixtures';
import { action as forwardAction } from './liegenschaften.$id_.weiterleiten';
import { loader as monthLoader } from './monatsinformationen.$month';
import { loader as registerLoader } from './geraete._index';
import { loader as reportLoader } from './geraete.bericht[.pdf]';
import { action as openAction, loader as listLoader } from './weiterleitungen';

process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
const database = testDb();

let fixture: MonthlyFixture;
let manager: User;
let otherOwner: User;
const cookies: Record<'manager' | 'owner' | 'tenant' | 'otherOwner', string> = { manager: '', owner: '', tenant: '', otherOwner: '' };

beforeAll(async () => {
  fixture = await createMonthlyFixture(database);
  await publishFixtureMonth(database, fixture);
  manager = fixture.managers[0]!;
  otherOwner = await createUserFixture(database, fixture.organisation.id, 'owner');
  const tenant = await createUserFixture(database, fixture.organisation.id, 'tenant');
  Object.assign(cookies, {
    manager: await cookieFor(manager),
    owner: await cookieFor(fixture.owner),
    tenant: await cookieFor(tenant),
    otherOwner: await cookieFor(otherOwner),
  });
}, 120_000);

afterAll(async () => {
  await database.close();
});

const forward = (who: keyof typeof cookies, propertyId: number, form: Record<string, string>, origin?: string) =>
  run(forwardAction, makeRequest(`/liegenschaften/${propertyId}/weiterleiten`, { cookie: cookies[who], form, origin }), {
    id: String(propertyId),
  });
const statusOf = (outcome: Awaited<ReturnType<typeof forward>>) => (outcome.kind === 'response' ? outcome.status : 200);
const location = (outcome: Awaited<ReturnType<typeof forward>>) =>
  outcome.kind === 'response' ? outcome.response.headers.get('Location') : null;
const forwardRows = () =>
  database.sequelize.query<{ id: string; kind: string; ref: string; ownerId: number; forwardedBy: number; openedAt: Date | null }>(
    `SELECT id, document_kind AS kind, document_ref AS ref, owner_id AS "ownerId", forwarded_by AS "forwardedBy", opened_at AS "openedAt"
       FROM owner_forwards WHERE property_id IN (:ids) ORDER BY id`,
    { replacements: { ids: [fixture.property.id, fixture.secondProperty.id] }, type: QueryTypes.SELECT },
  );
const auditActions = async () =>
  (await database.models.AuditEntry.findAll({ where: { entity: 'property', entityId: String(fixture.property.id) }, raw: true })).map(
    (a) => a.action,
  );
const monthly = { art: 'monatsinformation', monat: FIXTURE_MONTH };

describe('forwarding a monthly summary or a register report to the owner', () => {
  test('only managers, from the own origin, with a valid kind and month, where there is something and an owner', async () => {
    const propertyId = fixture.property.id;
    expect(statusOf(await forward('owner', propertyId, monthly))).toBe(403);
    expect(statusOf(await forward('manager', propertyId, monthly, 'https://evil.example'))).toBe(403);
    expect(statusOf(await forward('manager', propertyId, { art: 'brief' }))).toBe(400);
    expect(statusOf(await forward('manager', propertyId, { art: 'monatsinformation', monat: '2026-13' }))).toBe(400);
    expect(location(await forward('manager', propertyId, { art: 'monatsinformation', monat: '2020-01' }))).toBe(
      `/monatsinformationen/2020-01?liegenschaft=${propertyId}&weiterleitung=empty#weiterleitung`,
    );
    // The second property has information for the month but no owner with an account.
    expect(location(await forward('manager', fixture.secondProperty.id, monthly))).toBe(
      `/monatsinformationen/${FIXTURE_MONTH}?liegenschaft=${fixture.secondProperty.id}&weiterleitung=owner#weiterleitung`,
    );
    expect(await forwardRows()).toEqual([]);
  });

  test('each forward is one delivery record with a notice, also when sent twice; audited', async () => {
    const propertyId = fixture.property.id;
    expect(location(await forward('manager', propertyId, monthly))).toBe(
      `/monatsinformationen/${FIXTURE_MONTH}?liegenschaft=${propertyId}&weiterleitung=ok#weiterleitung`,
    );
    await forward('manager', propertyId, monthly);
    const type = fixture.devices.own[0]!.type;
    const register = { art: 'geraetebericht', type, light: 'bogus', serial: '' };
    expect(location(await forward('manager', propertyId, register))).toBe(
      `/geraete?property=${propertyId}&type=${type}&weiterleitung=ok#weiterleitung`,
    );
    await forward('manager', propertyId, register);

    const rows = await forwardRows();
    expect(rows.map((r) => r.kind)).toEqual(['monthly-summary', 'register-report']);
    expect(rows[0]).toMatchObject({ ref: FIXTURE_MONTH, ownerId: fixture.owner.id, forwardedBy: manager.id, openedAt: null });
    expect(rows[1]!.ref).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2}\\?property=${propertyId}&type=${type}$`));
    const notices = await database.models.Notification.findAll({ where: { userId: fixture.owner.id }, raw: true });
    expect(notices.map((n) => n.kind).sort()).toEqual(['monthly-summary-forwarded', 'register-report-forwarded']);
    expect(notices.every((n) => n.link === '/weiterleitungen')).toBe(true);
    const actions = await auditActions();
    expect(actions.filter((a) => a === 'monthly-summary.forwarded-to-owner')).toHaveLength(2);
    expect(actions).toContain('register-report.forwarded-to-owner');
  });

  test('the pages offer it for one property and show the outcome', async () => {
    const propertyId = fixture.property.id;
    const month = dataOf(
      await run(
        monthLoader,
        makeRequest(`/monatsinformationen/${FIXTURE_MONTH}?liegenschaft=${propertyId}&weiterleitung=ok`, { cookie: cookies.manager }),
        { month: FIXTURE_MONTH },
      ),
    );
    expect(month.canForward).toBe(true);
    expect(month.forwardMessage).toEqual({ ok: true, message: expect.stringContaining('weitergeleitet') });
    const all = dataOf(
      await run(monthLoader, makeRequest(`/monatsinformationen/${FIXTURE_MONTH}`, { cookie: cookies.manager }), { month: FIXTURE_MONTH }),
    );
    expect(all.canForward).toBe(false);
    const devices = dataOf(await run(registerLoader, makeRequest(`/geraete?property=${propertyId}`, { cookie: cookies.manager })));
    expect(devices.canForward).toBe(true);
    const ownersView = dataOf(await run(registerLoader, makeRequest(`/geraete?property=${propertyId}`, { cookie: cookies.owner })));
    expect(ownersView.canForward).toBe(false);
  });

  test('the owner sees and opens them (first opening recorded); nobody else does, nor the owner once the property is sold', async () => {
    const list = dataOf(await run(listLoader, makeRequest('/weiterleitungen', { cookie: cookies.owner })));
    const byKind = Object.fromEntries(list.forwards.map((f) => [f.documentKind, f]));
    expect(Object.keys(byKind).sort()).toEqual(['monthly-summary', 'register-report']);
    expect(byKind['monthly-summary']).toMatchObject({ forwardedByName: manager.name, openedAt: null });
    expect(dataOf(await run(listLoader, makeRequest('/weiterleitungen', { cookie: cookies.otherOwner }))).forwards).toEqual([]);

    const summaryId = String(byKind['monthly-summary']!.id);
    const reportId = String(byKind['register-report']!.id);
    const open = (who: keyof typeof cookies, id: string) =>
      run(openAction, makeRequest('/weiterleitungen', { cookie: cookies[who], form: { forward: id } }));
    expect(statusOf(await open('otherOwner', summaryId))).toBe(404);
    expect(statusOf(await open('manager', summaryId))).toBe(404);
    expect(statusOf(await open('tenant', summaryId))).toBe(403);
    const other = dataOf(await run(listLoader, makeRequest(`/weiterleitungen?dokument=${summaryId}`, { cookie: cookies.otherOwner })));
    expect(other.shown).toBeNull();

    expect(location(await open('owner', summaryId))).toBe(`/weiterleitungen?dokument=${summaryId}#dokument`);
    const shown = dataOf(await run(listLoader, makeRequest(`/weiterleitungen?dokument=${summaryId}`, { cookie: cookies.owner }))).shown!;
    const [published] = await database.sequelize.query<{ informed: number; units: number; totalKwh: string }>(
      `SELECT count(*)::int AS informed, (SELECT count(*) FROM units WHERE property_id = :id)::int AS units, sum(total_kwh)::text AS "totalKwh"
         FROM monthly_information WHERE property_id = :id AND month = :month`,
      { replacements: { id: fixture.property.id, month: `${FIXTURE_MONTH}-01` }, type: QueryTypes.SELECT },
    );
    expect(published!.informed).toBeGreaterThan(0);
    expect(shown.month).toBe(FIXTURE_MONTH);
    expect(shown.summary).toMatchObject({ informed: published!.informed, units: published!.units, totalKwh: published!.totalKwh });
    // The own flat used 12 % more than in October 2025 (the fixture), so the property's change is known.
    expect(shown.summary.changePreviousYear).not.toBeNull();

    const reportPath = location(await open('owner', reportId))!;
    expect(reportPath).toBe(`/geraete/bericht.pdf?property=${fixture.property.id}&type=${fixture.devices.own[0]!.type}`);
    const report = await run(reportLoader, makeRequest(reportPath, { cookie: cookies.owner }));
    expect(report.kind === 'response' && report.response.headers.get('Content-Type')).toBe('application/pdf');

    const firstOpenings = (await forwardRows()).map((r) => r.openedAt);
    expect(firstOpenings.every((at) => at instanceof Date)).toBe(true);
    await open('owner', summaryId);
    expect((await forwardRows()).map((r) => r.openedAt)).toEqual(firstOpenings);
    const actions = await auditActions();
    expect(actions.filter((a) => a === 'monthly-summary.forward-opened')).toHaveLength(1);
    expect(actions.filter((a) => a === 'register-report.forward-opened')).toHaveLength(1);

    // Sold: the former owner no longer sees or opens what was forwarded about the property.
    await database.sequelize.query('UPDATE properties SET owner_id = :ownerId WHERE id = :id', {
      replacements: { ownerId: otherOwner.id, id: fixture.property.id },
    });
    expect(dataOf(await run(listLoader, makeRequest('/weiterleitungen', { cookie: cookies.owner }))).forwards).toEqual([]);
    expect(statusOf(await open('owner', summaryId))).toBe(404);
    expect(dataOf(await run(listLoader, makeRequest('/weiterleitungen', { cookie: cookies.otherOwner }))).forwards).toEqual([]);
  }, 120_000);
});
