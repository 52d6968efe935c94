// A proof chain (shared/PROOF.md): one JSON object per line, each naming the SHA-256 of the previous
// line's exact bytes, and a signed head naming the newest line. Lines are written once, in a
// canonical form, and from then on only ever handled as the bytes they are: the hash is over bytes,
// so nothing may re-serialise a stored line.
import { createHash, type KeyObject } from 'node:crypto';
import { signBytes, verifySignature } from './keys';

export const PROOF_FORMAT = 'klarmeter-proof/1';
/** `prev` of the first line. */
export const GENESIS_PREV = '0'.repeat(64);

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface ChainDocument {
  /** Relative path in the bundle, `documents/<file name>`. */
  path: string;
  /** Lowercase hex SHA-256 of the file's bytes. */
  sha256: string;
}

export interface ChainEventFields {
  kind: string;
  /** ISO-8601 UTC server time, e.g. 2026-01-18T08:00:00.000Z. */
  at: string;
  /** A user's e-mail, or "system". */
  actor: string;
  documents?: readonly ChainDocument[];
  /** Further fields (channel, receipt date, IP, …); they follow the standard ones, keys sorted. */
  extra?: Readonly<Record<string, JsonValue>>;
}

export interface ChainEvent extends ChainEventFields {
  seq: number;
  prev: string;
}

export class ChainError extends Error {
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ChainError';
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const DOCUMENT_PATH = /^documents\/[^/\\]+$/;
const CONTROL_CHARACTER = /\p{Cc}/u;
const STANDARD_FIELDS = new Set(['seq', 'kind', 'at', 'actor', 'prev', 'documents']);
const NEWLINE = 0x0a;

function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(toBytes(data)).digest('hex');
}

/** The hash a following line names in `prev`: SHA-256 of the line's bytes without its line break. */
export function hashLine(line: string | Uint8Array): string {
  const bytes = toBytes(line);
  if (bytes.includes(NEWLINE)) throw new ChainError('line', 'contains a line break (hash the line without its \\n)');
  return sha256Hex(bytes);
}

export function isUtcTimestamp(value: string): boolean {
  return UTC_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value));
}

/** A document path the bundle can hold: `documents/` and a plain file name. */
export function isDocumentPath(path: string): boolean {
  return DOCUMENT_PATH.test(path) && !CONTROL_CHARACTER.test(path) && path !== 'documents/.' && path !== 'documents/..';
}

// Deterministic JSON: object keys sorted, no whitespace; anything JSON cannot carry faithfully is refused.
function canonicalJson(value: JsonValue, field: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ChainError(field, 'expected a finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item: JsonValue, i: number) => canonicalJson(item, `${field}[${i}]`)).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const object = value as { readonly [key: string]: JsonValue };
    const members = Object.keys(object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key] as JsonValue, `${field}.${key}`)}`);
    return `{${members.join(',')}}`;
  }
  throw new ChainError(field, `expected a JSON value, got ${typeof value}`);
}

function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ChainError(field, 'expected a non-empty string');
  return value;
}

/**
 * The canonical line of one event, without its line break: the standard fields in the order seq,
 * kind, at, actor, prev, documents, then the extra fields with sorted keys. These are the bytes to
 * store, hash and export unchanged.
 */
export function chainLine(event: ChainEvent): string {
  if (!Number.isSafeInteger(event.seq) || event.seq < 1) throw new ChainError('seq', 'expected an integer from 1');
  requireText(event.kind, 'kind');
  if (typeof event.at !== 'string' || !isUtcTimestamp(event.at))
    throw new ChainError('at', 'expected an ISO-8601 UTC timestamp like 2026-01-18T08:00:00.000Z');
  requireText(event.actor, 'actor');
  if (typeof event.prev !== 'string' || !HEX64.test(event.prev)) throw new ChainError('prev', 'expected 64 lowercase hex digits');
  if (event.seq === 1 && event.prev !== GENESIS_PREV) throw new ChainError('prev', 'must be 64 zeros for seq 1');
  const members: string[] = [
    `"seq":${event.seq}`,
    `"kind":${JSON.stringify(event.kind)}`,
    `"at":${JSON.stringify(event.at)}`,
    `"actor":${JSON.stringify(event.actor)}`,
    `"prev":${JSON.stringify(event.prev)}`,
  ];
  if (event.documents !== undefined) {
    const documents = event.documents.map((document, i) => {
      if (typeof document.path !== 'string' || !isDocumentPath(document.path)) {
        throw new ChainError(`documents[${i}].path`, 'expected documents/<file name>');
      }
      if (typeof document.sha256 !== 'string' || !HEX64.test(document.sha256)) {
        throw new ChainError(`documents[${i}].sha256`, 'expected 64 lowercase hex digits');
      }
      return `{"path":${JSON.stringify(document.path)},"sha256":${JSON.stringify(document.sha256)}}`;
    });
    members.push(`"documents":[${documents.join(',')}]`);
  }
  const extra = event.extra ?? {};
  for (const key of Object.keys(extra).sort()) {
    if (STANDARD_FIELDS.has(key)) throw new ChainError(`extra.${key}`, 'is a standard field; pass it as such');
    const value = extra[key];
    if (value === undefined) continue;
    members.push(`${JSON.stringify(key)}:${canonicalJson(value, `extra.${key}`)}`);
  }
  return `{${members.join(',')}}`;
}

/** The `seq` of a stored line, read without trusting anything else in it. */
function seqOf(line: string): number {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    throw new ChainError('previous line', 'not JSON');
  }
  const seq = typeof data === 'object' && data !== null ? (data as { seq?: unknown }).seq : undefined;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw new ChainError('previous line', 'has no valid seq');
  return seq;
}

/** The line that follows `previousLine` (null for the first event): seq one higher, prev its hash. */
export function nextChainLine(previousLine: string | null, event: ChainEventFields): string {
  if (previousLine === null) return chainLine({ ...event, seq: 1, prev: GENESIS_PREV });
  return chainLine({ ...event, seq: seqOf(previousLine) + 1, prev: hashLine(previousLine) });
}

export interface Head {
  format: typeof PROOF_FORMAT;
  seq: number;
  sha256: string;
  signedAt: string;
}

/** head.json's exact bytes for the newest line: {"format":"klarmeter-proof/1","seq":N,"sha256":"…","signedAt":"…"}. */
export function headJson(lastLine: string | Uint8Array, signedAt: string): string {
  if (!isUtcTimestamp(signedAt)) throw new ChainError('signedAt', 'expected an ISO-8601 UTC timestamp');
  const text = typeof lastLine === 'string' ? lastLine : Buffer.from(lastLine).toString('utf8');
  const head: Head = { format: PROOF_FORMAT, seq: seqOf(text), sha256: hashLine(lastLine), signedAt };
  return JSON.stringify(head);
}

export interface SignedHead {
  /** head.json's exact bytes. */
  head: string;
  /** Base64 Ed25519 signature over them (head.sig without its line break). */
  signature: string;
}

/** Makes and signs the head of a chain whose newest line is `lastLine`. */
export function signHead(lastLine: string | Uint8Array, privateKey: KeyObject, signedAt = new Date().toISOString()): SignedHead {
  const head = headJson(lastLine, signedAt);
  return { head, signature: signBytes(head, privateKey) };
}

export function verifyHeadSignature(head: string | Uint8Array, signature: string, publicKey: KeyObject): boolean {
  return verifySignature(head, signature, publicKey);
}
