// Device work a technician or manager records on the device page (exchange, recalibration or
// inspection, new battery): which work fits which device, and the one schema per form that the
// forms (field names, limits) and the server (validation, German messages) share.
import { z } from 'zod';
import { isDate } from './dates';
import { CALIBRATION_YEARS, isCalibratedType, type DeviceType } from './deadlines';

export const DEVICE_WORK_INTENTS = ['replace', 'recalibrate', 'calibration-year', 'inspect', 'battery'] as const;
export type DeviceWorkIntent = (typeof DEVICE_WORK_INTENTS)[number];

export const DEVICE_WORK_LABELS: Record<DeviceWorkIntent, string> = {
  replace: 'Gerät getauscht',
  recalibrate: 'Neu geeicht',
  'calibration-year': 'Eichjahr',
  inspect: 'Inspektion durchgeführt',
  battery: 'Batterie gewechselt',
};

/**
 * Meters are recalibrated, smoke alarms inspected; heat cost allocators are only ever replaced. A
 * meter whose year of calibration (or first marking) is not in the register asks for it (MessEV
 * §34(2): the validity counts from that year, not from the installation).
 */
export function deviceWorkFor(device: {
  type: DeviceType;
  batteryPercent: number | null;
  calibratedYear?: number | null;
}): DeviceWorkIntent[] {
  const work: DeviceWorkIntent[] = ['replace'];
  if (device.type === 'RWM') work.push('inspect');
  else if (isCalibratedType(device.type)) {
    if (device.calibratedYear === null) work.push('calibration-year');
    work.push('recalibrate');
  }
  // Only devices that report a battery level have a battery worth recording.
  if (device.batteryPercent !== null) work.push('battery');
  return work;
}

/** Serials as printed on the devices: letters, digits and the separators manufacturers use. */
export const SERIAL_PATTERN = '[A-Za-z0-9][A-Za-z0-9._\\/\\-]{2,39}';

export type DeviceWorkField = 'serial' | 'installedAt' | 'calibratedYear' | 'lastInspectionAt';
export type DeviceWorkFieldErrors = Partial<Record<DeviceWorkField, string>>;

/** What the checks compare against: today (Berlin) and the device being worked on. */
export interface DeviceWorkContext {
  today: string;
  installedAt: string;
  calibratedYear: number | null;
  lastInspectionAt: string | null;
}

const yearOf = (date: string) => Number(date.slice(0, 4));

function dateField(label: string, earliest: string, today: string) {
  return z
    .string()
    .trim()
    .refine(isDate, `${label}: Bitte ein gültiges Datum angeben.`)
    .refine((date) => date <= today, `${label}: Das Datum darf nicht in der Zukunft liegen.`)
    .refine((date) => date >= earliest, `${label}: Das Datum darf nicht vor dem ${earliest.split('-').reverse().join('.')} liegen.`);
}

function yearField(label: string, min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d{4}$/, `${label}: Bitte eine vierstellige Jahreszahl angeben.`)
    .transform(Number)
    .refine((year) => year >= min && year <= max, `${label}: Bitte ein Jahr zwischen ${min} und ${max} angeben.`);
}

export function deviceWorkSchemas({ today, installedAt, calibratedYear, lastInspectionAt }: DeviceWorkContext) {
  const thisYear = yearOf(today);
  return {
    replace: z
      .object({
        serial: z
          .string()
          .trim()
          .regex(new RegExp(`^${SERIAL_PATTERN}$`), 'Seriennummer: 3 bis 40 Zeichen, nur Buchstaben, Ziffern und . _ / -'),
        installedAt: dateField('Einbaudatum', installedAt, today),
        // Empty means "not given" (heat cost allocators and smoke alarms have no calibration year).
        calibratedYear: z
          .union([z.literal(''), yearField('Eichjahr', thisYear - 10, thisYear)])
          .optional()
          .transform((year) => (typeof year === 'number' ? year : null)),
      })
      .refine((work) => work.calibratedYear === null || work.calibratedYear <= yearOf(work.installedAt), {
        path: ['calibratedYear'],
        message: 'Eichjahr: Das Gerät kann nicht nach seinem Einbau geeicht worden sein.',
      }),
    recalibrate: z.object({
      calibratedYear: yearField('Eichjahr', Math.max(calibratedYear ?? 0, yearOf(installedAt)), thisYear),
    }),
    // The year on the meter's marking: at the latest the year it was installed (a meter is calibrated
    // before use), at the earliest as long before as a calibration would still have been valid then.
    'calibration-year': z.object({
      calibratedYear: yearField(
        'Eichjahr',
        yearOf(installedAt) - Math.max(...Object.values(CALIBRATION_YEARS)),
        Math.min(yearOf(installedAt), thisYear),
      ),
    }),
    inspect: z.object({
      lastInspectionAt: dateField('Inspektionsdatum', lastInspectionAt ?? installedAt, today),
    }),
    battery: z.object({}),
  } satisfies Record<DeviceWorkIntent, z.ZodTypeAny>;
}

export function isDeviceWorkIntent(value: unknown): value is DeviceWorkIntent {
  return typeof value === 'string' && (DEVICE_WORK_INTENTS as readonly string[]).includes(value);
}
