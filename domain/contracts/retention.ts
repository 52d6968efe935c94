// The contract of the retention workflow (`retention-<versionId>`): one durable timer per archived
// document version. At the end of the retention period it asks a manager to approve the deletion;
// a legal hold covering the document stops the timer until every hold is released. Its messages
// are in workflows/shared/retention.ts.
import type { ArchiveUploadKind } from '../archive';

export const RETENTION_WORKFLOW_TYPE = 'archiveRetention';
export const RETENTION_OBLIGATION = 'retention';

/** ApplicationFailure type of an activity that finds its version gone: the workflow ends. */
export const ARCHIVE_VERSION_GONE = 'ArchiveVersionGone';

export function retentionWorkflowId(versionId: number): string {
  return `retention-${versionId}`;
}

/** The archive page of a document (links in notices). */
export function archiveDocumentPath(documentId: number): string {
  return `/nachweise/${documentId}`;
}

export interface RetentionInput {
  versionId: number;
  documentId: number;
  propertyId: number;
  unitId: number | null;
  kind: ArchiveUploadKind;
  /** The last day the version must be kept (YYYY-MM-DD); it may go from the next day on. */
  retentionUntil: string;
}

export type RetentionState = 'retaining' | 'held' | 'awaiting-approval' | 'deleted' | 'gone';

export interface RetentionStatus {
  versionId: number;
  documentId: number;
  state: RetentionState;
  retentionUntil: string;
  /** When the timer fires (00:00 UTC of the day after retentionUntil); it does not run while held. */
  endsAt: string;
  held: boolean;
  /** Set once the managers were asked to approve the deletion. */
  announcedAt: string | null;
  deletedAt: string | null;
  approvedBy: number | null;
}

export interface DeletionApproval {
  userId: number;
}

/** What the deletion activity found: deleted (with its tombstone), or refused because a hold covers the version. */
export type DeletionOutcome = { deleted: true; deletedAt: string } | { deleted: false; reason: 'held' };
