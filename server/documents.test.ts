// Documents at rest: AES-256-GCM with the key from DOCUMENT_KEY, SHA-256 of the plaintext recorded,
// rows never changed.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { QueryTypes } from 'sequelize';
import { testDb } from '../tests/support/web';
import { createStatementFixture } from '../tests/support/statement-fixtures';
import { sha256 } from '../db/audit';
import { saveStatement } from '../db/statements';
import { type StatementData } from '../domain/billing/statement';
import {
  DocumentIntegrityError,
  decrypt,
  documentKey,
  encrypt,
  findStatementDocument,
  openDocument,
  readDocument,
  storeDocument,
  type NewDocument,
} from './documents';

process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
const database = testDb();
afterAll(() => database.close());

let statement: StatementData;
let unitId: number;

beforeAll(async () => {
  const f = await createStatementFixture(database);
  statement = await saveStatement(database, f.request, {
    userId: f.org.managers[0].id,
    email: f.org.managers[0].email,
    organisationId: f.org.organisation.id,
  });
  unitId = f.units.c.id;
});

const pdfLike = (text: string) => Buffer.from(`%PDF-1.7\n${text}\n%%EOF`);

function newDocument(content: Buffer, occupancyKey: string | null = null): NewDocument {
  return {
    kind: 'statement',
    statementId: statement.stored!.id,
    unitId,
    occupancyKey,
    version: statement.stored!.version,
    fileName: 'a.pdf',
    contentType: 'application/pdf',
    content,
    createdBy: null,
  };
}

describe('encryption', () => {
  test('round trip, and any change to ciphertext, tag or associated data fails', () => {
    const key = randomBytes(32);
    const sealed = encrypt(Buffer.from('Heizkosten 2.300,00 €'), key, 'statement|1|2||1');
    expect(decrypt(sealed, key, 'statement|1|2||1').toString()).toBe('Heizkosten 2.300,00 €');
    const flipped = Buffer.from(sealed.ciphertext);
    flipped[0]! ^= 1;
    expect(() => decrypt({ ...sealed, ciphertext: flipped }, key, 'statement|1|2||1')).toThrow();
    expect(() => decrypt(sealed, key, 'statement|1|3||1')).toThrow();
    expect(() => decrypt(sealed, randomBytes(32), 'statement|1|2||1')).toThrow();
  });

  test('the key must be 32 bytes in hex', () => {
    expect(() => documentKey('abc')).toThrow(/DOCUMENT_KEY/);
    expect(documentKey('ab'.repeat(32))).toHaveLength(32);
  });
});

describe('stored documents', () => {
  test('stored encrypted with the SHA-256 of the plaintext; read back verified', async () => {
    const content = pdfLike(`Dokument ${randomBytes(4).toString('hex')}`);
    const row = await storeDocument(database, newDocument(content, 'round-trip'));
    expect(row.sha256).toBe(sha256(content));
    expect(row.byteSize).toBe(content.length);
    const [raw] = await database.sequelize.query<{ ciphertext: Buffer }>('SELECT ciphertext FROM documents WHERE id = :id', {
      replacements: { id: row.id },
      type: QueryTypes.SELECT,
    });
    expect(raw!.ciphertext.includes(Buffer.from('%PDF'))).toBe(false);
    const opened = await readDocument(database, row.id);
    expect(opened!.content.equals(content)).toBe(true);
    expect(opened!.sha256).toBe(sha256(content));
  });

  test('a tampered ciphertext or a ciphertext moved to another row is refused', async () => {
    const row = await storeDocument(database, newDocument(pdfLike('original'), 'tamper'));
    const tampered = Buffer.from(row.ciphertext);
    tampered[tampered.length - 1]! ^= 0xff;
    row.ciphertext = tampered;
    expect(() => openDocument(row)).toThrow(DocumentIntegrityError);

    // A whole sealed document (ciphertext, IV, tag and hash) copied into another document's row.
    await storeDocument(database, newDocument(pdfLike('other'), 'other'));
    const find = (occupancyKey: string) => findStatementDocument(database, { statementId: statement.stored!.id, unitId, occupancyKey });
    const [source, target] = [(await find('tamper'))!, (await find('other'))!];
    Object.assign(target, { ciphertext: source.ciphertext, iv: source.iv, authTag: source.authTag, sha256: source.sha256 });
    expect(() => openDocument(target)).toThrow(DocumentIntegrityError);
  });

  test('a recorded hash that does not match the content is refused', async () => {
    const row = await storeDocument(database, newDocument(pdfLike('hash'), 'hash'));
    row.sha256 = sha256('something else');
    expect(() => openDocument(row)).toThrow(/SHA-256/);
  });

  test('never overwritten: a second store of the same document keeps the first, UPDATE and DELETE raise', async () => {
    const first = await storeDocument(database, newDocument(pdfLike('first'), 'once'));
    const second = await storeDocument(database, newDocument(pdfLike('second'), 'once'));
    expect(second.id).toBe(first.id);
    expect((await readDocument(database, first.id))!.content.toString()).toContain('first');
    await expect(
      database.sequelize.query('UPDATE documents SET file_name = :name WHERE id = :id', { replacements: { id: first.id, name: 'x.pdf' } }),
    ).rejects.toThrow(/permission denied/);
    await expect(database.sequelize.query('DELETE FROM documents WHERE id = :id', { replacements: { id: first.id } })).rejects.toThrow(
      /permission denied/,
    );
  });
});
