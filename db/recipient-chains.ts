// The stored chain of one recipient (issue 10, docs/decisions/0006): its lines exactly as they were
// chained (the bundle's events.jsonl), each naming the version chain's event it comes from, and the
// signed heads. Only rows: building the lines is server/recipient-chain.ts's.
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from './index';
import type { SignedHeadRow } from './heads';

export interface RecipientChainRef {
  statementId: number;
  version: number;
  occupancyId: number;
}

export interface StoredRecipientLine {
  seq: number;
  line: string;
  sha256: string;
  /** The version chain's event this line comes from. */
  sourceSeq: number;
}

const SELECT_LINES = `SELECT seq, line, sha256, source_seq AS "sourceSeq" FROM recipient_proof_lines
  WHERE statement_id = :statementId AND version = :version AND occupancy_id = :occupancyId`;

/** The recipient's lines, oldest first. */
export async function storedRecipientLines(db: Db, ref: RecipientChainRef, transaction?: Transaction): Promise<StoredRecipientLine[]> {
  return db.sequelize.query<StoredRecipientLine>(`${SELECT_LINES} ORDER BY seq`, {
    replacements: { ...ref },
    type: QueryTypes.SELECT,
    transaction,
  });
}

/** The recipient's newest line (null: no chain stored yet). */
export async function newestRecipientLine(db: Db, ref: RecipientChainRef, transaction: Transaction): Promise<StoredRecipientLine | null> {
  const [row] = await db.sequelize.query<StoredRecipientLine>(`${SELECT_LINES} ORDER BY seq DESC LIMIT 1`, {
    replacements: { ...ref },
    type: QueryTypes.SELECT,
    transaction,
  });
  return row ?? null;
}

export async function insertRecipientLine(db: Db, ref: RecipientChainRef, line: StoredRecipientLine, transaction: Transaction) {
  await db.sequelize.query(
    `INSERT INTO recipient_proof_lines (statement_id, version, occupancy_id, seq, line, sha256, source_seq)
     VALUES (:statementId, :version, :occupancyId, :seq, :line, :sha256, :sourceSeq)`,
    { replacements: { ...ref, ...line }, transaction },
  );
}

export async function insertRecipientHead(db: Db, ref: RecipientChainRef, head: SignedHeadRow, transaction: Transaction) {
  await db.sequelize.query(
    `INSERT INTO recipient_proof_head_log (statement_id, version, occupancy_id, seq, sha256, head, signature, key_fingerprint)
     VALUES (:statementId, :version, :occupancyId, :seq, :sha256, :head, :signature, :keyFingerprint)`,
    { replacements: { ...ref, ...head }, transaction },
  );
}

/** The recipient's newest signed head (null: none stored). */
export async function latestRecipientHead(db: Db, ref: RecipientChainRef, transaction?: Transaction): Promise<SignedHeadRow | null> {
  const [row] = await db.sequelize.query<SignedHeadRow>(
    `SELECT seq, sha256, head, signature, key_fingerprint AS "keyFingerprint" FROM recipient_proof_head_log
      WHERE statement_id = :statementId AND version = :version AND occupancy_id = :occupancyId ORDER BY seq DESC LIMIT 1`,
    { replacements: { ...ref }, type: QueryTypes.SELECT, transaction },
  );
  return row ?? null;
}

/** The occupancies of the version that have a stored chain. */
export async function chainedOccupancies(db: Db, ref: { statementId: number; version: number }): Promise<number[]> {
  const rows = await db.sequelize.query<{ occupancyId: number }>(
    `SELECT DISTINCT occupancy_id AS "occupancyId" FROM recipient_proof_lines
      WHERE statement_id = :statementId AND version = :version ORDER BY occupancy_id`,
    { replacements: { ...ref }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => row.occupancyId);
}

/** The recipient's stored chain and its newest signed head. */
export async function storedRecipientChain(db: Db, ref: RecipientChainRef) {
  const [lines, head] = await Promise.all([storedRecipientLines(db, ref), latestRecipientHead(db, ref)]);
  return { lines, head };
}
