// API tokens (issue 17): what a token may do, and the shape of its secret. A manager creates tokens
// for the organisation's gateways and ERP systems; each carries scopes, and within them the token
// reads or writes what a manager of its organisation may, never more. Pure.

/** Scopes a token can carry, with the German label of the management page. */
export const API_SCOPES = {
  'readings:write': 'Ablesungen senden (Funk-Gateway, ERP)',
  read: 'Stammdaten, Mietverhältnisse, Geräte, Ablesungen, Abrechnungen, Pflichten und Vorgänge lesen',
  'tickets:write': 'Vorgänge anlegen und beantworten (im Namen des Verwalters, der den Schlüssel anlegt)',
} as const;

export type ApiScope = keyof typeof API_SCOPES;

export function isApiScope(value: unknown): value is ApiScope {
  return typeof value === 'string' && Object.hasOwn(API_SCOPES, value);
}

/** `km_` and 43 base64url characters (32 random bytes): recognisable in logs and secret scanners. */
export const API_TOKEN_PATTERN = /^km_[A-Za-z0-9_-]{43}$/;

/** The part of a token shown in lists after creation (the secret itself is shown once). */
export function tokenPrefix(token: string): string {
  return token.slice(0, 10);
}

export const API_TOKEN_NAME_MAX = 100;

/** Bounds of a token's own rate limit (requests per minute), as the database checks them. */
export const API_RATE_LIMIT_MIN = 1;
export const API_RATE_LIMIT_MAX = 1_000_000;
