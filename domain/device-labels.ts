// German names of the device types, for pages, CSV exports and notifications alike.
import type { DeviceType } from './deadlines';

export const DEVICE_TYPE_LABELS: Readonly<Record<DeviceType, string>> = {
  HKV: 'Heizkostenverteiler',
  'WZ-K': 'Kaltwasserzähler',
  'WZ-W': 'Warmwasserzähler',
  WMZ: 'Wärmemengenzähler',
  GZ: 'Gaszähler',
  RWM: 'Rauchwarnmelder',
};
