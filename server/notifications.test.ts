// In-portal notifications: one row per user and dedupe key, however often the activity runs.
import { afterAll, describe, expect, inject, test } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDb } from '../db';
import { createOrgFixture, uniqueSuffix } from '../tests/support/fixtures';
import { createNotificationActivities } from './notifications';

const db = createDb(inject('databaseUrl'));
const { notifyUsers } = createNotificationActivities({ db });

afterAll(() => db.close());

describe('notifyUsers', () => {
  test('running twice (a retry) notifies each user once; another key is another notification', async () => {
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
    const env = new MockActivityEnvironment();

    await env.run(notifyUsers, input);
    await env.run(notifyUsers, input);
    const rows = await db.models.Notification.findAll({ where: { dedupeKey } });
    expect(rows.map((r) => r.userId).sort((a, b) => a - b)).toEqual([...userIds].sort((a, b) => a - b));

    await env.run(notifyUsers, { ...input, dedupeKey: `${dedupeKey}-next` });
    expect(await db.models.Notification.count({ where: { userId: userIds[0] } })).toBe(2);
  });
});
