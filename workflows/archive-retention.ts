// One workflow per archived document version (id `retention-<versionId>`): the durable timer of its
// retention period (docs/archive-retention.md). When the period ends the managers are asked once to
// approve the deletion; the deletion itself leaves a tombstone. A legal hold covering the document
// stops the timer (the workflow then waits only for the hold's release) and refuses the deletion;
// the database refuses it as well (trigger archive_version_guard), so a race cannot slip through.
//
// Deterministic code only. VERSIONING: guard changes with patched(). Patches:
// - OVERDUE_ATTRIBUTE_PATCH: tracks KlarOverdue beside the workflow (workflows/shared/overdue.ts).
import { ActivityFailure, ApplicationFailure, condition, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { retentionEndMs } from '../domain/archive';
import {
  ARCHIVE_VERSION_GONE,
  RETENTION_OBLIGATION,
  type RetentionInput,
  type RetentionState,
  type RetentionStatus,
} from '../domain/contracts/retention';
import { approveDeletion, holdsChanged, retentionStatus } from './shared/retention';
import { SA } from './shared/search-attributes';
import { trackOverdue } from './shared/overdue';

const { retentionHeld, announceRetentionEnd, deleteArchiveVersion } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: [ARCHIVE_VERSION_GONE],
  },
});

function isGone(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === ARCHIVE_VERSION_GONE;
}

export async function archiveRetention(input: RetentionInput): Promise<RetentionStatus> {
  trackOverdue();
  const endsMs = retentionEndMs(input.retentionUntil);
  let state: RetentionState = 'retaining';
  let held = false;
  let holdsDirty = true;
  let announcedAt: string | null = null;
  let deletedAt: string | null = null;
  let approval: { userId: number } | null = null;
  // Read through a function: handlers change it between awaits, which TypeScript's narrowing cannot see.
  const approvedBy = (): number | null => approval?.userId ?? null;

  const status = (): RetentionStatus => ({
    versionId: input.versionId,
    documentId: input.documentId,
    state,
    retentionUntil: input.retentionUntil,
    endsAt: new Date(endsMs).toISOString(),
    held,
    announcedAt,
    deletedAt,
    approvedBy: approvedBy(),
  });

  let published: RetentionState | null = null;
  const publish = (next: RetentionState) => {
    state = next;
    if (published === next) return;
    upsertSearchAttributes([
      { key: SA.obligation, value: RETENTION_OBLIGATION },
      { key: SA.dueAt, value: new Date(endsMs) },
      { key: SA.state, value: next },
    ]);
    published = next;
  };

  setHandler(retentionStatus, status);
  setHandler(holdsChanged, () => {
    holdsDirty = true;
  });
  setHandler(
    approveDeletion,
    async ({ userId }) => {
      approval = { userId };
      await condition(() => state === 'deleted' || state === 'held' || state === 'gone' || approval === null);
      return status();
    },
    {
      validator: ({ userId }) => {
        if (!Number.isInteger(userId) || userId <= 0) throw new Error('userId: expected a positive integer');
        if (state === 'deleted') throw new Error('Dieser Nachweis ist bereits gelöscht.');
        if (held) throw new Error('Der Nachweis unterliegt einer Aufbewahrungssperre (Legal Hold) und darf nicht gelöscht werden.');
        if (state !== 'awaiting-approval') throw new Error('Die Aufbewahrungsfrist läuft noch; vorher darf nichts gelöscht werden.');
        if (approval !== null) throw new Error('Die Löschung ist bereits freigegeben.');
      },
    },
  );

  try {
    for (;;) {
      if (holdsDirty) {
        holdsDirty = false;
        held = await retentionHeld({ versionId: input.versionId });
      }
      if (held) {
        // The hold stops the timer: nothing but a change of holds wakes the workflow.
        publish('held');
        approval = null;
        await condition(() => holdsDirty);
        continue;
      }
      if (Date.now() < endsMs) {
        publish('retaining');
        await condition(() => holdsDirty, endsMs - Date.now());
        continue;
      }
      if (announcedAt === null) {
        await announceRetentionEnd({ versionId: input.versionId, documentId: input.documentId, retentionUntil: input.retentionUntil });
        announcedAt = new Date().toISOString();
      }
      publish('awaiting-approval');
      await condition(() => holdsDirty || approvedBy() !== null);
      const approver = approvedBy();
      if (holdsDirty || approver === null) continue;
      const outcome = await deleteArchiveVersion({ versionId: input.versionId, approvedBy: approver });
      if (!outcome.deleted) {
        holdsDirty = true;
        continue;
      }
      deletedAt = outcome.deletedAt;
      publish('deleted');
      return status();
    }
  } catch (error) {
    if (!isGone(error)) throw error;
    publish('gone');
    return status();
  }
}
