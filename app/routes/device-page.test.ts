// The device page's state facts: a light written with the row (seed, import) is dated from the
// row, not shown as "–"; a device without a light has no date.
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createDeviceFixture } from '../../tests/support/fixtures';
import { cookieFor, createWebFixture, dataOf, makeRequest, run, testDb, type WebFixture } from '../../tests/support/web';
import { loader } from './geraete.$id';

const database = testDb();
let f: WebFixture;
let cookie: string;

beforeAll(async () => {
  f = await createWebFixture(database);
  cookie = await cookieFor(f.manager);
});

afterAll(async () => {
  await database.close();
});

async function device(id: number) {
  return dataOf(await run(loader, makeRequest(`/geraete/${id}`, { cookie }), { id: String(id) })).device;
}

test('a seeded light is dated from the row; a changed light from its change; no light, no date', async () => {
  const seeded = await device(f.devices.green.id);
  expect(seeded.lightChangedAt).not.toBeNull();
  const [row] = await database.sequelize.query<{ createdAt: Date }>('SELECT created_at AS "createdAt" FROM devices WHERE id = :id', {
    replacements: { id: f.devices.green.id },
    type: QueryTypes.SELECT,
  });
  expect(new Date(seeded.lightChangedAt!).getTime()).toBe(row!.createdAt.getTime());

  const changedAt = new Date('2026-10-01T08:00:00Z');
  await f.devices.yellow.update({ lightChangedAt: changedAt });
  expect(new Date((await device(f.devices.yellow.id)).lightChangedAt!).getTime()).toBe(changedAt.getTime());

  const unknown = await createDeviceFixture(database, { property: f.property, unit: f.unit }, { light: null });
  expect((await device(unknown.id)).lightChangedAt).toBeNull();
});
