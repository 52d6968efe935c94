// The check of one recipient's stored chain (server/recipient-chain.ts writes it): by the nightly
// verification and before a bundle of it is handed out. Free of database code.
import type { SignedHeadRow } from '../../db/heads';
import type { RecipientChainRef, StoredRecipientLine } from '../../db/recipient-chains';
import { recipientWorkflowId } from '../../domain/contracts/statement-recipient';
import type { Finding } from '../proof-verification';
import { GENESIS_PREV, hashLine } from './chain';
import { verifySignature } from './keys';
import { keyring, trustedKey, type Keyring } from './signing';

/** The recipient chain's name in its heads: its workflow's id (`statement-<id>-v<n>-recipient-<occupancyId>`). */
export function recipientChainId(ref: RecipientChainRef): string {
  return recipientWorkflowId(ref.statementId, ref.version, ref.occupancyId);
}

interface LineFields {
  seq?: unknown;
  prev?: unknown;
  source?: { seq?: unknown; sha256?: unknown };
}

/** Whether a signed head holds under one of the installation's keys (current or earlier). */
export function headSignatureHolds(head: Pick<SignedHeadRow, 'head' | 'signature' | 'keyFingerprint'>, ring: Keyring = keyring()): boolean {
  const key = trustedKey(head.keyFingerprint, ring);
  return key !== null && verifySignature(head.head, head.signature, key.publicKey);
}

/**
 * What the recipient's stored chain shows: every line hashed and linked, each naming an event of the
 * version chain (`versionHashes`: seq → hash) as it is, and the newest signed head naming the last line.
 */
export function recipientChainFindings(
  ref: RecipientChainRef,
  chain: { lines: readonly StoredRecipientLine[]; head: SignedHeadRow | null },
  versionHashes: ReadonlyMap<number, string>,
  ring: Keyring = keyring(),
): Finding[] {
  const name = recipientChainId(ref);
  const found = (problem: Finding['problem'], text: string): Finding[] => [{ problem, message: `Kette ${name}: ${text}` }];
  let prev = GENESIS_PREV;
  for (const [index, stored] of chain.lines.entries()) {
    let fields: LineFields;
    try {
      fields = JSON.parse(stored.line) as LineFields;
    } catch {
      return found('chain-broken', `Zeile Nr. ${stored.seq} ist kein JSON`);
    }
    if (stored.seq !== index + 1 || fields.seq !== stored.seq) return found('chain-broken', `Zeile Nr. ${index + 1} fehlt (gelöscht)`);
    if (fields.prev !== prev) return found('chain-broken', `Zeile Nr. ${stored.seq}: Verkettung unterbrochen`);
    if (hashLine(stored.line) !== stored.sha256) return found('chain-broken', `Zeile Nr. ${stored.seq}: Inhalt nachträglich geändert`);
    const source = fields.source;
    if (source?.seq !== stored.sourceSeq || versionHashes.get(stored.sourceSeq) !== source.sha256)
      return found('chain-broken', `Zeile Nr. ${stored.seq} passt nicht zu Ereignis Nr. ${stored.sourceSeq} der Nachweiskette der Version`);
    prev = stored.sha256;
  }
  const last = chain.lines.at(-1);
  if (!last) return chain.head ? found('head-mismatch', `signierter Kopf Nr. ${chain.head.seq} ohne Zeilen (gelöscht?)`) : [];
  if (!chain.head) return found('unsigned', 'kein signierter Kopf gespeichert');
  if (!headSignatureHolds(chain.head, ring)) return found('bad-signature', `Signatur des Kopfs (Zeile Nr. ${chain.head.seq}) ungültig`);
  const head = JSON.parse(chain.head.head) as { chain?: unknown; seq?: unknown; sha256?: unknown };
  if (head.chain !== name || head.seq !== last.seq || head.sha256 !== last.sha256)
    return found('head-mismatch', `der signierte Kopf (Zeile Nr. ${chain.head.seq}) passt nicht zur letzten Zeile`);
  return [];
}
