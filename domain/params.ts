// Parsing of untrusted URL parts, shared by loaders and components.

/** A route's numeric id, or null for anything else ("12abc", "-1", huge numbers): the caller answers 404. */
export function parseId(value: string | undefined): number | null {
  if (!value || !/^\d{1,9}$/.test(value)) return null;
  const id = Number(value);
  return id > 0 ? id : null;
}

/** C0 controls, DEL and C1 controls: browsers drop tabs and newlines inside URLs and trim the rest. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F-\u009F]/g;
/** A host nobody can own (RFC 2606): resolving against it shows whether a target would leave the site. */
const PROBE_ORIGIN = 'http://redirect.invalid';
/** Percent-decoding rounds checked: a proxy or framework may decode once more before a browser sees it. */
const DECODING_ROUNDS = 3;

/** Whether a path, once decoded (up to DECODING_ROUNDS times) and stripped of controls, reads as `//host` or `/\host`. */
function decodesToOtherHost(path: string): boolean {
  let current = path;
  for (let round = 0; round <= DECODING_ROUNDS; round++) {
    if (/^[/\\]{2}/.test(current.replace(CONTROL_CHARACTERS, ''))) return true;
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return false;
    }
    if (next === current) return false;
    current = next;
  }
  return false;
}

/**
 * A redirect target from user input: only paths on this site. Control characters are removed first
 * (a tab in `/\t/evil.example` vanishes in the browser, leaving `//evil.example`), then the target is
 * resolved the way browsers resolve it (backslashes count as slashes) and must stay on our origin,
 * also after percent-decoding. The answer is the normalised path, always a valid header value.
 */
export function safeRedirectPath(target: FormDataEntryValue | string | null | undefined, fallback = '/'): string {
  if (typeof target !== 'string') return fallback;
  const cleaned = target.replace(CONTROL_CHARACTERS, '');
  if (!cleaned.startsWith('/')) return fallback;
  let url: URL;
  try {
    url = new URL(cleaned, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PROBE_ORIGIN || decodesToOtherHost(url.pathname)) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** A whole number from a settings form within [min, max], or an error naming the field ("… von 1 bis 9 Monaten"). */
export function parseWholeNumberInRange(
  value: unknown,
  range: { min: number; max: number; field: string; unit: string },
): { ok: true; value: number } | { ok: false; error: string } {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const number = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(number) || number < range.min || number > range.max)
    return { ok: false, error: `${range.field}: bitte eine ganze Zahl von ${range.min} bis ${range.max} ${range.unit} angeben.` };
  return { ok: true, value: number };
}
