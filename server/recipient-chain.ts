// One stored chain per recipient (issue 10, docs/decisions/0006): the lines of the version chain's
// events that concern one tenant (the version's own steps, its delivery, receipt, opening,
// objections, supersession and the window's end), appended as they happen and each new head signed
// with the installation's key. The recipient's workflow appends after each of its steps and returns
// the head, so the head is also in that workflow's history (a second store the database cannot
// rewrite). A line names its source event (seq and hash) in the version chain, which ties both
// chains together; the lines are written in the form a manager's bundle shows (who acted, from which
// IP), and that bundle exports them byte for byte with the head signed when they were chained.
import { Op, QueryTypes, literal, where, type Transaction } from 'sequelize';
import type { Db } from '../db';
import { headText, type SignedHeadRow } from '../db/heads';
import {
  insertRecipientHead,
  insertRecipientLine,
  latestRecipientHead,
  newestRecipientLine,
  type RecipientChainRef,
} from '../db/recipient-chains';
import { statementWorkflowId } from '../domain/contracts/statement';
import { shownProofDetails } from '../domain/personal-data';
import { concernsRecipient, recipientDocumentName, recipientFacts, recipientLine, toSourceEvent } from './proof-export';
import { hashLine } from './proof/chain';
import { recipientChainId } from './proof/recipient-chain-check';

export interface RecipientChainHead {
  /** The chain's newest line (0: the recipient has no line, or no delivery row). */
  seq: number;
  /** Its signed head (null without a signer); recorded in the calling workflow's history. */
  head: SignedHeadRow | null;
}

/**
 * Appends the lines of the version's events since the recipient's newest line that concern it, and
 * signs the new head. Idempotent: run again, it finds nothing new and returns the stored head.
 * Serialised per recipient; the version chain's own lock orders its events, so a line never skips one.
 */
export async function appendRecipientChain(db: Db, ref: RecipientChainRef, transaction: Transaction): Promise<RecipientChainHead> {
  await db.sequelize.query(
    `SELECT pg_advisory_xact_lock(hashtextextended('recipient-proof:' || :statementId || ':' || :version || ':' || :occupancyId, 0))`,
    { replacements: { ...ref }, type: QueryTypes.SELECT, transaction },
  );
  const facts = await recipientFacts(db, ref, transaction);
  if (!facts) return { seq: 0, head: null };
  const newest = await newestRecipientLine(db, ref, transaction);
  // The events naming this occupancy or none (statement_proof_events_occupancy_idx), not every other
  // tenant's delivery; concernsRecipient decides among them.
  const events = await db.models.ProofEvent.findAll({
    where: {
      statementId: ref.statementId,
      version: ref.version,
      seq: { [Op.gt]: newest?.sourceSeq ?? 0 },
      [Op.or]: [where(literal(`details->>'occupancyId'`), String(ref.occupancyId)), where(literal(`details->>'occupancyId'`), Op.is, null)],
    },
    order: [['seq', 'ASC']],
    transaction,
  });
  const concerning = events.map(toSourceEvent).filter((event) => concernsRecipient(event, facts));
  let seq = newest?.seq ?? 0;
  if (concerning.length > 0) {
    const names = concerning.some((event) => event.step === 'approved' || event.step === 'delivered');
    const document = names ? await recipientDocumentName(db, facts, transaction) : null;
    const source = statementWorkflowId(ref.statementId, ref.version);
    let previous = newest?.line ?? null;
    let sha256 = '';
    for (const event of concerning) {
      const line = recipientLine(previous, { ...event, details: shownProofDetails(event.details) }, source, document);
      seq += 1;
      sha256 = hashLine(line);
      await insertRecipientLine(db, ref, { seq, line, sha256, sourceSeq: event.seq }, transaction);
      previous = line;
    }
    if (db.headSigner) {
      const head = headText(recipientChainId(ref), seq, sha256, new Date());
      await insertRecipientHead(db, ref, { seq, sha256, head, ...db.headSigner(head) }, transaction);
    }
  }
  return { seq, head: await latestRecipientHead(db, ref, transaction) };
}
