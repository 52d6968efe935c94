// Messages (signals, queries, updates) of the device workflow; their payload types are in domain/contracts/device.ts.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DeviceExchangeLeadTime } from '../../domain/contracts/device-exchange';
import type { DeviceDeadlineStatus, DeviceHealthReport, DeviceRecalibrated, DeviceReplaced } from '../../domain/contracts/device';

export const deviceReplaced = defineSignal<[DeviceReplaced]>('deviceReplaced');
export const deviceRecalibrated = defineSignal<[DeviceRecalibrated]>('deviceRecalibrated');
export const deviceHealth = defineSignal<[DeviceHealthReport]>('deviceHealth');
/** The organisation's new lead time for the tenant's exchange offer (sent to every device workflow when it is saved). */
export const deviceExchangeLeadTime = defineSignal<[DeviceExchangeLeadTime]>('deviceExchangeLeadTime');
export const getStatus = defineQuery<DeviceDeadlineStatus>('getStatus');
