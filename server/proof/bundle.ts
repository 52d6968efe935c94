// The evidence bundle (shared/PROOF.md, "Layout"): the chain's stored lines byte for byte, the
// signed head, the public key, the delivered documents and instructions for checking all of it with
// openssl and sha256sum, as a directory and as a ZIP. Free of database code: the caller hands in
// the stored lines, documents and head (or the key to sign a fresh head with).
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { PROOF_FORMAT, isDocumentPath, sha256Hex, signHead, type JsonValue } from './chain';
import { keyFingerprint, publicKeyOf, publicKeyPem } from './keys';
import { EVENTS_FILE, HEAD_FILE, MANIFEST_FILE, PUBLIC_KEY_FILE, SIGNATURE_FILE, VERIFY_FILE, memorySource, verifyBundle } from './verify';
import { zip, type ZipEntry } from './zip';

export class BundleError extends Error {
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'BundleError';
  }
}

/** What manifest.json says the bundle is; more fields are welcome. */
export interface BundleManifestFields {
  documentNumber: string;
  version: number;
  property: JsonValue;
  unit: JsonValue;
  recipient: JsonValue;
  [field: string]: JsonValue;
}

export interface BundleDocument {
  /** `documents/<file name>`, as the events name it. */
  path: string;
  bytes: Uint8Array;
}

/** Sign a fresh head now, or export the head signed (and stored) when the newest event was chained. */
export type BundleSigning =
  { privateKey: KeyObject; signedAt?: string } | { head: string | Uint8Array; signature: string; publicKey: KeyObject };

export interface BundleInput {
  manifest: BundleManifestFields;
  /** The chain's lines, oldest first, exactly as stored (without line breaks). */
  events: readonly (string | Uint8Array)[];
  documents?: readonly BundleDocument[];
  signing: BundleSigning;
  /** The portal's public page with the installation's keys, named in VERIFY.txt. */
  keyPageUrl?: string;
}

export interface Bundle {
  /** Bundle path (`/`-separated) → bytes, in layout order. */
  files: ReadonlyMap<string, Uint8Array>;
  keyFingerprint: string;
  /** When the head was signed; the ZIP's entries carry this time. */
  signedAt: Date;
}

/** The exact commands of shared/PROOF.md that VERIFY.txt explains (bash, run inside the bundle). */
export const VERIFY_COMMANDS = {
  signature: 'openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in head.json -sigfile <(base64 -d head.sig)',
  fingerprint: 'openssl pkey -pubin -in public-key.pem -outform DER | sha256sum',
  newestLine: "tail -n 1 events.jsonl | tr -d '\\n' | sha256sum",
  documents: 'sha256sum documents/*',
  // Walks the chain: every line must name the previous line's hash; prints ok and the newest hash.
  chain: [
    'prev=0000000000000000000000000000000000000000000000000000000000000000; ok=ok',
    'while IFS= read -r line || [ -n "$line" ]; do',
    '  case "$line" in *"\\"prev\\":\\"$prev\\""*) ;; *) ok="BROKEN: $line"; break ;; esac',
    "  prev=$(printf '%s' \"$line\" | sha256sum | cut -d ' ' -f 1)",
    'done < events.jsonl; echo "$ok $prev"',
  ].join('\n'),
} as const;

const NEWLINE = 0x0a;
const encoder = new TextEncoder();

function bytesOf(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

function checkManifest(manifest: BundleManifestFields): void {
  if (typeof manifest.documentNumber !== 'string' || manifest.documentNumber.trim() === '') {
    throw new BundleError('manifest.documentNumber', 'expected a non-empty string');
  }
  if (!Number.isSafeInteger(manifest.version) || manifest.version < 1)
    throw new BundleError('manifest.version', 'expected an integer from 1');
  for (const field of ['property', 'unit', 'recipient'] as const) {
    if (manifest[field] === undefined || manifest[field] === null) throw new BundleError(`manifest.${field}`, 'missing');
  }
  for (const field of ['format', 'events', 'keyFingerprint']) {
    if (field in manifest) throw new BundleError(`manifest.${field}`, 'is set by the bundle itself');
  }
}

interface NamedDocument {
  path: string;
  sha256: string;
  line: number;
}

// The documents the events name, read leniently: verification afterwards judges the chain itself.
function namedDocuments(lines: readonly Uint8Array[]): NamedDocument[] {
  const named: NamedDocument[] = [];
  lines.forEach((bytes, i) => {
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch {
      throw new BundleError(`events[${i}]`, 'not JSON');
    }
    const documents = typeof data === 'object' && data !== null ? (data as { documents?: unknown }).documents : undefined;
    if (!Array.isArray(documents)) return;
    for (const document of documents as { path?: unknown; sha256?: unknown }[]) {
      if (typeof document?.path === 'string' && typeof document.sha256 === 'string') {
        named.push({ path: document.path, sha256: document.sha256, line: i + 1 });
      }
    }
  });
  return named;
}

function checkDocuments(documents: readonly BundleDocument[], named: readonly NamedDocument[]): Map<string, Uint8Array> {
  const byPath = new Map<string, Uint8Array>();
  documents.forEach((document, i) => {
    if (!isDocumentPath(document.path))
      throw new BundleError(`documents[${i}].path`, `expected documents/<file name>, got ${JSON.stringify(document.path)}`);
    if (byPath.has(document.path)) throw new BundleError(`documents[${i}].path`, `${document.path} given twice`);
    byPath.set(document.path, document.bytes);
  });
  for (const { path, sha256, line } of named) {
    const bytes = byPath.get(path);
    if (bytes === undefined) throw new BundleError(`events line ${line}`, `names ${path}, which is not among the documents`);
    if (sha256Hex(bytes) !== sha256)
      throw new BundleError(`events line ${line}`, `${path}: the document's SHA-256 differs from the event's`);
  }
  const namedPaths = new Set(named.map((document) => document.path));
  for (const path of byPath.keys()) {
    if (!namedPaths.has(path)) throw new BundleError('documents', `${path} is named by no event`);
  }
  return byPath;
}

function describeValue(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

interface VerifyTextFacts {
  manifest: BundleManifestFields;
  events: number;
  headSha256: string;
  keyFingerprint: string;
  documents: readonly { path: string; sha256: string }[];
  keyPageUrl?: string;
}

/** VERIFY.txt: how to check the bundle without the portal, in German and English. */
export function verifyText({ manifest, events, headSha256, keyFingerprint, documents, keyPageUrl }: VerifyTextFacts): string {
  const listed = [...new Set(documents.map((document) => `  ${document.sha256}  ${document.path}`))];
  const documentList = listed.length === 0 ? ['  (keine / none)'] : listed;
  const indent = (command: string) => command.replace(/^/gm, '    ');
  const keyPage = keyPageUrl === undefined ? [] : [`Öffentliche Schlüssel / public keys: ${keyPageUrl}`];
  return [
    `Klarmeter – Zustellnachweis / delivery proof (${PROOF_FORMAT})`,
    '',
    `Dokument / document:     ${manifest.documentNumber} v${manifest.version}`,
    `Liegenschaft / property: ${describeValue(manifest.property)}`,
    `Einheit / unit:          ${describeValue(manifest.unit)}`,
    `Empfänger / recipient:   ${describeValue(manifest.recipient)}`,
    `Ereignisse / events:     ${events}`,
    `Kopf / head (SHA-256):   ${headSha256}`,
    `Schlüssel / key (SHA-256 of the DER public key): ${keyFingerprint}`,
    ...keyPage,
    '',
    'Dokumente laut Ereignissen / documents as the events name them:',
    ...documentList,
    '',
    '== Deutsch ==',
    '',
    'Dieser Ordner belegt lückenlos, was mit dem Dokument geschah. events.jsonl enthält die Ereignisse,',
    'ältestes zuerst, ein JSON-Objekt je Zeile. Jede Zeile nennt in "prev" den SHA-256 der vorherigen',
    'Zeile (deren Bytes ohne Zeilenumbruch; 64 Nullen bei der ersten), "seq" zählt 1, 2, 3 … ohne Lücke.',
    'head.json nennt den SHA-256 der neuesten Zeile und ist mit dem Ed25519-Schlüssel der Installation',
    'signiert (head.sig, Base64). Jede Änderung, Lücke oder Umstellung einer Zeile bricht die Kette; ein',
    'Weglassen des neuesten Ereignisses passt nicht mehr zum Kopf; ein neu signierter Kopf passt nicht',
    'zum Schlüssel. Prüfen Sie mit Standardwerkzeugen (bash, openssl ab 3.0, sha256sum), im Ordner:',
    '',
    '1. Die Signatur des Kopfes – erwartet: "Signature Verified Successfully":',
    indent(VERIFY_COMMANDS.signature),
    '   (Ohne bash: base64 -d head.sig > head.sig.bin und -sigfile head.sig.bin.)',
    '2. Der Schlüssel ist der der Installation: der Fingerabdruck muss dem oben genannten und dem auf der',
    '   öffentlichen Seite des Portals veröffentlichten entsprechen:',
    indent(VERIFY_COMMANDS.fingerprint),
    '3. Die neueste Zeile ist die im Kopf genannte – gleich "sha256" in head.json:',
    indent(VERIFY_COMMANDS.newestLine),
    '4. Die Kette ist lückenlos – erwartet: "ok" und derselbe SHA-256 wie in head.json:',
    indent(VERIFY_COMMANDS.chain),
    '5. Die Dokumente sind die zugestellten – gleich den SHA-256 in den Ereignissen (Liste oben):',
    indent(VERIFY_COMMANDS.documents),
    '',
    'Mit dem Quellcode des Portals prüft alles zusammen: npm run -s cli -- proof verify <Ordner> [--key <Schlüssel.pem>]',
    '',
    '== English ==',
    '',
    'This folder is a complete record of what happened to the document. events.jsonl holds the events,',
    'oldest first, one JSON object per line. Each line names in "prev" the SHA-256 of the previous line',
    '(its bytes without the line break; 64 zeros for the first), and "seq" runs 1, 2, 3 … without a gap.',
    "head.json names the SHA-256 of the newest line and is signed with the installation's Ed25519 key",
    '(head.sig, base64). Changing, removing, inserting or reordering a line breaks the chain; dropping the',
    'newest event no longer matches the head; a head signed again under another key fails the key check.',
    'Check it with standard tools (bash, openssl 3.0 or later, sha256sum), inside this folder:',
    '',
    '1. The signature over the head – expect "Signature Verified Successfully":',
    indent(VERIFY_COMMANDS.signature),
    '   (Without bash: base64 -d head.sig > head.sig.bin, then -sigfile head.sig.bin.)',
    "2. The key is the installation's: the fingerprint must equal the one above and the one published on",
    "   the portal's public page:",
    indent(VERIFY_COMMANDS.fingerprint),
    '3. The newest line is the one the head names – equal to "sha256" in head.json:',
    indent(VERIFY_COMMANDS.newestLine),
    '4. The chain has no gap – expect "ok" and the same SHA-256 as in head.json:',
    indent(VERIFY_COMMANDS.chain),
    '5. The documents are the ones delivered – equal to the SHA-256 in the events (list above):',
    indent(VERIFY_COMMANDS.documents),
    '',
    "With the portal's source code, all at once: npm run -s cli -- proof verify <folder> [--key <key.pem>]",
    '',
  ].join('\n');
}

/**
 * Assembles a bundle in memory and verifies it as `proof verify` would, so an exporter never hands
 * out a bundle that fails; throws BundleError (or the verifier's reason) otherwise.
 */
export async function buildBundle(input: BundleInput): Promise<Bundle> {
  checkManifest(input.manifest);
  if (input.events.length === 0) throw new BundleError('events', 'no events');
  const lines = input.events.map((line, i) => {
    const bytes = bytesOf(line);
    if (bytes.length === 0 || bytes.includes(NEWLINE))
      throw new BundleError(`events[${i}]`, 'expected one non-empty line without a line break');
    return bytes;
  });
  const named = namedDocuments(lines);
  const documents = checkDocuments(input.documents ?? [], named);
  const last = lines[lines.length - 1] as Uint8Array;

  const { signing } = input;
  const signed =
    'privateKey' in signing ? signHead(last, signing.privateKey, signing.signedAt) : { head: signing.head, signature: signing.signature };
  const publicKey = publicKeyOf('privateKey' in signing ? signing.privateKey : signing.publicKey);
  const head = bytesOf(signed.head);
  const fingerprint = keyFingerprint(publicKey);
  let headData: { sha256?: unknown; signedAt?: unknown };
  try {
    headData = JSON.parse(Buffer.from(head).toString('utf8')) as typeof headData;
  } catch {
    throw new BundleError('signing.head', 'not JSON');
  }
  const signedAt =
    typeof headData.signedAt === 'string' && !Number.isNaN(Date.parse(headData.signedAt)) ? new Date(headData.signedAt) : new Date();

  const manifest = { format: PROOF_FORMAT, ...input.manifest, events: lines.length, keyFingerprint: fingerprint };
  const eventsFile = Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]));
  const files = new Map<string, Uint8Array>([
    [MANIFEST_FILE, encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`)],
    [EVENTS_FILE, eventsFile],
    [HEAD_FILE, head],
    [SIGNATURE_FILE, encoder.encode(`${signed.signature.replace(/\s+/g, '')}\n`)],
    [PUBLIC_KEY_FILE, encoder.encode(publicKeyPem(publicKey))],
    ...documents,
    [
      VERIFY_FILE,
      encoder.encode(
        verifyText({
          manifest: input.manifest,
          events: lines.length,
          headSha256: String(headData.sha256),
          keyFingerprint: fingerprint,
          documents: named.map(({ path, sha256 }) => ({ path, sha256 })),
          ...(input.keyPageUrl === undefined ? {} : { keyPageUrl: input.keyPageUrl }),
        }),
      ),
    ],
  ]);

  const result = await verifyBundle(memorySource(files), publicKey);
  if (!result.valid) throw new BundleError('bundle', `would not verify: ${result.reason}`);
  return { files, keyFingerprint: fingerprint, signedAt };
}

/** Writes the bundle into `dir`, which must not exist yet or be empty. */
export async function writeBundle(dir: string, bundle: Bundle): Promise<void> {
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) throw new BundleError(dir, 'not empty; a bundle is written into a new directory');
  for (const [path, bytes] of bundle.files) {
    const parts = path.split('/');
    if (parts.length > 1) await mkdir(join(dir, ...parts.slice(0, -1)), { recursive: true });
    await writeFile(join(dir, ...parts), bytes, { flag: 'wx' });
  }
}

/** The bundle as a ZIP; with `folder`, every entry sits in that folder (unzipping gives one directory). */
export function zipBundle(bundle: Bundle, folder?: string): Buffer {
  if (folder !== undefined && (folder === '' || /[/\\]|^\.\.?$/.test(folder)))
    throw new BundleError('folder', `expected a plain folder name, got ${JSON.stringify(folder)}`);
  const prefix = folder === undefined ? '' : `${folder}/`;
  const entries: ZipEntry[] = folder === undefined ? [] : [{ name: prefix }];
  const directories = new Set<string>();
  for (const [path, bytes] of bundle.files) {
    const slash = path.lastIndexOf('/');
    const directory = slash === -1 ? '' : path.slice(0, slash + 1);
    if (directory !== '' && !directories.has(directory)) {
      directories.add(directory);
      entries.push({ name: `${prefix}${directory}` });
    }
    entries.push({ name: `${prefix}${path}`, bytes });
  }
  return zip(entries, bundle.signedAt);
}
