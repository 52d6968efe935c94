// Messages of the cost-data deadline workflow; payload types in domain/contracts/cost-deadline.ts.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CostDataEntered, CostDeadlineStatus } from '../../domain/contracts/cost-deadline';

/** A statement for the property and period was saved: the obligation is met. */
export const costDataEntered = defineSignal<[CostDataEntered]>('costDataEntered');
export const costDeadlineStatus = defineQuery<CostDeadlineStatus>('getStatus');
