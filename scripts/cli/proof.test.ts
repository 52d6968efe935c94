import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERIFY_COMMANDS, writeBundle } from '../../server/proof/bundle';
import { GENESIS_PREV, hashLine, signHead } from '../../server/proof/chain';
import { generateProofKeyPair, keyFingerprint, publicKeyPem } from '../../server/proof/keys';
import { chainOf, sampleBundle, sampleEvents, samplePdfPath } from '../../tests/support/proof-bundle';

// Runs the real entry point, as `npm run -s cli -- proof verify ...` does.
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'klarmeter-proof-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'proof', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs shell commands with bash inside `cwd`, as a verifier following VERIFY.txt would. */
function bash(script: string, cwd: string) {
  const result = spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const real = generateProofKeyPair();
const foreign = generateProofKeyPair();
const validDir = join(dir, 'valid');
const realKeyFile = join(dir, 'real-public-key.pem');
const realFingerprint = keyFingerprint(real.publicKey);
let variantCount = 0;

beforeAll(async () => {
  await writeBundle(validDir, await sampleBundle(real.privateKey));
  writeFileSync(realKeyFile, publicKeyPem(real.publicKey));
});

const read = (bundle: string, path: string) => readFileSync(join(bundle, path), 'utf8');
const eventLines = (bundle: string) => read(bundle, 'events.jsonl').split('\n').slice(0, -1);
const writeEvents = (bundle: string, lines: readonly string[]) =>
  writeFileSync(join(bundle, 'events.jsonl'), lines.map((line) => `${line}\n`).join(''));

/** A copy of the valid bundle, changed by `change`. */
function variant(change: (bundle: string) => void): string {
  const bundle = join(dir, `variant-${++variantCount}`);
  cpSync(validDir, bundle, { recursive: true });
  change(bundle);
  return bundle;
}

/** A fresh head over the bundle's current last line, signed with `key`; the bundle's public key becomes that key's. */
function resign(bundle: string, key: KeyObject) {
  const { head, signature } = signHead(eventLines(bundle).at(-1) ?? '', key, '2026-02-01T00:00:00.000Z');
  writeFileSync(join(bundle, 'head.json'), head);
  writeFileSync(join(bundle, 'head.sig'), `${signature}\n`);
  writeFileSync(join(bundle, 'public-key.pem'), publicKeyPem(key));
}

/** Events written as given objects, each `prev` set to the hash of the line before, then signed properly. */
function signedChain(events: readonly Record<string, unknown>[], firstPrev = GENESIS_PREV): (bundle: string) => void {
  return (bundle) => {
    const lines: string[] = [];
    for (const event of events)
      lines.push(JSON.stringify({ ...event, prev: lines.length === 0 ? firstPrev : hashLine(lines.at(-1) ?? '') }));
    writeEvents(bundle, lines);
    resign(bundle, real.privateKey);
  };
}

const event = (seq: number, extra: Record<string, unknown> = {}) => ({
  seq,
  kind: 'opened',
  at: '2026-01-19T19:42:10.123Z',
  actor: 'system',
  ...extra,
});

describe('cli proof verify: a valid bundle', { timeout: 300_000 }, () => {
  it('is valid with its own key and with --key naming the real key', () => {
    const expected = { valid: true, events: 5, keyFingerprint: realFingerprint };
    for (const args of [[validDir], [validDir, '--key', realKeyFile], [`--key=${realKeyFile}`, validDir]]) {
      const { code, stdout, stderr } = cli(['verify', ...args]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout.endsWith('\n')).toBe(true);
      expect(JSON.parse(stdout)).toEqual(expected);
    }
  });

  it('verifies with openssl and sha256sum alone, by the commands of PROOF.md and VERIFY.txt', () => {
    const head = JSON.parse(read(validDir, 'head.json')) as { sha256: string };
    const pdfHash = (JSON.parse(eventLines(validDir)[2] ?? '') as { documents: { sha256: string }[] }).documents[0]?.sha256;
    const proofMd = [
      'openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in head.json -sigfile <(base64 -d head.sig)',
      "tail -n 1 events.jsonl | tr -d '\\n' | sha256sum",
      'sha256sum documents/*.pdf',
    ];
    expect(bash(proofMd[0] ?? '', validDir)).toMatchObject({ code: 0, stdout: 'Signature Verified Successfully\n' });
    expect(bash(proofMd[1] ?? '', validDir)).toMatchObject({ code: 0, stdout: `${head.sha256}  -\n` });
    expect(bash(proofMd[2] ?? '', validDir)).toMatchObject({ code: 0, stdout: `${pdfHash}  ${samplePdfPath}\n` });

    const verifyTxt = read(validDir, 'VERIFY.txt');
    for (const command of Object.values(VERIFY_COMMANDS)) expect(verifyTxt).toContain(command.replace(/\n/g, '\n    '));
    expect(bash(VERIFY_COMMANDS.signature, validDir).stdout).toBe('Signature Verified Successfully\n');
    expect(bash(VERIFY_COMMANDS.fingerprint, validDir).stdout).toBe(`${realFingerprint}  -\n`);
    expect(bash(VERIFY_COMMANDS.newestLine, validDir).stdout).toBe(`${head.sha256}  -\n`);
    expect(bash(VERIFY_COMMANDS.chain, validDir).stdout).toBe(`ok ${head.sha256}\n`);
    expect(bash(VERIFY_COMMANDS.documents, validDir).stdout).toBe(`${pdfHash}  ${samplePdfPath}\n`);
  });

  it('lets openssl and the chain walk of VERIFY.txt catch tampering too', () => {
    const stale = variant((bundle) => writeFileSync(join(bundle, 'head.json'), read(bundle, 'head.json').replace('"seq":5', '"seq":4')));
    expect(bash(VERIFY_COMMANDS.signature, stale)).toMatchObject({ code: 1, stdout: 'Signature Verification Failure\n' });
    const edited = variant((bundle) =>
      writeEvents(
        bundle,
        eventLines(bundle).map((line, i) => (i === 1 ? line.replace('approved', 'created') : line)),
      ),
    );
    expect(bash(VERIFY_COMMANDS.chain, edited).stdout).toMatch(/^BROKEN: \{"seq":3,/);
  });

  it('accepts a bundle made with openssl and shell tools alone, by PROOF.md', () => {
    const script = String.raw`set -eu
      mkdir -p documents
      printf '%%PDF-1.4 made by hand\n' > documents/a.pdf
      doc=$(sha256sum documents/a.pdf | cut -d ' ' -f 1)
      l1='{"seq":1,"kind":"created","at":"2026-01-18T08:00:00Z","actor":"system","prev":"0000000000000000000000000000000000000000000000000000000000000000"}'
      h1=$(printf '%s' "$l1" | sha256sum | cut -d ' ' -f 1)
      l2='{"seq": 2, "kind": "delivered", "at": "2026-01-18T08:00:01Z", "actor": "system", "prev": "'$h1'", "documents": [{"path": "documents/a.pdf", "sha256": "'$doc'"}], "channel": "post"}'
      h2=$(printf '%s' "$l2" | sha256sum | cut -d ' ' -f 1)
      printf '%s\n%s\n' "$l1" "$l2" > events.jsonl
      printf '{"format":"klarmeter-proof/1","seq":2,"sha256":"%s","signedAt":"2026-01-18T08:00:02Z"}\n' "$h2" > head.json
      openssl genpkey -algorithm ed25519 -out ../by-hand-private.pem
      openssl pkey -in ../by-hand-private.pem -pubout -out public-key.pem
      openssl pkeyutl -sign -inkey ../by-hand-private.pem -rawin -in head.json | base64 > head.sig
      openssl pkey -pubin -in public-key.pem -outform DER | sha256sum | cut -d ' ' -f 1`;
    const bundle = join(dir, 'by-hand', 'bundle');
    execFileSync('mkdir', ['-p', bundle]);
    const made = bash(script, bundle);
    expect(made.code).toBe(0);
    // base64 wraps the 88 characters of the signature: head.sig spans two lines, which base64 -d accepts.
    expect(read(bundle, 'head.sig').trimEnd().split('\n')).toHaveLength(2);
    const { code, stdout } = cli(['verify', bundle]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ valid: true, events: 2, keyFingerprint: made.stdout.trim() });
  });
});

describe('cli proof verify: a tampered bundle', { timeout: 300_000 }, () => {
  const forged = (bundle: string) => JSON.stringify({ ...event(3, { kind: 'objection' }), prev: hashLine(eventLines(bundle)[1] ?? '') });

  it.each<[string, (bundle: string) => void, string, string[]?]>([
    [
      'an edited line',
      (bundle) =>
        writeEvents(
          bundle,
          eventLines(bundle).map((line, i) => (i === 1 ? line.replace('verwalter@', 'mallory@') : line)),
        ),
      'events.jsonl line 3: prev does not match the SHA-256 of line 2',
    ],
    [
      'an edited newest line',
      (bundle) =>
        writeEvents(
          bundle,
          eventLines(bundle).map((line, i) => (i === 4 ? line.replace('198.51.100.23', '192.0.2.1') : line)),
        ),
      'head.json: sha256 does not match the SHA-256 of events.jsonl line 5',
    ],
    [
      'a removed middle line',
      (bundle) =>
        writeEvents(
          bundle,
          eventLines(bundle).filter((_, i) => i !== 2),
        ),
      'events.jsonl line 3: seq 4, expected 3',
    ],
    [
      'an inserted line',
      (bundle) => {
        const lines = eventLines(bundle);
        writeEvents(bundle, [...lines.slice(0, 2), forged(bundle), ...lines.slice(2)]);
      },
      'events.jsonl line 4: seq 3, expected 4',
    ],
    [
      'reordered lines',
      (bundle) => {
        const [a, b, c, d, e] = eventLines(bundle);
        writeEvents(bundle, [a, b, c, e, d] as string[]);
      },
      'events.jsonl line 4: seq 5, expected 4',
    ],
    [
      'a dropped newest event',
      (bundle) => writeEvents(bundle, eventLines(bundle).slice(0, 4)),
      "head.json: seq 5 is not the last line's seq 4",
    ],
    [
      'a stale signature (newest event dropped, head made anew, old signature kept)',
      (bundle) => {
        const lines = eventLines(bundle).slice(0, 4);
        writeEvents(bundle, lines);
        writeFileSync(join(bundle, 'head.json'), signHead(lines[3] ?? '', foreign.privateKey).head);
      },
      'head.sig: the signature over head.json does not verify with the trusted key',
    ],
    [
      'a stale signature (an event appended, head made anew, old signature kept)',
      (bundle) => {
        const lines = eventLines(bundle);
        const appended = JSON.stringify({ ...event(6, { kind: 'window-closed' }), prev: hashLine(lines[4] ?? '') });
        writeEvents(bundle, [...lines, appended]);
        writeFileSync(join(bundle, 'head.json'), signHead(appended, foreign.privateKey).head);
      },
      'head.sig: the signature over head.json does not verify with the trusted key',
    ],
    [
      'a head re-signed under a foreign key, --key naming the real key',
      (bundle) => {
        writeEvents(bundle, eventLines(bundle).slice(0, 4));
        resign(bundle, foreign.privateKey);
      },
      'head.sig: the signature over head.json does not verify with the trusted key',
      ['--key', realKeyFile],
    ],
    [
      'a changed head seq',
      (bundle) => writeFileSync(join(bundle, 'head.json'), read(bundle, 'head.json').replace('"seq":5', '"seq":6')),
      'head.json: seq 6',
    ],
    [
      'a garbled signature',
      (bundle) => writeFileSync(join(bundle, 'head.sig'), 'AAAA\n'),
      'head.sig: the signature over head.json does not verify',
    ],
    [
      'a swapped PDF',
      (bundle) => writeFileSync(join(bundle, samplePdfPath), '%PDF-1.7 another statement'),
      `events.jsonl line 3: ${samplePdfPath} does not have the SHA-256`,
    ],
    [
      'a missing document',
      (bundle) => unlinkSync(join(bundle, samplePdfPath)),
      `events.jsonl line 3: ${samplePdfPath} is missing from the bundle`,
    ],
    ['a seq gap, properly chained and signed', signedChain([event(1), event(2), event(4)]), 'events.jsonl line 3: seq 4, expected 3'],
    ['a chain starting at seq 0', signedChain([event(0), event(1)]), 'events.jsonl line 1: seq 0, expected 1'],
    [
      'a bad prev of the first line, properly signed',
      signedChain([event(1), event(2)], 'f'.repeat(64)),
      'events.jsonl line 1: prev is not 64 zeros',
    ],
    [
      'an event without actor, properly signed',
      signedChain([event(1), event(2, { actor: undefined })]),
      'events.jsonl line 2: actor missing',
    ],
    ['an event that is no object', (bundle) => writeEvents(bundle, ['[1,2]']), 'events.jsonl line 1: not an event object'],
    [
      'a document outside the bundle, properly signed',
      signedChain([event(1, { documents: [{ path: '../valid/documents/x.pdf', sha256: 'a'.repeat(64) }] })]),
      'events.jsonl line 1: documents[0].path "../valid/documents/x.pdf" is not a path inside the bundle',
    ],
    [
      'events.jsonl that is not JSON',
      (bundle) => writeFileSync(join(bundle, 'events.jsonl'), 'this is not JSON\n'),
      'events.jsonl line 1: not JSON',
    ],
    [
      'one line of events.jsonl that is not JSON',
      (bundle) =>
        writeEvents(
          bundle,
          eventLines(bundle).map((line, i) => (i === 2 ? line.slice(0, 40) : line)),
        ),
      'events.jsonl line 3: not JSON',
    ],
    [
      'events.jsonl that is not UTF-8',
      (bundle) => writeFileSync(join(bundle, 'events.jsonl'), Buffer.from([0x7b, 0xff, 0x7d, 0x0a])),
      'events.jsonl line 1: not UTF-8',
    ],
    ['no events', (bundle) => writeEvents(bundle, []), 'events.jsonl: no events'],
  ])('rejects %s: exit 1 and the first failing line or file', (_case, change, reason, args = []) => {
    const { code, stdout, stderr } = cli(['verify', variant(change), ...args]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as { valid: boolean; reason: string };
    expect(Object.keys(result)).toEqual(['valid', 'reason']);
    expect(result.valid).toBe(false);
    expect(result.reason).toContain(reason);
  });

  it('accepts a head re-signed under a foreign key only with that key, and shows whose it is', () => {
    const bundle = variant((b) => {
      writeEvents(b, eventLines(b).slice(0, 4));
      resign(b, foreign.privateKey);
    });
    const { code, stdout } = cli(['verify', bundle]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ valid: true, events: 4, keyFingerprint: keyFingerprint(foreign.publicKey) });
    expect(keyFingerprint(foreign.publicKey)).not.toBe(realFingerprint);
  });
});

describe('cli proof verify: unreadable input and wrong arguments', { timeout: 300_000 }, () => {
  it.each<[string, () => string[], string]>([
    ['a missing directory', () => ['verify', join(dir, 'nope')], `${join(dir, 'nope')}: cannot read (ENOENT`],
    ['a file instead of a directory', () => ['verify', realKeyFile], `${realKeyFile}: not a directory`],
    ['a missing events.jsonl', () => ['verify', variant((b) => unlinkSync(join(b, 'events.jsonl')))], 'events.jsonl: missing'],
    [
      'head.json that is not JSON',
      () => ['verify', variant((b) => writeFileSync(join(b, 'head.json'), '{"format":'))],
      'head.json: not JSON',
    ],
    ['a missing head.sig', () => ['verify', variant((b) => unlinkSync(join(b, 'head.sig')))], 'head.sig: missing'],
    [
      'a public-key.pem that is no key',
      () => ['verify', variant((b) => writeFileSync(join(b, 'public-key.pem'), 'hello'))],
      'public-key.pem: not a readable public key',
    ],
    ['a missing --key file', () => ['verify', validDir, '--key', join(dir, 'none.pem')], `${join(dir, 'none.pem')}: cannot read (ENOENT`],
    [
      'a --key file that is no key',
      () => ['verify', validDir, '--key', join(validDir, 'head.json')],
      'head.json: not a readable public key',
    ],
    ['no DIR', () => ['verify'], 'DIR: missing; usage: cli proof verify DIR [--key PEM]'],
    ['--key without a file', () => ['verify', validDir, '--key'], '--key: missing'],
    ['two DIRs', () => ['verify', validDir, validDir], 'unexpected argument'],
    ['an unknown option', () => ['verify', validDir, '--fast'], 'unknown option "--fast"'],
    ['an unknown subcommand', () => ['check', validDir], 'unknown subcommand "check"'],
  ])('%s: exit 2, one line on stderr, nothing on stdout', (_case, args, message) => {
    const { code, stdout, stderr } = cli(args());
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('leaves the sample chain intact for the other cases', () => {
    expect(eventLines(validDir)).toEqual(chainOf(sampleEvents()));
  });
});
