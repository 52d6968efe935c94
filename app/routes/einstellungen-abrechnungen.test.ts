// The statement settings page: managers set the objection-window mode, the cost-data deadline and
// the owners' approval delegation; every other role is refused.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { QueryTypes } from 'sequelize';
import { closeWebResources, cookieFor, createWebFixture, dataOf, makeRequest, run, testDb, type WebFixture } from '../../tests/support/web';
import { costDeadlineDueAt, costDeadlineMonths } from '../../server/cost-deadlines';
import { action, loader } from './einstellungen.abrechnungen';

const database = testDb();
let f: WebFixture;
const cookies = {} as Record<'manager' | 'owner' | 'tenant', string>;

beforeAll(async () => {
  f = await createWebFixture(database);
  Object.assign(cookies, { manager: await cookieFor(f.manager), owner: await cookieFor(f.owner), tenant: await cookieFor(f.tenant) });
});

afterAll(async () => {
  await closeWebResources();
});

const PATH = '/einstellungen/abrechnungen';
const save = (who: keyof typeof cookies, form: Record<string, string>) => run(action, makeRequest(PATH, { cookie: cookies[who], form }));

async function storedMode(): Promise<string | undefined> {
  const [row] = await database.sequelize.query<{ mode: string }>(
    'SELECT objection_deadline_mode AS mode FROM statement_lifecycle_settings WHERE organisation_id = :id',
    { replacements: { id: f.organisation.id }, type: QueryTypes.SELECT },
  );
  return row?.mode;
}

async function delegations(): Promise<Array<{ propertyId: number; userId: number; delegatedBy: number | null }>> {
  return database.sequelize.query(
    `SELECT property_id AS "propertyId", user_id AS "userId", delegated_by AS "delegatedBy"
       FROM statement_approval_delegations WHERE property_id IN (:ids) ORDER BY property_id`,
    { replacements: { ids: [f.property.id, f.otherProperty.id] }, type: QueryTypes.SELECT },
  );
}

describe('Einstellungen · Abrechnungen', () => {
  test('the manager sees the default mode and only owned properties offer delegation', async () => {
    const data = dataOf(await run(loader, makeRequest(PATH, { cookie: cookies.manager })));
    expect(data.mode).toBe('end-of-month');
    const property = data.properties.find((p) => p.id === f.property.id);
    const other = data.properties.find((p) => p.id === f.otherProperty.id);
    expect(property).toMatchObject({ ownerId: f.owner.id, delegated: false });
    expect(other).toMatchObject({ ownerId: null });
    expect(data.settingsPages.map((p) => p.to)).toContain(PATH);
  });

  test('the manager saves exact-day and delegates approval; unchecking removes the delegation', async () => {
    const auditBefore = await database.models.AuditEntry.count({ where: { entity: 'statement-settings' } });
    const saved = dataOf(
      await save('manager', {
        objectionDeadlineMode: 'exact-day',
        costDeadlineMonths: '3',
        [`delegate:${f.property.id}`]: 'on',
        [`delegate:${f.otherProperty.id}`]: 'on',
      }),
    );
    expect(saved.ok).toBe(true);
    expect(await storedMode()).toBe('exact-day');
    // The property without an owner gets no delegation.
    expect(await delegations()).toEqual([{ propertyId: f.property.id, userId: f.owner.id, delegatedBy: f.manager.id }]);
    expect(
      dataOf(await run(loader, makeRequest(PATH, { cookie: cookies.manager }))).properties.find((p) => p.id === f.property.id)?.delegated,
    ).toBe(true);
    expect(await database.models.AuditEntry.count({ where: { entity: 'statement-settings' } })).toBe(auditBefore + 1);

    dataOf(await save('manager', { objectionDeadlineMode: 'end-of-month', costDeadlineMonths: '3' }));
    expect(await storedMode()).toBe('end-of-month');
    expect(await delegations()).toEqual([]);
  });

  test('the cost-data deadline: 3 months by default, the manager sets 1 to 9, audited', async () => {
    expect(dataOf(await run(loader, makeRequest(PATH, { cookie: cookies.manager }))).costDeadlineMonths).toBe(3);
    const auditBefore = await database.models.AuditEntry.count({ where: { entity: 'statement-settings' } });
    expect(dataOf(await save('manager', { objectionDeadlineMode: 'end-of-month', costDeadlineMonths: ' 5 ' })).ok).toBe(true);
    expect(dataOf(await run(loader, makeRequest(PATH, { cookie: cookies.manager }))).costDeadlineMonths).toBe(5);
    expect(await costDeadlineMonths(f.organisation.id, database)).toBe(5);
    // What a new obligation for the 2025 calendar year gets as its deadline (month end kept).
    expect(costDeadlineDueAt('2025-12-31', 5)).toBe('2026-05-31');
    const [audit] = await database.models.AuditEntry.findAll({
      where: { entity: 'statement-settings' },
      order: [['id', 'DESC']],
      limit: 1,
    });
    expect(audit?.details).toMatchObject({ costDeadlineMonths: 5 });
    expect(await database.models.AuditEntry.count({ where: { entity: 'statement-settings' } })).toBe(auditBefore + 1);
    // An organisation that never saved its settings has the default.
    expect(await costDeadlineMonths(-1, database)).toBe(3);
    dataOf(await save('manager', { objectionDeadlineMode: 'end-of-month', costDeadlineMonths: '3' }));
    expect(await costDeadlineMonths(f.organisation.id, database)).toBe(3);
  });

  test.each(['0', '10', '2.5', '-1', 'drei', '', '1e1'])(
    'a cost-data deadline of %j months is refused, naming the field',
    async (value) => {
      const outcome = dataOf(await save('manager', { objectionDeadlineMode: 'exact-day', costDeadlineMonths: value }));
      expect(outcome).toMatchObject({ ok: false, field: 'costDeadlineMonths', value });
      expect(outcome.message).toContain('Abgabefrist für Kostendaten');
      expect(await storedMode()).toBe('end-of-month');
      expect(await costDeadlineMonths(f.organisation.id, database)).toBe(3);
    },
  );

  test('a form without the cost-data deadline is refused', async () => {
    expect(dataOf(await save('manager', { objectionDeadlineMode: 'exact-day' }))).toMatchObject({ ok: false, field: 'costDeadlineMonths' });
    expect(await storedMode()).toBe('end-of-month');
  });

  test('an unknown mode is refused without writing', async () => {
    const outcome = dataOf(await save('manager', { objectionDeadlineMode: 'whenever', [`delegate:${f.property.id}`]: 'on' }));
    expect(outcome.ok).toBe(false);
    expect(await storedMode()).toBe('end-of-month');
    expect(await delegations()).toEqual([]);
  });

  test('tenants and owners are refused (403), also a post from another origin', async () => {
    for (const who of ['tenant', 'owner'] as const) {
      const posted = await save(who, { objectionDeadlineMode: 'exact-day', [`delegate:${f.property.id}`]: 'on' });
      expect(posted.kind === 'response' && posted.status).toBe(403);
      const viewed = await run(loader, makeRequest(PATH, { cookie: cookies[who] }));
      expect(viewed.kind === 'response' && viewed.status).toBe(403);
    }
    const foreign = await run(
      action,
      makeRequest(PATH, { cookie: cookies.manager, form: { objectionDeadlineMode: 'exact-day' }, origin: 'https://evil.example' }),
    );
    expect(foreign.kind === 'response' && foreign.status).toBe(403);
    expect(await storedMode()).toBe('end-of-month');
    expect(await delegations()).toEqual([]);
  });
});
