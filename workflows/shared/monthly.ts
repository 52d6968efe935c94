// Messages (signals, queries, updates) of the monthly workflow; their payload types are in domain/contracts/monthly.ts.
import { defineQuery } from '@temporalio/workflow';
import type { MonthlyPropertyStatus, MonthlyRunStatus } from '../../domain/contracts/monthly';

export const getMonthlyRunStatus = defineQuery<MonthlyRunStatus>('getStatus');
export const getMonthlyPropertyStatus = defineQuery<MonthlyPropertyStatus>('getStatus');
