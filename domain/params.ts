// Parsing of untrusted URL parts, shared by loaders and components.

/** A route's numeric id, or null for anything else ("12abc", "-1", huge numbers): the caller answers 404. */
export function parseId(value: string | undefined): number | null {
  if (!value || !/^\d{1,9}$/.test(value)) return null;
  const id = Number(value);
  return id > 0 ? id : null;
}

/** A redirect target from user input: only paths on this site, never `//evil.example`. */
export function safeRedirectPath(target: FormDataEntryValue | string | null | undefined, fallback = '/'): string {
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return fallback;
  return target;
}
