// Messages (signals, queries, updates) of the statement workflow; their payload types are in domain/contracts/statement.ts.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ApproveRequest,
  CorrectReceiptRequest,
  CorrectRecipientReceiptRequest,
  DeliverRequest,
  DeliveredRecipient,
  ObjectionRequest,
  OpenedSignal,
  StatementLifecycleStatus,
  SupersededSignal,
} from '../../domain/contracts/statement';

export const approveStatement = defineUpdate<StatementLifecycleStatus, [ApproveRequest]>('approveStatement');
export const deliverStatement = defineUpdate<StatementLifecycleStatus, [DeliverRequest]>('deliverStatement');
export const correctReceipt = defineUpdate<StatementLifecycleStatus, [CorrectReceiptRequest]>('correctReceipt');
export const correctRecipientReceipt = defineUpdate<DeliveredRecipient, [CorrectRecipientReceiptRequest]>('correctRecipientReceipt');
export const fileObjection = defineUpdate<{ objectionId: number; status: StatementLifecycleStatus }, [ObjectionRequest]>('fileObjection');
export const statementOpened = defineSignal<[OpenedSignal]>('statementOpened');
export const statementSuperseded = defineSignal<[SupersededSignal]>('statementSuperseded');
export const getStatus = defineQuery<StatementLifecycleStatus>('getStatus');
