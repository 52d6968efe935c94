// What `npm start` and `npm run cluster` do to the app database before the portal opens: migrations,
// the demo portfolio on an empty database, and a first monthly information run for a new demo.
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Db } from '../../db';
import { migrate } from '../../db/migrate';
import { isEmpty, seedDemo } from '../../db/seed/demo';
import { calendarDate } from '../../domain/calendar';
import { temporalClient } from '../../server/temporal';
import { MONTHLY_SCHEDULE_ID } from '../../domain/contracts/monthly';

/**
 * Migrates (as the owner: `db` is the owner's connection; with `appRole` that role gets its rights),
 * and seeds the demo portfolio when the database is empty. True when it seeded.
 */
export async function migrateAndSeedDemo(db: Db, log: (line: string) => void, options: { appRole?: string } = {}): Promise<boolean> {
  const applied = await migrate(db.sequelize, options);
  if (applied.length) log(`Migrations applied: ${applied.join(', ')}`);
  if (!(await isEmpty(db))) return false;
  log('Empty database: seeding the demo portfolio …');
  await seedDemo(db, calendarDate(new Date()));
  return true;
}

/** Triggers the monthly Schedule once a worker has created it. */
export async function triggerFirstMonthlyRun(log: (line: string) => void): Promise<void> {
  const schedule = temporalClient().schedule.getHandle(MONTHLY_SCHEDULE_ID);
  for (let attempt = 0; ; attempt++) {
    try {
      await schedule.trigger(ScheduleOverlapPolicy.SKIP);
      log('Monthly consumption information for last month is being prepared for the demo.');
      return;
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError) || attempt >= 60) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}
