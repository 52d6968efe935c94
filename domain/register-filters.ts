// The register's filters live in the URL (GET form, bookmarkable, no JavaScript needed); parsed
// the same way by the page, its pagination links and the CSV export.
import { DEVICE_TYPES, type DeviceType, type Light } from './deadlines';
import { isLight } from './format';
import { parseId } from './params';

export const PAGE_SIZE = 50;

/** The longest serial prefix searched for; longer input is cut. */
export const SERIAL_SEARCH_MAX = 40;

export interface RegisterFilters {
  propertyId: number | null;
  type: DeviceType | null;
  light: Light | null;
  /** A serial number or its beginning, upper-cased ("hkv-2023" finds HKV-2023-00412). */
  serial: string | null;
  /** Only meters whose calibration year is not known (MessEV §34(2)), to have it entered. */
  calibrationYearUnknown?: boolean;
  page: number;
}

/** The search text as a serial prefix: trimmed, upper-cased, inner blanks dropped; null when empty. */
export function serialPrefix(value: string | null | undefined): string | null {
  const text = (value ?? '').replace(/\s+/g, '').toUpperCase().slice(0, SERIAL_SEARCH_MAX);
  return text === '' ? null : text;
}

/** Unknown or malformed values are ignored rather than rejected: a filter link should never break. */
export function parseRegisterFilters(url: URL): RegisterFilters {
  const params = url.searchParams;
  const type = params.get('type');
  const light = params.get('light');
  return {
    propertyId: parseId(params.get('property') ?? undefined),
    type: DEVICE_TYPES.includes(type as DeviceType) ? (type as DeviceType) : null,
    light: isLight(light) ? light : null,
    serial: serialPrefix(params.get('serial')),
    calibrationYearUnknown: params.get('eichjahr') === 'unbekannt',
    page: parseId(params.get('page') ?? undefined) ?? 1,
  };
}

/** The filters as query parameters (without page), for links and the CSV export. */
export function registerQuery(filters: RegisterFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (filters.propertyId) params.set('property', String(filters.propertyId));
  if (filters.type) params.set('type', filters.type);
  if (filters.light) params.set('light', filters.light);
  if (filters.serial) params.set('serial', filters.serial);
  if (filters.calibrationYearUnknown) params.set('eichjahr', 'unbekannt');
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  const query = params.toString();
  return query ? `?${query}` : '';
}
