// Messages of the device-exchange workflow; payload types in domain/contracts/device-exchange.ts.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DeviceExchangeStatus, DeviceExchangeWithdrawn, DeviceExchanged } from '../../domain/contracts/device-exchange';

/** The technician recorded the exchange: the obligation is met. */
export const deviceExchanged = defineSignal<[DeviceExchanged]>('deviceExchanged');
/** The device's deadline moved beyond the offer: it closes as no longer needed. */
export const deviceExchangeWithdrawn = defineSignal<[DeviceExchangeWithdrawn]>('deviceExchangeWithdrawn');
export const deviceExchangeStatus = defineQuery<DeviceExchangeStatus>('getStatus');
