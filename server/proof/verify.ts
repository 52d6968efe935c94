// Offline verification of an evidence bundle (shared/PROOF.md, "Verification"): checks 1–5 in
// order, the first failing line or file named. Input that cannot be read at all (no such
// directory, a missing chain or head, a head that is not JSON, no key) is a different answer: nothing
// was checked, so UnreadableBundleError, not "invalid".
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { GENESIS_PREV, PROOF_FORMAT, sha256Hex } from './chain';
import { ProofKeyError, keyFingerprint, loadPublicKey, verifySignature } from './keys';

export const EVENTS_FILE = 'events.jsonl';
export const HEAD_FILE = 'head.json';
export const SIGNATURE_FILE = 'head.sig';
export const PUBLIC_KEY_FILE = 'public-key.pem';
export const MANIFEST_FILE = 'manifest.json';
export const VERIFY_FILE = 'VERIFY.txt';

export class UnreadableBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableBundleError';
  }
}

export type VerifyResult = { valid: true; events: number; keyFingerprint: string } | { valid: false; reason: string };

/** Where a bundle's files come from: a directory, or the files in memory before they are written. */
export interface BundleSource {
  /** The file's bytes, or null when it does not exist. `path` is relative, with `/` separators. */
  read(path: string): Promise<Uint8Array | null>;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A bundle directory on disk. Throws UnreadableBundleError when it is not a directory. */
export async function directorySource(dir: string): Promise<BundleSource> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (error) {
    throw new UnreadableBundleError(`${dir}: cannot read (${describe(error)})`);
  }
  if (!isDirectory) throw new UnreadableBundleError(`${dir}: not a directory`);
  return {
    async read(path) {
      try {
        return await readFile(join(dir, ...path.split('/')));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // A directory where a file belongs is as good as no file.
        if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
        throw new UnreadableBundleError(`${path}: cannot read (${describe(error)})`);
      }
    },
  };
}

export function memorySource(files: ReadonlyMap<string, Uint8Array>): BundleSource {
  return { read: async (path) => files.get(path) ?? null };
}

async function required(source: BundleSource, path: string): Promise<Uint8Array> {
  const bytes = await source.read(path);
  if (bytes === null) throw new UnreadableBundleError(`${path}: missing`);
  return bytes;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Uint8Array, where: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new UnreadableBundleError(`${where}: not UTF-8`);
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UnreadableBundleError(`${where}: not JSON (${describe(error)})`);
  }
}

interface Line {
  /** The line's bytes without its \n: what is hashed. */
  bytes: Uint8Array;
  data: unknown;
  /** Why the line does not parse: it then fails check 1 ("every line parses"), the bundle is invalid. */
  unparseable?: string;
  where: string;
}

function parseLine(bytes: Uint8Array, where: string): Line {
  try {
    return { bytes, data: JSON.parse(utf8.decode(bytes)), where };
  } catch (error) {
    return { bytes, data: undefined, unparseable: error instanceof TypeError ? 'not UTF-8' : `not JSON (${describe(error)})`, where };
  }
}

/**
 * events.jsonl split at \n; a final \n ends the last line rather than starting an empty one, and a
 * last line without it is still read (its hash is the same). \r stays part of a line's bytes, as in
 * `tail -n 1 events.jsonl | tr -d '\n' | sha256sum`.
 */
function splitLines(bytes: Uint8Array): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end === -1 ? bytes.length : end;
    const lineBytes = bytes.subarray(start, stop);
    const where = `${EVENTS_FILE} line ${lines.length + 1}`;
    lines.push(parseLine(lineBytes, where));
    start = stop + 1;
  }
  return lines;
}

interface DocumentRef {
  path: string;
  sha256: string;
}

interface Event {
  seq: number;
  prev: string;
  documents: DocumentRef[];
}

class Invalid extends Error {}

function fail(reason: string): never {
  throw new Invalid(reason);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

// A path that stays inside the bundle: relative, `/`-separated, no `..`, no empty segments.
function isInsideBundle(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes('\0')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

// Check 1, one line: an event object with the fields every event has.
function readEvent(line: Line): Event {
  const { data, where } = line;
  if (line.unparseable !== undefined) fail(`${where}: ${line.unparseable}`);
  if (!isRecord(data)) fail(`${where}: not an event object`);
  if (typeof data.seq !== 'number' || !Number.isSafeInteger(data.seq)) fail(`${where}: seq missing or not an integer`);
  for (const field of ['kind', 'at', 'actor'] as const) {
    if (!isText(data[field])) fail(`${where}: ${field} missing or not a non-empty string`);
  }
  if (typeof data.prev !== 'string') fail(`${where}: prev missing or not a string`);
  const documents: DocumentRef[] = [];
  if (data.documents !== undefined) {
    if (!Array.isArray(data.documents)) fail(`${where}: documents is not a list`);
    data.documents.forEach((document: unknown, i: number) => {
      if (!isRecord(document) || typeof document.path !== 'string' || typeof document.sha256 !== 'string') {
        fail(`${where}: documents[${i}] needs a path and a sha256`);
      }
      if (!isInsideBundle(document.path))
        fail(`${where}: documents[${i}].path ${JSON.stringify(document.path)} is not a path inside the bundle`);
      documents.push({ path: document.path, sha256: document.sha256 });
    });
  }
  return { seq: data.seq, prev: data.prev, documents };
}

async function runChecks(
  lines: readonly Line[],
  head: { bytes: Uint8Array; data: unknown },
  signature: string,
  key: KeyObject,
  source: BundleSource,
) {
  // 1. every line parses; seq runs 1, 2, 3, … without a gap.
  if (lines.length === 0) fail(`${EVENTS_FILE}: no events`);
  const events = lines.map(readEvent);
  events.forEach((event, i) => {
    if (event.seq !== i + 1) fail(`${lines[i]?.where}: seq ${event.seq}, expected ${i + 1}`);
  });
  // 2. every prev is the SHA-256 of the previous line's bytes (64 zeros for the first).
  const hashes = lines.map((line) => sha256Hex(line.bytes));
  events.forEach((event, i) => {
    const expected = i === 0 ? GENESIS_PREV : hashes[i - 1];
    if (event.prev !== expected) {
      fail(`${lines[i]?.where}: prev ${i === 0 ? 'is not 64 zeros (first event)' : `does not match the SHA-256 of line ${i}`}`);
    }
  });
  // 3. head.json names the last line.
  const last = events.length;
  if (!isRecord(head.data)) fail(`${HEAD_FILE}: not a JSON object`);
  if (head.data.format !== PROOF_FORMAT) fail(`${HEAD_FILE}: format is not ${JSON.stringify(PROOF_FORMAT)}`);
  if (head.data.seq !== events[last - 1]?.seq)
    fail(`${HEAD_FILE}: seq ${JSON.stringify(head.data.seq)} is not the last line's seq ${last}`);
  if (head.data.sha256 !== hashes[last - 1]) fail(`${HEAD_FILE}: sha256 does not match the SHA-256 of ${EVENTS_FILE} line ${last}`);
  // 4. head.sig verifies over head.json's bytes with the trusted key.
  if (!verifySignature(head.bytes, signature, key))
    fail(`${SIGNATURE_FILE}: the signature over ${HEAD_FILE} does not verify with the trusted key`);
  // 5. every named document exists and has its SHA-256.
  for (const [i, event] of events.entries()) {
    for (const document of event.documents) {
      const bytes = await source.read(document.path);
      if (bytes === null) fail(`${lines[i]?.where}: ${document.path} is missing from the bundle`);
      if (sha256Hex(bytes) !== document.sha256) fail(`${lines[i]?.where}: ${document.path} does not have the SHA-256 the event names`);
    }
  }
}

/**
 * Verifies a bundle against `trustedKey`, or against its own public-key.pem when none is given.
 * Throws UnreadableBundleError when the input cannot be read; otherwise the verdict.
 */
export async function verifyBundle(source: BundleSource, trustedKey?: KeyObject): Promise<VerifyResult> {
  const lines = splitLines(await required(source, EVENTS_FILE));
  const headBytes = await required(source, HEAD_FILE);
  const head = { bytes: headBytes, data: parseJson(decode(headBytes, HEAD_FILE), HEAD_FILE) };
  const signature = decode(await required(source, SIGNATURE_FILE), SIGNATURE_FILE);
  let key = trustedKey;
  if (key === undefined) {
    try {
      key = loadPublicKey(decode(await required(source, PUBLIC_KEY_FILE), PUBLIC_KEY_FILE), PUBLIC_KEY_FILE);
    } catch (error) {
      if (error instanceof ProofKeyError) throw new UnreadableBundleError(error.message);
      throw error;
    }
  }
  try {
    await runChecks(lines, head, signature, key, source);
  } catch (error) {
    if (error instanceof Invalid) return { valid: false, reason: error.message };
    throw error;
  }
  return { valid: true, events: lines.length, keyFingerprint: keyFingerprint(key) };
}
