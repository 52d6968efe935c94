// Messages (signals, queries, updates) of the appointment workflow; their payload types are in domain/contracts/appointment.ts.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AppointmentStatusView, CancelAppointment, ChooseSlot, ProposeSlots, RecordOutcome } from '../../domain/contracts/appointment';

export const chooseSlot = defineUpdate<AppointmentStatusView, [ChooseSlot]>('chooseSlot');
export const proposeSlots = defineUpdate<AppointmentStatusView, [ProposeSlots]>('proposeSlots');
export const cancelAppointment = defineUpdate<AppointmentStatusView, [CancelAppointment]>('cancel');
export const recordOutcome = defineUpdate<AppointmentStatusView, [RecordOutcome]>('recordOutcome');
export const getAppointmentStatus = defineQuery<AppointmentStatusView>('getStatus');
