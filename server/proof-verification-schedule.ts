// The nightly Schedule of the proof verification (issue 10): every night at 02:30 German time, when
// the portal is quiet, a run checks every chain, the audit log and the documents. Created or brought
// up to date by every worker at start-up, so a deployment changes it with the code.
import { ScheduleOverlapPolicy, type Client, type ScheduleSpec } from '@temporalio/client';
import { TIME_ZONE } from '../domain/calendar';
import {
  PROOF_VERIFICATION_OBLIGATION,
  PROOF_VERIFICATION_SCHEDULE_ID,
  PROOF_VERIFICATION_WORKFLOW_TYPE,
} from '../domain/contracts/proof-verification';
import type { proofVerificationRun } from '../workflows/proof-verification';
import { SA } from '../workflows/shared/search-attributes';
import { ensureSchedule, withStartupClient } from './schedules';

export const PROOF_VERIFICATION_SPEC: ScheduleSpec = {
  calendars: [{ hour: 2, minute: 30, comment: 'Nächtliche Prüfung der Nachweisketten und des Protokolls' }],
  timezone: TIME_ZONE,
};

export const PROOF_VERIFICATION_POLICIES = {
  // A run still going (a huge installation) is not joined by a second one.
  overlap: ScheduleOverlapPolicy.SKIP,
  // After an outage of a day the missed night is made up once.
  catchupWindow: '1 day',
} as const;

export function ensureProofVerificationSchedule(client: Client, taskQueue: string): Promise<'created' | 'updated'> {
  return ensureSchedule<typeof proofVerificationRun>(client, {
    scheduleId: PROOF_VERIFICATION_SCHEDULE_ID,
    spec: PROOF_VERIFICATION_SPEC,
    action: {
      type: 'startWorkflow',
      workflowType: PROOF_VERIFICATION_WORKFLOW_TYPE,
      // Temporal appends the scheduled time: proof-verification-2026-12-01T01:30:00Z.
      workflowId: PROOF_VERIFICATION_SCHEDULE_ID,
      taskQueue,
      args: [{}],
      typedSearchAttributes: [{ key: SA.obligation, value: PROOF_VERIFICATION_OBLIGATION }],
    },
    policies: PROOF_VERIFICATION_POLICIES,
  });
}

export function ensureProofVerificationScheduleAt(settings: {
  address: string;
  namespace: string;
  taskQueue: string;
}): Promise<'created' | 'updated'> {
  return withStartupClient(settings, (client) => ensureProofVerificationSchedule(client, settings.taskQueue));
}
