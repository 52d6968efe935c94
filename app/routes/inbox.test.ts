// The calm inbox through its loader and action with real sessions on real PostgreSQL: notices
// grouped per German day, property and kind with counts; filters; a group or the filtered view
// marked read at once; another user's notices untouched.
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { User } from '../../db';
import { insertNotifications } from '../../server/notifications';
import { uniqueSuffix } from '../../tests/support/fixtures';
import { cookieFor, createWebFixture, dataOf, makeRequest, run, testDb, type WebFixture } from '../../tests/support/web';
import { action, loader } from './benachrichtigungen';

const database = testDb();
let f: WebFixture;
let manager: User;
let cookie: string;

async function notice(
  kind: string,
  propertyId: number | null,
  createdAt: string,
  urgency: 'urgent' | 'routine' = 'routine',
  userId = manager.id,
) {
  const dedupeKey = `inbox-test-${uniqueSuffix()}`;
  await insertNotifications(database, {
    userIds: [userId],
    kind,
    title: `${kind} ${dedupeKey}`,
    body: 'Text',
    dedupeKey,
    urgency,
    propertyId,
  });
  await database.sequelize.query('UPDATE notifications SET created_at = :createdAt WHERE dedupe_key = :dedupeKey', {
    replacements: { createdAt, dedupeKey },
  });
}

beforeAll(async () => {
  f = await createWebFixture(database);
  manager = f.manager;
  cookie = await cookieFor(manager);
  // Yesterday (German time): five reminders for the property, one escalation; two for the other property.
  for (let i = 0; i < 5; i++) await notice('device-reminder', f.property.id, `2026-11-29T0${i}:00:00+01:00`);
  await notice('device-escalation', f.property.id, '2026-11-29T09:00:00+01:00', 'urgent');
  await notice('device-reminder', f.otherProperty.id, '2026-11-29T10:00:00+01:00');
  await notice('device-reminder', f.otherProperty.id, '2026-11-29T11:00:00+01:00');
  // 23:30 UTC on the 29th is already the 30th in Germany.
  await notice('ticket-created', f.property.id, '2026-11-29T23:30:00Z');
  await notice('account-welcome', null, '2026-11-30T08:00:00+01:00');
  // Someone else's notice about the same property.
  await notice('device-reminder', f.property.id, '2026-11-29T05:00:00+01:00', 'routine', f.otherTenant.id);
});

afterAll(async () => {
  await database.close();
});

async function page(query = '') {
  return dataOf(await run(loader, makeRequest(`/benachrichtigungen${query}`, { cookie })));
}

async function post(form: Record<string, string>) {
  return run(action, makeRequest('/benachrichtigungen', { cookie, form }));
}

describe('groups', () => {
  test('per German day, property and kind, newest first, with counts and the newest three entries', async () => {
    const { groups, facets } = await page();
    expect(groups.map((g) => [g.day, g.propertyId, g.category, g.total, g.unread, g.urgent, g.entries.length])).toEqual([
      ['2026-11-30', null, 'other', 1, 1, 0, 1],
      ['2026-11-30', f.property.id, 'ticket', 1, 1, 0, 1],
      ['2026-11-29', f.otherProperty.id, 'device', 2, 2, 0, 2],
      ['2026-11-29', f.property.id, 'device', 6, 6, 1, 3],
    ]);
    const devices = groups[3]!;
    expect(devices.propertyName).toBe(f.property.name);
    expect(devices.entries[0]!.urgency).toBe('urgent');
    expect(facets.unread).toBe(10);
    expect(facets.categories).toEqual([
      { category: 'device', unread: 8, total: 8 },
      { category: 'ticket', unread: 1, total: 1 },
      { category: 'other', unread: 1, total: 1 },
    ]);
    expect(facets.properties.map((p) => [p.id, p.unread]).sort()).toEqual(
      [
        [f.property.id, 7],
        [f.otherProperty.id, 2],
      ].sort(),
    );
  });

  test('filters: kind, property, none, one day (all of a group’s entries)', async () => {
    expect((await page('?kind=ticket')).groups.map((g) => g.category)).toEqual(['ticket']);
    expect((await page(`?property=${f.otherProperty.id}`)).groups.map((g) => g.total)).toEqual([2]);
    expect((await page('?property=0')).groups.map((g) => g.category)).toEqual(['other']);
    const full = await page(`?kind=device&property=${f.property.id}&day=2026-11-29`);
    expect(full.groups).toHaveLength(1);
    expect(full.groups[0]!.entries).toHaveLength(6);
    // Unknown values are ignored.
    expect((await page('?kind=nonsense&day=30.11.2026')).groups).toHaveLength(4);
  });
});

describe('marking read', () => {
  test('a group at once, then what a filter shows, then the rest; never someone else’s', async () => {
    const group = await post({ intent: 'read-group', kind: 'device', property: String(f.property.id), day: '2026-11-29' });
    expect(group).toMatchObject({ kind: 'data', data: { changed: 6 } });
    expect((await page('?status=unread')).groups.map((g) => g.category)).toEqual(['other', 'ticket', 'device']);

    const filtered = await post({ intent: 'read-all', property: String(f.otherProperty.id) });
    expect(filtered).toMatchObject({ kind: 'data', data: { changed: 2 } });
    expect((await page()).facets.unread).toBe(2);

    expect(await post({ intent: 'read-all' })).toMatchObject({ kind: 'data', data: { changed: 2 } });
    expect((await page()).facets.unread).toBe(0);
    expect((await page('?status=unread')).groups).toEqual([]);

    const [theirs] = await database.sequelize.query<{ unread: number }>(
      'SELECT count(*)::int AS unread FROM notifications WHERE user_id = :id AND read_at IS NULL',
      { replacements: { id: f.otherTenant.id }, type: QueryTypes.SELECT },
    );
    expect(theirs?.unread).toBe(1);
  });

  test('a group without its day is refused with a clear message; a POST from elsewhere is refused', async () => {
    const outcome = await post({ intent: 'read-group', kind: 'device' });
    expect(outcome.kind === 'response' && outcome.status).toBe(400);
    const foreign = await run(
      action,
      makeRequest('/benachrichtigungen', { cookie, form: { intent: 'read-all' }, origin: 'https://evil.example' }),
    );
    expect(foreign.kind === 'response' && foreign.status).toBe(403);
  });
});
