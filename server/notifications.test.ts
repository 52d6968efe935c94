// In-portal notifications: one row per user and dedupe key, however often the activity runs.
import { afterAll, describe, expect, inject, test } from 'vitest';
import { createDb } from '../db';
import { createOrgFixture, uniqueSuffix } from '../tests/support/fixtures';
import { insertNotifications } from './notifications';

const db = createDb(inject('databaseUrl'));

afterAll(() => db.close());

describe('insertNotifications', () => {
  test('running twice (a retried activity) notifies each user once; another key is another notification', async () => {
    const fixture = await createOrgFixture(db, { managers: 2 });
    const userIds = [...fixture.managers.map((m) => m.id), fixture.owner.id];
    const dedupeKey = `test-${uniqueSuffix()}`;
    const input = {
      userIds: [...userIds, userIds[0]],
      kind: 'test',
      title: 'Eichfrist in 30 Tagen',
      body: 'Bitte handeln.',
      link: '/geraete/1',
      dedupeKey,
    };
    await insertNotifications(db, input);
    await insertNotifications(db, input);
    const rows = await db.models.Notification.findAll({ where: { dedupeKey } });
    expect(rows.map((r) => r.userId).sort((a, b) => a - b)).toEqual([...userIds].sort((a, b) => a - b));

    await insertNotifications(db, { ...input, dedupeKey: `${dedupeKey}-next` });
    expect(await db.models.Notification.count({ where: { userId: userIds[0] } })).toBe(2);
  });
});
