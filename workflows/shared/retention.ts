// Messages of the retention workflow; payload types in domain/contracts/retention.ts.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DeletionApproval, RetentionStatus } from '../../domain/contracts/retention';

/** A legal hold was placed or released on the document's property: the workflow asks the database again. */
export const holdsChanged = defineSignal('holdsChanged');
/** A manager approves the deletion; refused before the end of retention and while held. */
export const approveDeletion = defineUpdate<RetentionStatus, [DeletionApproval]>('approveDeletion');
export const retentionStatus = defineQuery<RetentionStatus>('getStatus');
