import { createHash, generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GENESIS_PREV, chainLine, hashLine, headJson, nextChainLine, signHead, verifyHeadSignature } from './chain';
import {
  generateProofKeyPair,
  keyFingerprint,
  loadPrivateKey,
  loadPublicKey,
  privateKeyEnvString,
  privateKeyPem,
  publicKeyPem,
  signBytes,
  verifySignature,
} from './keys';

const at = '2026-01-18T08:00:00.000Z';
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('chain lines', () => {
  it('writes the standard fields first, then documents, then the extra fields sorted', () => {
    const line = chainLine({
      seq: 2,
      kind: 'delivered',
      at,
      actor: 'system',
      prev: 'a'.repeat(64),
      documents: [{ path: 'documents/DOC-1-v1.pdf', sha256: 'b'.repeat(64) }],
      extra: { zeta: 1, channel: 'post', meta: { b: [true, null], a: 'ä "quoted"\nline' } },
    });
    expect(line).toBe(
      `{"seq":2,"kind":"delivered","at":"${at}","actor":"system","prev":"${'a'.repeat(64)}",` +
        `"documents":[{"path":"documents/DOC-1-v1.pdf","sha256":"${'b'.repeat(64)}"}],` +
        `"channel":"post","meta":{"a":"ä \\"quoted\\"\\nline","b":[true,null]},"zeta":1}`,
    );
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toMatchObject({ seq: 2, channel: 'post', meta: { a: 'ä "quoted"\nline' } });
  });

  it('chains each line to the hash of the one before, starting from 64 zeros', () => {
    const first = nextChainLine(null, { kind: 'created', at, actor: 'verwalter@example.de' });
    const second = nextChainLine(first, { kind: 'approved', at: '2026-01-18T09:00:00.000Z', actor: 'verwalter@example.de' });
    expect(JSON.parse(first)).toEqual({ seq: 1, kind: 'created', at, actor: 'verwalter@example.de', prev: GENESIS_PREV });
    expect(JSON.parse(second)).toMatchObject({ seq: 2, prev: sha256(first) });
    expect(hashLine(first)).toBe(sha256(first));
    expect(hashLine(Buffer.from(first))).toBe(sha256(first));
    expect(() => hashLine(`${first}\n`)).toThrow('line: contains a line break');
  });

  it.each([
    [{ seq: 0 }, 'seq: expected an integer from 1'],
    [{ seq: 1.5 }, 'seq: expected an integer from 1'],
    [{ kind: ' ' }, 'kind: expected a non-empty string'],
    [{ at: '2026-01-18 08:00' }, 'at: expected an ISO-8601 UTC timestamp'],
    [{ at: '2026-01-18T08:00:00+01:00' }, 'at: expected an ISO-8601 UTC timestamp'],
    [{ at: '2026-13-18T08:00:00Z' }, 'at: expected an ISO-8601 UTC timestamp'],
    [{ actor: '' }, 'actor: expected a non-empty string'],
    [{ prev: 'A'.repeat(64) }, 'prev: expected 64 lowercase hex digits'],
    [{ seq: 1, prev: 'a'.repeat(64) }, 'prev: must be 64 zeros for seq 1'],
    [{ documents: [{ path: 'DOC.pdf', sha256: 'a'.repeat(64) }] }, 'documents[0].path: expected documents/<file name>'],
    [{ documents: [{ path: 'documents/../x.pdf', sha256: 'a'.repeat(64) }] }, 'documents[0].path'],
    [{ documents: [{ path: 'documents/x.pdf', sha256: 'abc' }] }, 'documents[0].sha256: expected 64 lowercase hex digits'],
    [{ extra: { seq: 3 } }, 'extra.seq: is a standard field'],
    [{ extra: { n: Number.NaN } }, 'extra.n: expected a finite number'],
    [{ extra: { when: new Date(0) as never } }, 'extra.when: expected a JSON value'],
  ])('refuses %j', (patch, message) => {
    const event = { seq: 2, kind: 'opened', at, actor: 'system', prev: 'a'.repeat(64), ...patch };
    expect(() => chainLine(event)).toThrow(message);
  });
});

describe('signed head', () => {
  const { privateKey, publicKey } = generateProofKeyPair();
  const first = nextChainLine(null, { kind: 'created', at, actor: 'system' });
  const last = nextChainLine(first, { kind: 'opened', at, actor: 'mieter@example.de' });

  it('names the newest line by seq and hash, in the fixed field order', () => {
    expect(headJson(last, '2026-01-18T10:00:00.000Z')).toBe(
      `{"format":"klarmeter-proof/1","seq":2,"sha256":"${sha256(last)}","signedAt":"2026-01-18T10:00:00.000Z"}`,
    );
  });

  it('is signed over its exact bytes', () => {
    const { head, signature } = signHead(last, privateKey, '2026-01-18T10:00:00.000Z');
    expect(signature).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(verifyHeadSignature(head, signature, publicKey)).toBe(true);
    expect(verifyHeadSignature(head, signature, privateKey)).toBe(true);
    expect(verifyHeadSignature(`${head} `, signature, publicKey)).toBe(false);
    expect(verifyHeadSignature(head, signature, generateProofKeyPair().publicKey)).toBe(false);
    expect(verifyHeadSignature(head, 'not base64!', publicKey)).toBe(false);
    expect(verifyHeadSignature(head, `${signature.slice(0, 40)}\n${signature.slice(40)}\n`, publicKey)).toBe(true);
  });

  it('defaults signedAt to now', () => {
    const { head } = signHead(last, privateKey);
    const signedAt = Date.parse((JSON.parse(head) as { signedAt: string }).signedAt);
    expect(Math.abs(signedAt - Date.now())).toBeLessThan(60_000);
  });
});

describe('keys', () => {
  const { privateKey, publicKey } = generateProofKeyPair();
  const pem = privateKeyPem(privateKey);

  it('loads the signing key from PEM and from env-style strings', () => {
    const forms = [pem, pem.replace(/\n/g, '\\n'), privateKeyEnvString(privateKey), Buffer.from(pem).toString('base64'), `  ${pem}\n\n`];
    for (const form of forms) {
      const loaded = loadPrivateKey(form, 'KLARMETER_PROOF_KEY');
      expect(verifySignature('x', signBytes('x', loaded), publicKey)).toBe(true);
    }
  });

  it('loads public keys from PEM and base64 DER, and a private key gives its public half', () => {
    const spkiPem = publicKeyPem(publicKey);
    expect(spkiPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    for (const form of [spkiPem, der, pem]) expect(keyFingerprint(loadPublicKey(form))).toBe(keyFingerprint(publicKey));
    expect(keyFingerprint(privateKey)).toBe(keyFingerprint(publicKey));
  });

  it('fingerprints the DER public key as openssl and sha256sum do', () => {
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: publicKeyPem(publicKey) });
    expect(keyFingerprint(publicKey)).toBe(createHash('sha256').update(der).digest('hex'));
    expect(der).toHaveLength(44);
  });

  it('names the source of a bad or foreign key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => loadPrivateKey('nonsense!', 'KLARMETER_PROOF_KEY')).toThrow('KLARMETER_PROOF_KEY: not a readable private key');
    expect(() => loadPrivateKey('', 'KLARMETER_PROOF_KEY')).toThrow('KLARMETER_PROOF_KEY: not a readable private key');
    expect(() => loadPrivateKey(publicKeyPem(publicKey), 'secrets/proof.pem')).toThrow('secrets/proof.pem: not a readable private key');
    expect(() => loadPrivateKey(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'k')).toThrow(
      'k: expected an Ed25519 key, got rsa',
    );
    expect(() => loadPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----', 'key.pem')).toThrow(
      'key.pem: not a readable public key',
    );
  });
});
