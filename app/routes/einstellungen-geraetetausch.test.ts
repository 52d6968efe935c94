// The device-exchange settings page: managers set the lead time (14–365 days), audited; a refused
// value names the field and changes nothing; other roles are refused.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { QueryTypes } from 'sequelize';
import { closeWebResources, cookieFor, createWebFixture, dataOf, makeRequest, run, testDb, type WebFixture } from '../../tests/support/web';
import { DEFAULT_EXCHANGE_LEAD_DAYS } from '../../domain/contracts/device-exchange';
import { action, loader } from './einstellungen.geraetetausch';

const database = testDb();
let f: WebFixture;
const cookies = {} as Record<'manager' | 'technician' | 'tenant', string>;

beforeAll(async () => {
  f = await createWebFixture(database);
  Object.assign(cookies, {
    manager: await cookieFor(f.manager),
    technician: await cookieFor(f.technician),
    tenant: await cookieFor(f.tenant),
  });
});

afterAll(async () => {
  await closeWebResources();
});

const PATH = '/einstellungen/geraetetausch';
const save = (who: keyof typeof cookies, leadDays: string) => run(action, makeRequest(PATH, { cookie: cookies[who], form: { leadDays } }));
const stored = async () => (await database.models.Organisation.findByPk(f.organisation.id))!.deviceExchangeLeadDays;
const leadTimeEntries = () =>
  database.sequelize
    .query<{ count: number }>(
      "SELECT count(*)::int AS count FROM workflow_outbox WHERE kind = 'device-lead-time' AND payload->>'organisationId' = :id",
      { replacements: { id: String(f.organisation.id) }, type: QueryTypes.SELECT },
    )
    .then(([row]) => row?.count ?? 0);
const audits = () =>
  database.models.AuditEntry.count({ where: { entity: 'device-exchange-settings', entityId: String(f.organisation.id) } });

describe('Einstellungen · Gerätetausch', () => {
  test('the manager sees the default lead time and the page in the settings navigation', async () => {
    const data = dataOf(await run(loader, makeRequest(PATH, { cookie: cookies.manager })));
    expect(data.leadDays).toBe(DEFAULT_EXCHANGE_LEAD_DAYS);
    expect(data.settingsPages.map((p) => p.to)).toContain(PATH);
  });

  test('the manager saves 30 days: stored and audited with the previous value', async () => {
    const before = await audits();
    const outboxBefore = await leadTimeEntries();
    const [{ devices } = { devices: 0 }] = await database.sequelize.query<{ devices: number }>(
      `SELECT count(*)::int AS devices FROM devices d JOIN properties p ON p.id = d.property_id
        WHERE p.organisation_id = :id AND d.unit_id IS NOT NULL AND d.successor_id IS NULL AND d.removed_at IS NULL`,
      { replacements: { id: f.organisation.id }, type: QueryTypes.SELECT },
    );
    expect(devices).toBeGreaterThan(0);
    expect(dataOf(await save('manager', ' 30 '))).toEqual({
      ok: true,
      message: `Die Einstellung ist gespeichert. Die Geräte (${devices}) planen ihre Terminangebote neu.`,
    });
    expect(await stored()).toBe(30);
    // The running device workflows are told through the outbox, written with the setting.
    expect(await leadTimeEntries()).toBe(outboxBefore + 1);
    expect(await audits()).toBe(before + 1);
    const entry = await database.models.AuditEntry.findOne({
      where: { entity: 'device-exchange-settings', entityId: String(f.organisation.id) },
      order: [['id', 'DESC']],
    });
    expect(entry!.details).toMatchObject({ leadDays: 30, previousLeadDays: DEFAULT_EXCHANGE_LEAD_DAYS });
    expect(dataOf(await run(loader, makeRequest(PATH, { cookie: cookies.manager }))).leadDays).toBe(30);
  });

  test.each(['13', '366', '30.5', 'sechzig', ''])('%j is refused naming the field, nothing changes', async (value) => {
    const before = { days: await stored(), audits: await audits() };
    expect(dataOf(await save('manager', value))).toEqual({
      ok: false,
      message: 'Vorlauf für den Gerätetausch: bitte eine ganze Zahl von 14 bis 365 Tagen angeben.',
      value,
    });
    expect({ days: await stored(), audits: await audits() }).toEqual(before);
  });

  test('technicians and tenants may neither read nor change it', async () => {
    for (const who of ['technician', 'tenant'] as const) {
      expect(await run(loader, makeRequest(PATH, { cookie: cookies[who] }))).toMatchObject({ kind: 'response', status: 403 });
      expect(await save(who, '20')).toMatchObject({ kind: 'response', status: 403 });
    }
    expect(await stored()).toBe(30);
  });
});
