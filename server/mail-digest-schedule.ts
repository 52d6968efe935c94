// The Temporal Schedule of the notice digest: every day at 07:00 German time (Mondays with the
// weekly digests too). Created or brought up to date by every worker at start-up.
import { ScheduleOverlapPolicy, type Client, type ScheduleSpec } from '@temporalio/client';
import { TIME_ZONE } from '../domain/calendar';
import {
  MAIL_DIGEST_HOUR,
  MAIL_DIGEST_OBLIGATION,
  MAIL_DIGEST_SCHEDULE_ID,
  MAIL_DIGEST_WORKFLOW_TYPE,
} from '../domain/contracts/mail-digest';
import type { mailDigestRun } from '../workflows/mail-digest';
import { SA } from '../workflows/shared/search-attributes';
import { ensureSchedule, withStartupClient } from './schedules';

export const MAIL_DIGEST_SCHEDULE_SPEC: ScheduleSpec = {
  calendars: [{ hour: MAIL_DIGEST_HOUR, minute: 0, comment: 'Zusammenfassung der Benachrichtigungen' }],
  timezone: TIME_ZONE,
};

export const MAIL_DIGEST_SCHEDULE_POLICIES = {
  overlap: ScheduleOverlapPolicy.SKIP,
  // After an outage the missed morning's digest still goes out the same day; older ones are folded
  // into the next run (the notices wait until a digest includes them).
  catchupWindow: '12 hours',
} as const;

export function ensureMailDigestSchedule(client: Client, taskQueue: string): Promise<'created' | 'updated'> {
  return ensureSchedule<typeof mailDigestRun>(client, {
    scheduleId: MAIL_DIGEST_SCHEDULE_ID,
    spec: MAIL_DIGEST_SCHEDULE_SPEC,
    action: {
      type: 'startWorkflow',
      workflowType: MAIL_DIGEST_WORKFLOW_TYPE,
      workflowId: MAIL_DIGEST_SCHEDULE_ID,
      taskQueue,
      args: [{}],
      typedSearchAttributes: [{ key: SA.obligation, value: MAIL_DIGEST_OBLIGATION }],
    },
    policies: MAIL_DIGEST_SCHEDULE_POLICIES,
  });
}

export function ensureMailDigestScheduleAt(settings: { address: string; namespace: string; taskQueue: string }) {
  return withStartupClient(settings, (client) => ensureMailDigestSchedule(client, settings.taskQueue));
}
