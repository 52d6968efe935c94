// The notice digest run (issue 14 item 4), started every morning by a Temporal Schedule
// (server/mail-digest-schedule.ts): one activity mails each due user one digest of the routine
// notices left for it. The date and cutoff come from the run's own start, so a retried or delayed
// activity works on the same period.
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { calendarDate } from '../domain/calendar';
import { isDate } from '../domain/dates';
import { WEEKLY_DIGEST_WEEKDAY, isoWeekday, type MailDigestInput, type MailDigestResult } from '../domain/contracts/mail-digest';

// Heartbeats per page of users: a worker that dies mid-run is noticed within a minute and the next
// attempt resumes after the last page reported.
const { sendMailDigests } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export async function mailDigestRun(input: MailDigestInput = {}): Promise<MailDigestResult> {
  const now = new Date();
  const date = input.date ?? calendarDate(now);
  if (!isDate(date)) throw ApplicationFailure.nonRetryable(`date: not a date YYYY-MM-DD: ${date}`, 'InvalidDate');
  return sendMailDigests({
    date,
    weekly: isoWeekday(date) === WEEKLY_DIGEST_WEEKDAY,
    cutoff: now.toISOString(),
    pageSize: input.pageSize,
    organisationIds: input.organisationIds,
  });
}
