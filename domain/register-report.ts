// What the register report (the PDF for an owners' meeting) says about each device and in its
// summary: pure, so the same words appear wherever the register is printed.
import { compareDates } from './dates';
import { DEVICE_TYPES, calibrationValidity, isCalibratedType, type DeviceType, type Light } from './deadlines';
import { DEVICE_TYPE_LABELS } from './device-labels';
import { formatDate } from './format';
import { emptyLightCounts, type LightCounts } from './lights';

export interface CalibrationFacts {
  type: DeviceType;
  installedAt: string;
  calibratedYear: number | null;
}

export interface CalibrationStatus {
  text: string;
  /** 'ok', 'expired', 'unknown' (year not known), 'none' (no calibration duty: HKV, RWM). */
  state: 'ok' | 'expired' | 'unknown' | 'none';
}

/**
 * "gültig bis 31.12.2029", "abgelaufen am 31.12.2025", or for a meter whose calibration year the
 * register does not know "Eichjahr unbekannt (spätestens bis …)"; HKV and smoke alarms are not calibrated.
 */
export function calibrationStatus(device: CalibrationFacts, today: string): CalibrationStatus {
  if (!isCalibratedType(device.type)) return { text: 'keine Eichpflicht', state: 'none' };
  const validity = calibrationValidity(device.type, device.calibratedYear, device.installedAt);
  if (!validity.yearKnown) {
    return { text: `Eichjahr unbekannt (gültig höchstens bis ${formatDate(validity.validUntilAtTheLatest)})`, state: 'unknown' };
  }
  return compareDates(validity.validUntil, today) < 0
    ? { text: `Eichung ${validity.calibratedYear}, abgelaufen am ${formatDate(validity.validUntil)}`, state: 'expired' }
    : { text: `Eichung ${validity.calibratedYear}, gültig bis ${formatDate(validity.validUntil)}`, state: 'ok' };
}

export interface TypeSummary {
  type: DeviceType;
  label: string;
  counts: LightCounts;
  total: number;
}

/** Devices per type and light, in the register's type order; types without devices are left out. */
export function summariseByType(devices: Iterable<{ type: DeviceType; light: Light | null }>): TypeSummary[] {
  const byType = new Map<DeviceType, LightCounts>();
  for (const device of devices) {
    const counts = byType.get(device.type) ?? emptyLightCounts();
    counts[device.light ?? 'unknown'] += 1;
    byType.set(device.type, counts);
  }
  return DEVICE_TYPES.filter((type) => byType.has(type)).map((type) => {
    const counts = byType.get(type)!;
    return { type, label: DEVICE_TYPE_LABELS[type], counts, total: counts.red + counts.yellow + counts.green + counts.unknown };
  });
}
