// The register's filters live in the URL (GET form, bookmarkable, no JavaScript needed); parsed
// the same way by the page, its pagination links and the CSV export.
import { DEVICE_TYPES, type DeviceType, type Light } from './deadlines';
import { isLight } from './format';
import { parseId } from './params';

export const PAGE_SIZE = 50;

export interface RegisterFilters {
  propertyId: number | null;
  type: DeviceType | null;
  light: Light | null;
  /** Only meters whose calibration year is not known (MessEV §34(2)), to have it entered. */
  calibrationYearUnknown?: boolean;
  page: number;
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
  if (filters.calibrationYearUnknown) params.set('eichjahr', 'unbekannt');
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  const query = params.toString();
  return query ? `?${query}` : '';
}
