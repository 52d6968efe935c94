// The installation's Ed25519 signing key (shared/PROOF.md). It never lives in the database: it comes
// from the environment or a secrets file, either as PEM or in an env-friendly one-line form.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export class ProofKeyError extends Error {
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'ProofKeyError';
  }
}

export interface ProofKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateProofKeyPair(): ProofKeyPair {
  return generateKeyPairSync('ed25519');
}

/** PKCS#8 PEM of a private key (the form a secrets file holds). */
export function privateKeyPem(privateKey: KeyObject): string {
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** One-line form for an environment variable: base64 of the PKCS#8 DER. loadPrivateKey reads it back. */
export function privateKeyEnvString(privateKey: KeyObject): string {
  return privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
}

/** SPKI PEM of a public key (public-key.pem); a private key gives its public half. */
export function publicKeyPem(key: KeyObject): string {
  return publicKeyOf(key).export({ type: 'spki', format: 'pem' }).toString();
}

export function publicKeyOf(key: KeyObject): KeyObject {
  return key.type === 'private' ? createPublicKey(key) : key;
}

/** Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo, what `openssl pkey -pubin -outform DER | sha256sum` prints. */
export function keyFingerprint(key: KeyObject): string {
  return createHash('sha256')
    .update(publicKeyOf(key).export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

// PEM as is, PEM with its line breaks written as "\n" (how multi-line values end up in .env files and
// container settings), base64 of the DER, or base64 of the whole PEM.
function keyMaterial(text: string): { pem: string } | { der: Buffer } {
  const trimmed = text.trim().replace(/\\r\\n|\\n/g, '\n');
  if (trimmed.startsWith('-----BEGIN ')) return { pem: trimmed };
  const compact = trimmed.replace(/\s+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new Error('expected a PEM key or its base64 form');
  const bytes = Buffer.from(compact, 'base64');
  const asText = bytes.toString('utf8');
  return asText.startsWith('-----BEGIN ') ? { pem: asText } : { der: bytes };
}

function requireEd25519(key: KeyObject, source: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new ProofKeyError(source, `expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'an unknown type'}`);
  return key;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function loadKey(text: string, source: string, kind: 'private' | 'public'): KeyObject {
  let key: KeyObject;
  try {
    const material = keyMaterial(text);
    if (kind === 'private') {
      key = 'pem' in material ? createPrivateKey(material.pem) : createPrivateKey({ key: material.der, format: 'der', type: 'pkcs8' });
    } else {
      key = 'pem' in material ? createPublicKey(material.pem) : createPublicKey({ key: material.der, format: 'der', type: 'spki' });
    }
  } catch (error) {
    throw new ProofKeyError(source, `not a readable ${kind} key (${describe(error)})`);
  }
  return requireEd25519(key, source);
}

/** The signing key from PEM (PKCS#8) or an env-style string; `source` names it in errors (e.g. the variable). */
export function loadPrivateKey(text: string, source = 'private key'): KeyObject {
  return loadKey(text, source, 'private');
}

/** A public key from PEM (SPKI) or an env-style string (base64 SPKI DER); a private key gives its public half. */
export function loadPublicKey(text: string, source = 'public key'): KeyObject {
  return loadKey(text, source, 'public');
}

/** Base64 Ed25519 signature over the exact bytes. */
export function signBytes(bytes: string | Uint8Array, privateKey: KeyObject): string {
  return sign(null, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes, privateKey).toString('base64');
}

const SIGNATURE_BASE64 = /^[A-Za-z0-9+/]{86}==$/;

/** Whether `signature` (base64; line breaks ignored as `base64 -d` does) is a valid Ed25519 signature over the bytes. */
export function verifySignature(bytes: string | Uint8Array, signature: string, publicKey: KeyObject): boolean {
  const compact = signature.replace(/\s+/g, '');
  if (!SIGNATURE_BASE64.test(compact)) return false;
  return verify(
    null,
    typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes,
    publicKeyOf(publicKey),
    Buffer.from(compact, 'base64'),
  );
}
