// Messages (signals, queries, updates) of the device workflow; their payload types are in domain/contracts/device.ts.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DeviceDeadlineStatus, DeviceHealthReport, DeviceRecalibrated, DeviceReplaced } from '../../domain/contracts/device';

export const deviceReplaced = defineSignal<[DeviceReplaced]>('deviceReplaced');
export const deviceRecalibrated = defineSignal<[DeviceRecalibrated]>('deviceRecalibrated');
export const deviceHealth = defineSignal<[DeviceHealthReport]>('deviceHealth');
export const getStatus = defineQuery<DeviceDeadlineStatus>('getStatus');
