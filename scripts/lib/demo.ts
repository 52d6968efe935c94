// What `npm start` and `npm run cluster` do to the app database before the portal opens: migrations,
// the demo portfolio on an empty database, and a first monthly information run for a new demo
// followed by the months before it, so that charts and comparisons have a year of history.
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Db } from '../../db';
import { migrate } from '../../db/migrate';
import { DEMO_LOGINS, isEmpty, seedDemo } from '../../db/seed/demo';
import { READINGS_FROM } from '../../db/seed/readings';
import { calendarDate } from '../../domain/calendar';
import { reportingMonthFor, type YearMonth } from '../../domain/monthly';
import { backfillMonthlyInformation, monthsBefore, waitForScheduledMonthlyRuns } from '../../server/monthly-backfill';
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

/** Months a new demo is informed about before last month's (which the Schedule's first run covers): a year in all. */
export const DEMO_HISTORY_MONTHS = 11;

/** The months before last month that a new demo fills, oldest first; none before the demo's readings begin. */
export function demoHistoryMonths(today: string): YearMonth[] {
  return monthsBefore(reportingMonthFor(today), DEMO_HISTORY_MONTHS, READINGS_FROM.slice(0, 7));
}

/**
 * The history months of the demo that have no completed monthly run: all of them for a new demo,
 * the rest after a first start that was stopped before its history was complete. None for a
 * database that is not the demo's (its manager login is missing): a real portfolio's past months
 * are not invented.
 */
export async function pendingDemoHistoryMonths(db: Db, today: string): Promise<YearMonth[]> {
  const manager = DEMO_LOGINS.find((login) => login.role === 'manager')!;
  if ((await db.models.User.count({ where: { email: manager.email } })) === 0) return [];
  const months = demoHistoryMonths(today);
  const completed = await db.models.MonthlyRun.findAll({
    attributes: ['month'],
    where: { status: 'completed', month: months.map((month) => `${month}-01`) },
    raw: true,
  });
  const done = new Set(completed.map((run) => run.month.slice(0, 7)));
  return months.filter((month) => !done.has(month));
}

/**
 * A year of monthly information for the demo (issue 14 item 7): after the Schedule's run of last
 * month, the given months before it through the same workflow, one month after the other with few
 * properties at a time (2 cores stay responsive); a restart joins or skips what ran.
 */
export async function fillDemoMonthlyHistory(months: readonly YearMonth[], log: (line: string) => void): Promise<void> {
  await waitForScheduledMonthlyRuns();
  if (months.length === 0) return;
  log(`Monthly consumption information for ${months[0]} to ${months.at(-1)} is being prepared for the demo, one month after the other.`);
  const started = await backfillMonthlyInformation(months, { log });
  log(`Demo history of monthly information complete (${started} of ${months.length} months run now).`);
}
