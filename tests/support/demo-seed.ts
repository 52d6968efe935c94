// The demo portfolio in the test run's database: its users and serials are fixed, so it is seeded
// once per run, by whichever test file needs it first; the others find it.
import type { Db } from '../../db';
import { DEMO_LOGINS, seedDemo } from '../../db/seed/demo';
import { calendarDate } from '../../domain/calendar';

/** The demo's organisation, seeded now if this run has none yet. */
export async function seededDemo(database: Db): Promise<{ organisationId: number }> {
  const manager = await database.models.User.findOne({ where: { email: DEMO_LOGINS[0]!.email }, attributes: ['organisationId'] });
  if (manager) return { organisationId: manager.organisationId };
  return seedDemo(database, calendarDate(new Date()));
}
