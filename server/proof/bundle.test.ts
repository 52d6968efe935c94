import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chainOf,
  sampleBundle,
  sampleDocuments,
  sampleEvents,
  sampleManifest,
  samplePdf,
  samplePdfPath,
} from '../../tests/support/proof-bundle';
import { buildBundle, writeBundle, zipBundle, type BundleInput } from './bundle';
import { sha256Hex, signHead } from './chain';
import { generateProofKeyPair, keyFingerprint } from './keys';
import { directorySource, memorySource, verifyBundle } from './verify';

const dir = mkdtempSync(join(tmpdir(), 'klarmeter-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { privateKey, publicKey } = generateProofKeyPair();

function input(patch: Partial<BundleInput> = {}): BundleInput {
  return {
    manifest: sampleManifest,
    events: chainOf(sampleEvents()),
    documents: sampleDocuments(),
    signing: { privateKey, signedAt: '2026-01-19T19:42:10.500Z' },
    ...patch,
  };
}

describe('building a bundle', () => {
  it('lays out exactly the files of PROOF.md', async () => {
    const bundle = await sampleBundle(privateKey);
    expect([...bundle.files.keys()]).toEqual([
      'manifest.json',
      'events.jsonl',
      'head.json',
      'head.sig',
      'public-key.pem',
      samplePdfPath,
      'VERIFY.txt',
    ]);
    const text = (path: string) => Buffer.from(bundle.files.get(path) ?? '').toString('utf8');
    const lines = chainOf(sampleEvents());
    expect(text('events.jsonl')).toBe(lines.map((line) => `${line}\n`).join(''));
    expect(JSON.parse(text('head.json'))).toEqual({
      format: 'klarmeter-proof/1',
      seq: 5,
      sha256: sha256Hex(lines[4] ?? ''),
      signedAt: '2026-01-19T19:42:10.500Z',
    });
    expect(text('head.sig')).toMatch(/^[A-Za-z0-9+/]{86}==\n$/);
    expect(text('public-key.pem')).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
    expect(bundle.files.get(samplePdfPath)).toEqual(samplePdf);
    expect(JSON.parse(text('manifest.json'))).toEqual({
      format: 'klarmeter-proof/1',
      ...sampleManifest,
      events: 5,
      keyFingerprint: keyFingerprint(publicKey),
    });
    expect(bundle.keyFingerprint).toBe(keyFingerprint(publicKey));
    const verify = text('VERIFY.txt');
    expect(verify).toContain('== Deutsch ==');
    expect(verify).toContain('== English ==');
    expect(verify).toContain('openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in head.json -sigfile <(base64 -d head.sig)');
    expect(verify).toContain(`${sha256Hex(samplePdf)}  ${samplePdfPath}`);
    expect(verify).toContain(keyFingerprint(publicKey));
  });

  it('exports a head signed earlier, with the public key of the key that signed it', async () => {
    const lines = chainOf(sampleEvents());
    const stored = signHead(lines[4] ?? '', privateKey, '2026-01-19T19:42:11.000Z');
    const bundle = await buildBundle(input({ signing: { ...stored, publicKey } }));
    expect(Buffer.from(bundle.files.get('head.json') ?? '').toString()).toBe(stored.head);
    expect(bundle.signedAt.toISOString()).toBe('2026-01-19T19:42:11.000Z');
    expect(await verifyBundle(memorySource(bundle.files))).toEqual({ valid: true, events: 5, keyFingerprint: keyFingerprint(publicKey) });
  });

  it('keeps the stored lines byte for byte, whatever their formatting', async () => {
    const first = '{ "seq": 1, "kind": "created", "at": "2026-01-18T08:00:00Z", "actor": "system", "prev": "' + '0'.repeat(64) + '" }';
    const bundle = await buildBundle(input({ events: [Buffer.from(first)], documents: [] }));
    expect(Buffer.from(bundle.files.get('events.jsonl') ?? '').toString()).toBe(`${first}\n`);
    expect(Buffer.from(bundle.files.get('VERIFY.txt') ?? '').toString()).toContain('(keine / none)');
  });

  it.each([
    ['no events', { events: [] }, 'events: no events'],
    ['a line with a line break', { events: ['{"seq":1}\n'] }, 'events[0]: expected one non-empty line'],
    ['a line that is no JSON', { events: ['{"seq":'] }, 'events[0]: not JSON'],
    ['a named document left out', { documents: [] }, `events line 3: names ${samplePdfPath}, which is not among the documents`],
    [
      'another PDF under the name',
      { documents: [{ path: samplePdfPath, bytes: Buffer.from('%PDF other') }] },
      "the document's SHA-256 differs",
    ],
    [
      'a document no event names',
      { documents: [...sampleDocuments(), { path: 'documents/x.pdf', bytes: samplePdf }] },
      'documents/x.pdf is named by no event',
    ],
    [
      'a document outside documents/',
      { documents: [{ path: '../x.pdf', bytes: samplePdf }] },
      'documents[0].path: expected documents/<file name>',
    ],
    ['a manifest without document number', { manifest: { ...sampleManifest, documentNumber: '' } }, 'manifest.documentNumber'],
    ['a manifest with version 0', { manifest: { ...sampleManifest, version: 0 } }, 'manifest.version'],
    ['a manifest without recipient', { manifest: { ...sampleManifest, recipient: null } }, 'manifest.recipient: missing'],
    ['a manifest setting the format', { manifest: { ...sampleManifest, format: 'x' } }, 'manifest.format: is set by the bundle itself'],
    ['a broken chain', { events: chainOf(sampleEvents()).reverse() }, 'bundle: would not verify: events.jsonl line 1: seq 5, expected 1'],
  ])('refuses %s', async (_case, patch, message) => {
    await expect(buildBundle(input(patch as Partial<BundleInput>))).rejects.toThrow(message);
  });

  it('refuses a stored head that does not match the chain or the key', async () => {
    const lines = chainOf(sampleEvents());
    const older = signHead(lines[3] ?? '', privateKey);
    await expect(buildBundle(input({ signing: { ...older, publicKey } }))).rejects.toThrow('head.json: seq 4 is not the last line');
    const current = signHead(lines[4] ?? '', privateKey);
    const other = generateProofKeyPair().publicKey;
    await expect(buildBundle(input({ signing: { ...current, publicKey: other } }))).rejects.toThrow('head.sig');
  });
});

describe('writing a bundle', () => {
  it('writes the directory, which proof verification accepts, and refuses to overwrite', async () => {
    const bundle = await sampleBundle(privateKey);
    const target = join(dir, 'written');
    await writeBundle(target, bundle);
    expect(readdirSync(target).sort()).toEqual([
      'VERIFY.txt',
      'documents',
      'events.jsonl',
      'head.json',
      'head.sig',
      'manifest.json',
      'public-key.pem',
    ]);
    expect(readFileSync(join(target, samplePdfPath))).toEqual(samplePdf);
    expect(await verifyBundle(await directorySource(target), publicKey)).toMatchObject({ valid: true, events: 5 });
    await expect(writeBundle(target, bundle)).rejects.toThrow('not empty');
  });

  it('zips the same layout in one folder; unzip and Python read it back unchanged', async () => {
    const bundle = await sampleBundle(privateKey);
    const archive = zipBundle(bundle, 'DOC-2026-00847-v3-whg-1.03');
    expect(zipBundle(bundle, 'DOC-2026-00847-v3-whg-1.03')).toEqual(archive);
    const zipPath = join(dir, 'bundle.zip');
    writeFileSync(zipPath, archive);
    expect(execFileSync('unzip', ['-t', zipPath], { encoding: 'utf8' })).toContain('No errors detected');
    const listing = execFileSync(
      'python3',
      ['-c', 'import sys,zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', zipPath],
      {
        encoding: 'utf8',
      },
    );
    expect(listing.trim().split('\n')).toEqual([
      'DOC-2026-00847-v3-whg-1.03/',
      ...[...bundle.files.keys()].flatMap((path) =>
        path === samplePdfPath
          ? ['DOC-2026-00847-v3-whg-1.03/documents/', `DOC-2026-00847-v3-whg-1.03/${path}`]
          : [`DOC-2026-00847-v3-whg-1.03/${path}`],
      ),
    ]);
    const out = join(dir, 'unzipped');
    mkdirSync(out);
    execFileSync('unzip', ['-q', zipPath, '-d', out]);
    for (const [path, bytes] of bundle.files)
      expect(readFileSync(join(out, 'DOC-2026-00847-v3-whg-1.03', path))).toEqual(Buffer.from(bytes));
    expect(await verifyBundle(await directorySource(join(out, 'DOC-2026-00847-v3-whg-1.03')))).toMatchObject({ valid: true });
  });

  it('zips without a folder, and deflates what compresses', async () => {
    const bundle = await sampleBundle(privateKey);
    const zipPath = join(dir, 'flat.zip');
    writeFileSync(zipPath, zipBundle(bundle));
    const info = execFileSync('unzip', ['-v', zipPath], { encoding: 'utf8' }).split('\n');
    expect(info.find((row) => row.endsWith(' VERIFY.txt'))).toContain('Defl:N');
    expect(info.find((row) => row.endsWith(' head.sig'))).toContain('Stored');
    expect(() => zipBundle(bundle, '../escape')).toThrow('folder: expected a plain folder name');
  });
});
