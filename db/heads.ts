// Signed heads (issue 10): the newest hash of a chain, signed with the installation's Ed25519 key,
// which never reaches the database. The database only stores what a signer handed it.
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from './index';

export interface HeadSignature {
  /** Base64 Ed25519 signature over the head's exact bytes. */
  signature: string;
  /** Lowercase hex SHA-256 of the signing key's DER public key. */
  keyFingerprint: string;
}

/** Signs a head's bytes (server/proof/signing.ts). */
export type HeadSigner = (head: string) => HeadSignature;

export const HEAD_FORMAT = 'klarmeter-proof/1';

/** A stored signed head: head is the signed JSON's exact bytes. */
export interface SignedHeadRow extends HeadSignature {
  seq: number;
  sha256: string;
  head: string;
}

/** The head JSON of chain `chain` at its event `seq` with hash `sha256`. */
export function headText(chain: string, seq: number, sha256: string, signedAt: Date): string {
  return JSON.stringify({ format: HEAD_FORMAT, chain, seq, sha256, signedAt: signedAt.toISOString() });
}

/** The audit log's chain name in its heads. */
export const AUDIT_CHAIN = 'audit-log';

/** Signs and stores the audit log's head at entry `entryId` (one per entry). */
export async function storeAuditHead(db: Db, signer: HeadSigner, entry: { id: number; hash: string }, transaction?: Transaction) {
  const head = headText(AUDIT_CHAIN, entry.id, entry.hash, new Date());
  const { signature, keyFingerprint } = signer(head);
  await db.sequelize.query(
    `INSERT INTO audit_heads (entry_id, sha256, head, signature, key_fingerprint) VALUES (:id, :hash, :head, :signature, :keyFingerprint)
     ON CONFLICT (entry_id) DO NOTHING`,
    { replacements: { id: entry.id, hash: entry.hash, head, signature, keyFingerprint }, transaction },
  );
}

/** The audit log's newest signed head. */
export async function latestAuditHead(db: Db, transaction?: Transaction): Promise<SignedHeadRow | null> {
  const [row] = await db.sequelize.query<SignedHeadRow>(
    `SELECT entry_id AS seq, sha256, head, signature, key_fingerprint AS "keyFingerprint" FROM audit_heads ORDER BY entry_id DESC LIMIT 1`,
    { type: QueryTypes.SELECT, transaction },
  );
  return row ?? null;
}

/** A statement version's newest signed head. */
export async function latestProofHead(db: Db, statementId: number, version: number): Promise<SignedHeadRow | null> {
  const [row] = await db.sequelize.query<SignedHeadRow>(
    `SELECT seq, hash AS sha256, head, signature, key_fingerprint AS "keyFingerprint" FROM statement_proof_head_log
      WHERE statement_id = :statementId AND version = :version ORDER BY seq DESC LIMIT 1`,
    { replacements: { statementId, version }, type: QueryTypes.SELECT },
  );
  return row ?? null;
}
