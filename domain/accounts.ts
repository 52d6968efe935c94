// Rules of the account lifecycle that need no I/O: how long links and codes live, what a password
// must be, how a typed activation code is read, how a tenant's name is confirmed, and how long a
// former tenant keeps reading what was delivered to it.

/** What a one-time secret (a link's token or a letter's code) is for. */
/** Shown for every link that is not (or no longer) valid: pages render it, so it lives outside server/. */
export const INVALID_LINK = 'Dieser Link ist ungültig, abgelaufen oder wurde bereits verwendet.';

export const TOKEN_PURPOSES = ['invitation', 'letter-code', 'setup', 'reset-password', 'verify-email'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * How long each secret is valid. Letters travel by post and wait on a kitchen table, links in a
 * mailbox are read the same week; a reset link is only useful at once.
 */
export const TOKEN_LIFETIME_MS: Readonly<Record<TokenPurpose, number>> = {
  invitation: 14 * DAY_MS,
  'letter-code': 60 * DAY_MS,
  setup: 7 * DAY_MS,
  'reset-password': 1 * HOUR_MS,
  'verify-email': 2 * DAY_MS,
};

/** Wrong name confirmations a letter code survives before it is revoked (a new letter is needed). */
export const MAX_CODE_CONFIRMATION_FAILURES = 5;

/** Attempt budgets per window (counted per source IP, per account or per e-mail address). */
export const ATTEMPT_WINDOW_MINUTES = 15;
export const ATTEMPT_LIMITS = {
  /** Activation or redeeming with a code or link, per IP. */
  activation: 10,
  /** Reset or verification mails per e-mail address (and per IP x 5): no mail bombing. */
  mailPerAddress: 3,
  mailPerIp: 15,
  /** Wrong second-factor codes per account; a login challenge itself allows MAX_CHALLENGE_FAILURES. */
  secondFactor: 10,
} as const;
export const MAX_CHALLENGE_FAILURES = 5;
/** A password was right; the second factor has this long to follow. */
export const CHALLENGE_LIFETIME_MS = 5 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// Passwords (OWASP ASVS 2.1: at least 12 characters, long passphrases allowed, no composition rules)

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** A few passwords attackers try first; the policy refuses them whatever their length. */
const COMMON_PASSWORDS = new Set([
  '123456789012',
  '1234567890123',
  'passwort1234',
  'password1234',
  'qwertzuiopü',
  'qwertyuiop12',
  'klarmeter123',
  'klarmeter1234',
  'hallohallo12',
  'passwortpasswort',
  'passwordpassword',
]);

/** Why a new password is refused (German, for the form), or null when it is acceptable. */
export function passwordProblem(password: string, context: { email?: string | null; name?: string | null } = {}): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `Das Passwort muss mindestens ${PASSWORD_MIN_LENGTH} Zeichen lang sein.`;
  if (length > PASSWORD_MAX_LENGTH) return `Das Passwort darf höchstens ${PASSWORD_MAX_LENGTH} Zeichen lang sein.`;
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || new Set(lower).size <= 2)
    return 'Dieses Passwort ist zu leicht zu erraten. Bitte wählen Sie ein anderes.';
  const email = context.email?.trim().toLowerCase();
  if (email && (lower === email || lower === email.split('@')[0])) return 'Das Passwort darf nicht Ihre E-Mail-Adresse sein.';
  const name = context.name?.trim().toLowerCase();
  if (name && lower === name) return 'Das Passwort darf nicht Ihr Name sein.';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Activation codes on letters: Crockford base32 (no I, L, O, U), 12 characters in groups of four.

export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 12;

/** The code as printed: ABCD-EFGH-JKMN. */
export function formatActivationCode(code: string): string {
  return code.match(/.{1,4}/g)?.join('-') ?? code;
}

/**
 * What the tenant typed, read the way Crockford intends: case, spaces and dashes do not matter, and
 * the letters people confuse with digits count as those digits. Null when it cannot be a code.
 */
export function normaliseActivationCode(input: string): string | null {
  const cleaned = input
    .toUpperCase()
    .replace(/[\s\-_.]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (cleaned.length !== CODE_LENGTH) return null;
  for (const char of cleaned) if (!CODE_ALPHABET.includes(char)) return null;
  return cleaned;
}

/** Random bytes (from the caller's CSPRNG) as a code: 5 bits per character, 60 bits in all. */
export function activationCodeFrom(bytes: Uint8Array): string {
  if (bytes.length < CODE_LENGTH) throw new Error(`activationCodeFrom: need ${CODE_LENGTH} random bytes`);
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[bytes[i]! & 31];
  return code;
}

// ---------------------------------------------------------------------------------------------
// Confirming the tenant's name on activation with a letter code

/** Lower case, umlauts spelled out, other accents dropped, only letters and single spaces. */
export function normaliseName(name: string): string {
  return name
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .replace(/ı/g, 'i')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z\s-]/g, ' ')
    .replace(/-/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Whether the name the tenant typed is the tenancy's surname: the typed words must be the last
 * words of the name on record ("Müller" and "Anna Müller" match "Anna Müller"; "Anna" does not).
 */
export function surnameMatches(tenantName: string, typed: string): boolean {
  const recorded = normaliseName(tenantName).split(' ').filter(Boolean);
  const given = normaliseName(typed).split(' ').filter(Boolean);
  if (given.length === 0 || given.length > recorded.length) return false;
  const tail = recorded.slice(recorded.length - given.length);
  return tail.every((word, i) => word === given[i]);
}

// ---------------------------------------------------------------------------------------------
// Documents of ended tenancies

/**
 * How long a former tenant keeps reading what was delivered to it, counted from the end of the
 * calendar year in which the document's period ended: the landlord keeps statements as accounting
 * records for ten years (§147 Abs. 1 Nr. 4, Abs. 3 AO; §257 HGB), so the tenant's copy stays as long.
 */
export const DELIVERED_DOCUMENT_RETENTION_YEARS = 10;

/** The last day (YYYY-MM-DD) on which a document whose period ended on `periodEnd` is still shown. */
export function retainedUntil(periodEnd: string): string {
  const year = Number(periodEnd.slice(0, 4));
  return `${year + DELIVERED_DOCUMENT_RETENTION_YEARS}-12-31`;
}
