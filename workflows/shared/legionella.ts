// Messages of the legionella sampling workflow; payload types in domain/contracts/legionella.ts.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { LabResultRecorded, LegionellaStatus } from '../../domain/contracts/legionella';

/** A lab result was stored: a clean one closes the round, a finding opens the follow-up. */
export const labResultRecorded = defineSignal<[LabResultRecorded]>('labResultRecorded');
export const legionellaStatus = defineQuery<LegionellaStatus>('getStatus');
