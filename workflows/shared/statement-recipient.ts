// Messages of the recipient workflow; the opening and the receipt correction are the version
// workflow's own (the same payloads), so the web sends them alike to either.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ObjectionRequest } from '../../domain/contracts/statement';
import type { RecipientCorrectedSignal, StatementRecipientStatus } from '../../domain/contracts/statement-recipient';

export { correctRecipientReceipt, statementOpened } from './statement';
export const fileRecipientObjection = defineUpdate<{ objectionId: number }, [ObjectionRequest]>('fileRecipientObjection');
export const getRecipientStatus = defineQuery<StatementRecipientStatus>('getRecipientStatus');
/** To the version's workflow: a recipient's receipt was corrected, the version ends after the last window. */
export const recipientCorrected = defineSignal<[RecipientCorrectedSignal]>('recipientCorrected');
