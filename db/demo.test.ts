// The demo seed looks like the brochure's well-run portfolio: nearly every device green, a few
// real problems (some yellow, some red), not a tenth of the register in red.
import { QueryTypes } from 'sequelize';
import { afterAll, expect, test } from 'vitest';
import { seedDemo } from './seed/demo';
import { calendarDate } from '../domain/calendar';
import { testDb } from '../tests/support/web';

const database = testDb();

afterAll(async () => {
  await database.close();
});

test('most devices green, a handful yellow and red', { timeout: 300_000 }, async () => {
  const { organisationId } = await seedDemo(database, calendarDate(new Date()));
  const rows = await database.sequelize.query<{ light: string | null; n: number }>(
    `SELECT d.light, count(*)::int AS n FROM devices d JOIN properties p ON p.id = d.property_id
      WHERE p.organisation_id = :organisationId AND d.removed_at IS NULL GROUP BY d.light`,
    { replacements: { organisationId }, type: QueryTypes.SELECT },
  );
  const count = (light: string) => rows.find((r) => r.light === light)?.n ?? 0;
  const total = rows.reduce((sum, r) => sum + r.n, 0);
  expect(total).toBeGreaterThan(1500);
  expect(count('red')).toBeGreaterThanOrEqual(1);
  expect(count('yellow')).toBeGreaterThanOrEqual(1);
  // "A handful": at most 1.5 % red and 4 % yellow (the demo had 135 of 1,993 red).
  expect(count('red') / total).toBeLessThanOrEqual(0.015);
  expect(count('yellow') / total).toBeLessThanOrEqual(0.04);
});
