// German labels and de-DE formatting, shared by server (CSV) and client (pages).
import type { DeadlineKind, DeviceType, Light } from './deadlines';
import type { RadioStatus } from './deadlines';
import type { Role } from './roles';
import { DEVICE_TYPE_LABELS } from './device-labels';

export { DEVICE_TYPE_LABELS };

/** What a device's reading counts (HKV: unitless allocator units). */
export const READING_UNITS: Readonly<Record<DeviceType, string>> = {
  HKV: 'Einheiten',
  'WZ-K': 'm³',
  'WZ-W': 'm³',
  WMZ: 'kWh',
  GZ: 'm³',
  RWM: '',
};

export const LIGHT_LABELS: Readonly<Record<Light, string>> = { green: 'OK', yellow: 'Warnung', red: 'Kritisch' };
export const UNKNOWN_LIGHT_LABEL = 'Unbekannt';
/** Worst first: the order of lists, filters and summaries. */
export const LIGHTS_BY_SEVERITY: readonly Light[] = ['red', 'yellow', 'green'];

export const DEADLINE_KIND_LABELS: Readonly<Record<DeadlineKind, string>> = {
  calibration: 'Eichfrist',
  replacement: 'Austausch',
  inspection: 'Wartung',
};

export const RADIO_LABELS: Readonly<Record<RadioStatus, string>> = { ok: 'Gut', weak: 'Schwach', offline: 'Kein Empfang' };

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  manager: 'Verwaltung',
  owner: 'Eigentümer',
  tenant: 'Mieter',
  technician: 'Technik',
  compliance: 'Prüfung',
  operator: 'Betrieb',
};

export function isLight(value: unknown): value is Light {
  return value === 'green' || value === 'yellow' || value === 'red';
}

export function lightLabel(light: Light | null | undefined): string {
  return light ? LIGHT_LABELS[light] : UNKNOWN_LIGHT_LABEL;
}

export function deviceTypeLabel(type: string): string {
  return DEVICE_TYPE_LABELS[type as DeviceType] ?? type;
}

export function deadlineKindLabel(kind: string | null | undefined): string {
  return kind ? (DEADLINE_KIND_LABELS[kind as DeadlineKind] ?? kind) : 'Frist';
}

export function radioLabel(status: string | null | undefined): string {
  return status ? (RADIO_LABELS[status as RadioStatus] ?? status) : '–';
}

/** A calendar date (YYYY-MM-DD, as DATE columns arrive) as 31.12.2026, without time-zone shifts. */
export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return '–';
  if (value instanceof Date) return dateTimeFormat.date.format(value);
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  return match ? `${match[3]}.${match[2]}.${match[1]}` : value;
}

/** A point in time in Berlin local time, e.g. 05.03.2026, 14:07. */
export function formatDateTime(value: string | Date | null | undefined): string {
  if (!value) return '–';
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? '–' : dateTimeFormat.dateTime.format(date);
}

const dateTimeFormat = {
  date: new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric' }),
  dateTime: new Intl.DateTimeFormat('de-DE', {
    timeZone: 'Europe/Berlin',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }),
};

const integerFormat = new Intl.NumberFormat('de-DE');
const decimalFormat = new Intl.NumberFormat('de-DE', { minimumFractionDigits: 0, maximumFractionDigits: 2 });

export function formatNumber(value: number | string | null | undefined, decimals = false): string {
  if (value === null || value === undefined || value === '') return '–';
  const number = Number(value);
  if (Number.isNaN(number)) return '–';
  return (decimals ? decimalFormat : integerFormat).format(number);
}

export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${integerFormat.format(value)} %`;
}

/** "Musterstraße 12, 10115 Berlin" */
export function streetAddress(p: { street: string; postalCode: string; city: string }): string {
  return `${p.street}, ${p.postalCode} ${p.city}`;
}

/** The address, led by the property's name unless that is just its street. */
export function propertyAddress(p: { name: string; street: string; postalCode: string; city: string }): string {
  return p.name === p.street ? streetAddress(p) : `${p.name}, ${streetAddress(p)}`;
}

/** "476,05 m³" (no unit for devices without one). */
export function formatReading(value: number | string | null, type: DeviceType): string {
  return [formatNumber(value, true), READING_UNITS[type]].filter(Boolean).join(' ');
}

/** "1 Gerät" / "3 Geräte" */
export function plural(count: number, one: string, many: string): string {
  return `${formatNumber(count)} ${count === 1 ? one : many}`;
}
