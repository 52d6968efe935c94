// The installation's keyring for proofs (shared/PROOF.md, "Head and signature"): the current
// Ed25519 signing key from the environment (PROOF_SIGNING_KEY; in development generated into
// .data/secrets.json), and the public keys of earlier keys (PROOF_PREVIOUS_PUBLIC_KEYS), which stay
// published after a rotation so that old heads keep verifying. Nothing here touches the database.
import type { KeyObject } from 'node:crypto';
import { config } from '../config';
import { keyFingerprint, loadPrivateKey, loadPublicKey, publicKeyOf, publicKeyPem, signBytes } from './keys';

export interface PublishedKey {
  publicKey: KeyObject;
  /** SPKI PEM, what the public page and every bundle's public-key.pem show. */
  pem: string;
  /** Lowercase hex SHA-256 of the DER public key. */
  fingerprint: string;
}

export interface Keyring {
  /** The signing key; null when none is configured (a process that only verifies). */
  signingKey: KeyObject | null;
  current: PublishedKey | null;
  /** Earlier keys, still trusted for heads signed before the rotation. */
  previous: PublishedKey[];
}

function published(key: KeyObject): PublishedKey {
  const publicKey = publicKeyOf(key);
  return { publicKey, pem: publicKeyPem(publicKey), fingerprint: keyFingerprint(publicKey) };
}

/** PEM blocks as they are, else comma- or whitespace-separated base64 (env files cannot hold line breaks). */
export function splitPublicKeys(text: string): string[] {
  const pems = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g);
  if (pems) return pems;
  return text
    .replace(/\\n/g, '\n')
    .split(/[,\s]+/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

export function keyringFrom(signing: string | undefined, previous: string | undefined): Keyring {
  const signingKey = signing ? loadPrivateKey(signing, 'PROOF_SIGNING_KEY') : null;
  const current = signingKey ? published(signingKey) : null;
  const older = (previous ? splitPublicKeys(previous) : []).map((text, i) =>
    published(loadPublicKey(text, `PROOF_PREVIOUS_PUBLIC_KEYS[${i}]`)),
  );
  return { signingKey, current, previous: older.filter((key) => key.fingerprint !== current?.fingerprint) };
}

let cached: { signing: string | undefined; previous: string | undefined; keyring: Keyring } | undefined;

/** The keyring from the environment (parsed once per value: tests and the start script set it late). */
export function keyring(): Keyring {
  const { PROOF_SIGNING_KEY: signing, PROOF_PREVIOUS_PUBLIC_KEYS: previous } = config();
  if (!cached || cached.signing !== signing || cached.previous !== previous) {
    cached = { signing, previous, keyring: keyringFrom(signing, previous) };
  }
  return cached.keyring;
}

export class SigningKeyMissingError extends Error {
  constructor() {
    super('PROOF_SIGNING_KEY: missing; proofs cannot be signed (set it, or let `npm start` generate one for development)');
    this.name = 'SigningKeyMissingError';
  }
}

export function requireSigningKey(ring: Keyring = keyring()): KeyObject {
  if (!ring.signingKey) throw new SigningKeyMissingError();
  return ring.signingKey;
}

/** Every key a head may have been signed with: the current one first. */
export function trustedKeys(ring: Keyring = keyring()): PublishedKey[] {
  return [...(ring.current ? [ring.current] : []), ...ring.previous];
}

export function trustedKey(fingerprint: string, ring: Keyring = keyring()): PublishedKey | null {
  return trustedKeys(ring).find((key) => key.fingerprint === fingerprint) ?? null;
}

export interface Signature {
  /** Base64 Ed25519 signature. */
  signature: string;
  keyFingerprint: string;
}

/** Signs `bytes` with the current key. */
export function signWithInstallationKey(bytes: string, ring: Keyring = keyring()): Signature {
  const key = requireSigningKey(ring);
  return { signature: signBytes(bytes, key), keyFingerprint: ring.current!.fingerprint };
}

/**
 * The signer for createDb (proof heads and the audit log's head): signs with whatever key is
 * current when the head is written; undefined when this process has no signing key (heads are then
 * not signed, and the verification reports them).
 */
export function headSigner(): ((head: string) => Signature) | undefined {
  return keyring().signingKey ? (head) => signWithInstallationKey(head) : undefined;
}

/** A signer for a key given as text (a tool that sets up another process's database, e.g. the cluster). */
export function headSignerFor(signingKey: string): (head: string) => Signature {
  const ring = keyringFrom(signingKey, undefined);
  return (head) => signWithInstallationKey(head, ring);
}
