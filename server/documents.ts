// Stored documents: AES-256-GCM at rest (key DOCUMENT_KEY), SHA-256 of the plaintext recorded, and
// never overwritten. The authenticated data binds a ciphertext to its row's identity, so a
// ciphertext copied into another document's row fails to decrypt rather than showing the wrong file.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Transaction } from 'sequelize';
import type { Db } from '../db';
import { sha256 } from '../db/audit';
import { config } from './config';
import type { Document } from '../db/models/document';
import type { DocumentKind } from '../domain/documents';

const ALGORITHM = 'aes-256-gcm';
/** 96-bit IVs are GCM's native size; a fresh random one per document. */
const IV_BYTES = 12;

export interface Sealed {
  ciphertext: Buffer;
  iv: Buffer;
  authTag: Buffer;
}

/** The 32-byte key from DOCUMENT_KEY (64 hex characters). */
export function documentKey(hex: string | undefined = config().DOCUMENT_KEY): Buffer {
  if (!hex || !/^[0-9a-f]{64}$/i.test(hex))
    throw new Error('DOCUMENT_KEY must be set to 32 bytes in hex (64 characters) to store or read documents');
  return Buffer.from(hex, 'hex');
}

export function encrypt(plaintext: Buffer, key: Buffer, associatedData: string): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, iv, authTag: cipher.getAuthTag() };
}

/** Throws when the ciphertext, tag, IV or associated data were changed, or the key is wrong. */
export function decrypt(sealed: Sealed, key: Buffer, associatedData: string): Buffer {
  const decipher = createDecipheriv(ALGORITHM, key, sealed.iv);
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(sealed.authTag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}

export interface DocumentIdentity {
  kind: DocumentKind;
  statementId: number | null;
  unitId: number | null;
  /** The occupancy the document is addressed to; null for the unit as a whole. */
  occupancyKey: string | null;
  version: number;
}

function associatedData(identity: DocumentIdentity): string {
  return [identity.kind, identity.statementId ?? '', identity.unitId ?? '', identity.occupancyKey ?? '', identity.version].join('|');
}

export interface NewDocument extends DocumentIdentity {
  fileName: string;
  contentType: string;
  content: Buffer;
  createdBy: number | null;
}

export class DocumentIntegrityError extends Error {
  constructor(
    readonly documentId: number,
    reason: string,
  ) {
    super(`document ${documentId}: ${reason}`);
    this.name = 'DocumentIntegrityError';
  }
}

/**
 * Encrypts and inserts a document as a new row. When the same statement document was stored
 * concurrently (unique per statement, unit and occupancy), the row stored first wins and is returned.
 */
export async function storeDocument(
  db: Db,
  document: NewDocument,
  options: { key?: Buffer; transaction?: Transaction } = {},
): Promise<Document> {
  const key = options.key ?? documentKey();
  const { content, ...identity } = document;
  const sealed = encrypt(content, key, associatedData(identity));
  const [row] = await db.models.Document.bulkCreate([{ ...identity, sha256: sha256(content), byteSize: content.length, ...sealed }], {
    ignoreDuplicates: true,
    returning: true,
    transaction: options.transaction,
  });
  if (row?.id) return row;
  const existing = await findStatementDocument(db, identity, options.transaction);
  if (!existing) throw new Error('document neither inserted nor found');
  return existing;
}

/** The stored document of a statement for a unit (and occupancy), if it was rendered before. */
export async function findStatementDocument(
  db: Db,
  identity: Pick<DocumentIdentity, 'statementId' | 'unitId' | 'occupancyKey'>,
  transaction?: Transaction,
  /** Only these columns (the content is large). */
  attributes?: string[],
): Promise<Document | null> {
  return db.models.Document.findOne({
    where: { kind: 'statement', statementId: identity.statementId, unitId: identity.unitId, occupancyKey: identity.occupancyKey },
    transaction,
    ...(attributes ? { attributes } : {}),
  });
}

export interface OpenedDocument {
  id: number;
  fileName: string;
  contentType: string;
  sha256: string;
  content: Buffer;
}

/** Decrypts a stored document and checks its SHA-256 against the one recorded at storage. */
export function openDocument(row: Document, key: Buffer = documentKey()): OpenedDocument {
  let content: Buffer;
  try {
    content = decrypt({ ciphertext: row.ciphertext, iv: row.iv, authTag: row.authTag }, key, associatedData(row));
  } catch {
    throw new DocumentIntegrityError(row.id, 'decryption failed (ciphertext, tag or metadata changed, or wrong key)');
  }
  if (sha256(content) !== row.sha256) throw new DocumentIntegrityError(row.id, 'SHA-256 of the content does not match the recorded hash');
  return { id: row.id, fileName: row.fileName, contentType: row.contentType, sha256: row.sha256, content };
}

export async function readDocument(db: Db, id: number, key?: Buffer): Promise<OpenedDocument | null> {
  const row = await db.models.Document.findByPk(id);
  return row ? openDocument(row, key) : null;
}
