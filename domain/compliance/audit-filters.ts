// The audit log's filters on the compliance desk (from the URL, every field validated) and their
// way back into a URL. The organisation is no filter: the server scopes by the signed-in user's.
import { isDate } from '../dates';

export interface AuditFilters {
  /** Part of the actor's e-mail or name. */
  actor: string | null;
  /** An action as recorded ("device.replaced", "login", "export"). */
  action: string | null;
  /** The object's kind ("device", "statement", …). */
  entity: string | null;
  /** The object's id, exact. */
  entityId: string | null;
  from: string | null;
  to: string | null;
  /** An IP address or its beginning ("203.0.113."). */
  ip: string | null;
  page: number;
}

export type AuditFilterField = keyof AuditFilters;

export type ParsedAuditFilters = { ok: true; filters: AuditFilters } | { ok: false; errors: Partial<Record<AuditFilterField, string>> };

export const AUDIT_PAGE_SIZE = 50;

const FIELDS: ReadonlyArray<{ name: 'actor' | 'action' | 'entity' | 'entityId' | 'ip'; label: string; pattern: RegExp; hint: string }> = [
  { name: 'actor', label: 'Benutzer', pattern: /^[\p{L}\p{N} .@_+-]{1,100}$/u, hint: 'E-Mail oder Name, höchstens 100 Zeichen' },
  { name: 'action', label: 'Aktion', pattern: /^[a-z0-9._-]{1,60}$/, hint: 'eine Aktion aus der Liste' },
  { name: 'entity', label: 'Objektart', pattern: /^[a-z0-9._-]{1,60}$/, hint: 'eine Objektart aus der Liste' },
  { name: 'entityId', label: 'Objekt-Nr.', pattern: /^[A-Za-z0-9._:-]{1,100}$/, hint: 'Buchstaben, Ziffern und . _ : -' },
  { name: 'ip', label: 'IP-Adresse', pattern: /^[0-9a-fA-F.:]{1,45}$/, hint: 'eine IP-Adresse oder ihr Anfang' },
];

export function parseAuditFilters(params: URLSearchParams): ParsedAuditFilters {
  const errors: Partial<Record<AuditFilterField, string>> = {};
  const filters: AuditFilters = { actor: null, action: null, entity: null, entityId: null, from: null, to: null, ip: null, page: 1 };
  for (const field of FIELDS) {
    const value = params.get(field.name)?.trim();
    if (!value) continue;
    if (field.pattern.test(value)) filters[field.name] = value;
    else errors[field.name] = `${field.label}: ${field.hint}.`;
  }
  for (const [name, label] of [
    ['from', 'Von'],
    ['to', 'Bis'],
  ] as const) {
    const value = params.get(name)?.trim();
    if (!value) continue;
    if (isDate(value)) filters[name] = value;
    else errors[name] = `${label}: ein Datum (JJJJ-MM-TT) angeben.`;
  }
  if (filters.from && filters.to && filters.from > filters.to) errors.to = 'Bis: liegt vor „Von“.';
  const page = params.get('page');
  if (page) {
    if (/^[1-9]\d{0,5}$/.test(page)) filters.page = Number(page);
    else errors.page = 'Seite: eine Seitenzahl angeben.';
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, filters };
}

export function auditFilterParams(filters: AuditFilters, page = 1): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of ['actor', 'action', 'entity', 'entityId', 'from', 'to', 'ip'] as const) {
    const value = filters[name];
    if (value) params.set(name, value);
  }
  if (page > 1) params.set('page', String(page));
  return params;
}
