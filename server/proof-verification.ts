// Verification that finds what a database insider would try (issue 10): a statement version's
// chain is recomputed, its newest signed head checked against the installation's keys and the
// chain's last event, and the heads the workflow's history recorded (activity results, a store the
// database cannot rewrite) checked against the chain: a re-hashed chain, a dropped newest event and
// a moved head all disagree with them. Each recipient's stored chain is checked the same way, against
// its own signed head, the heads its workflows recorded and its lines' sources in the version's chain.
// The audit log is walked and checked against its signed head.
import { defaultPayloadConverter, isGrpcServiceError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { QueryTypes, type Transaction } from 'sequelize';
import { verifyAuditChain } from '../db/audit';
import type { Db } from '../db';
import { latestAuditHead, latestProofHead, type SignedHeadRow } from '../db/heads';
import { proofEvents, verifyProofChain } from '../db/proof';
import { recipientWorkflowIds } from '../db/statement-recipients';
import { statementWorkflowId } from '../domain/contracts/statement';
import { LATE_OBJECTION_WORKFLOW_TYPE, lateObjectionWorkflowId, lateObjectionWorkflowIdPrefix } from '../domain/contracts/late-objection';
import { RECIPIENT_WORKFLOW_TYPE, recipientWorkflowIdPrefix } from '../domain/contracts/statement-recipient';
import { chainedOccupancies, storedRecipientChain } from '../db/recipient-chains';
import { headSignatureHolds, recipientChainFindings, recipientChainId } from './proof/recipient-chain-check';
import { startPending } from './temporal';

export interface Finding {
  problem: 'chain-broken' | 'unsigned' | 'bad-signature' | 'head-mismatch' | 'anchor-mismatch' | 'anchor-missing';
  /** German, for the alarm and the compliance view. */
  message: string;
}

export interface Verification {
  ok: boolean;
  events: number;
  /** The newest head the workflow's history recorded (null: none found). */
  anchoredSeq: number | null;
  findings: Finding[];
}

interface HeadFields {
  chain: string;
  seq: number;
  sha256: string;
}

/** Whether the signed bytes name the chain's last event (the row's own columns are not signed). */
function headNames(head: SignedHeadRow, chainId: string, last: { seq: number; hash: string } | undefined): boolean {
  const fields = JSON.parse(head.head) as HeadFields;
  return last !== undefined && fields.chain === chainId && fields.seq === last.seq && fields.sha256 === last.hash;
}

/** An anchored head the stored chain (seq → hash) no longer holds: rewritten, or deleted. `entry` names its line. */
function anchorMismatch(hashes: ReadonlyMap<number, string>, head: HeadFields, entry: string): Finding | null {
  if (hashes.get(head.seq) === head.sha256) return null;
  return {
    problem: 'anchor-mismatch',
    message: hashes.has(head.seq)
      ? `${entry} ${head.seq} weicht vom im Workflow verankerten Stand ab (Kette neu berechnet?)`
      : `${entry} ${head.seq} fehlt, ist aber im Workflow verankert (gelöscht?)`,
  };
}

function isSignedHead(value: unknown): value is SignedHeadRow {
  const v = value as Partial<SignedHeadRow> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.head === 'string' &&
    typeof v.signature === 'string' &&
    typeof v.keyFingerprint === 'string'
  );
}

/** gRPC status codes: no such workflow; a method the server does not offer. */
const GRPC_NOT_FOUND = 5;
const GRPC_UNIMPLEMENTED = 12;

/** Every signed head the workflow's activities returned, in history order. */
export async function anchoredHeads(client: Client, workflowId: string): Promise<SignedHeadRow[] | null> {
  let history;
  try {
    history = await client.workflow.getHandle(workflowId).fetchHistory();
  } catch (error) {
    // fetchHistory passes the server's NOT_FOUND on as it is, unlike the calls that throw WorkflowNotFoundError.
    if (error instanceof WorkflowNotFoundError || (isGrpcServiceError(error) && error.code === GRPC_NOT_FOUND)) return null;
    throw error;
  }
  const heads: SignedHeadRow[] = [];
  for (const event of history.events ?? []) {
    const payload = event.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
    if (!payload) continue;
    const result = defaultPayloadConverter.fromPayload<{ head?: unknown }>(payload);
    if (result && typeof result === 'object' && isSignedHead(result.head)) heads.push(result.head);
  }
  return heads;
}

/** Checks one statement version's proof: chain, signed head, and the heads anchored in its workflow. */
export async function verifyStatementProof(db: Db, client: Client, ref: { id: number; version: number }): Promise<Verification> {
  const findings: Finding[] = [];
  const chain = await verifyProofChain(db, ref.id, ref.version);
  if (!chain.ok) findings.push({ problem: 'chain-broken', message: `Ereignis Nr. ${chain.brokenAt!.seq}: ${chain.brokenAt!.reason}` });
  const events = await proofEvents(db, ref.id, ref.version);
  const hashAt = new Map(events.map((e) => [e.seq, e.hash]));
  const last = events.at(-1);
  const chainId = statementWorkflowId(ref.id, ref.version);

  const stored = await latestProofHead(db, ref.id, ref.version);
  if (!stored) findings.push({ problem: 'unsigned', message: 'Kein signierter Kopf der Nachweiskette gespeichert' });
  else if (!headSignatureHolds(stored))
    findings.push({ problem: 'bad-signature', message: `Signatur des Kopfs (Ereignis Nr. ${stored.seq}) ungültig` });
  else if (!headNames(stored, chainId, last))
    findings.push({
      problem: 'head-mismatch',
      message: `Der signierte Kopf (Ereignis Nr. ${stored.seq}) passt nicht zum letzten Ereignis der Kette`,
    });

  // The version's workflow anchors its heads; an accepted late objection's workflow anchors its own
  // (it may run after the version's has ended). Found by the chain's events, the acceptances' rows
  // and Temporal's own list, which still names one whose event and row an insider deleted. Each
  // tenant's recipient workflow anchors the heads of its opening and objection: one that proved
  // nothing yet has none, and one the delivery named a moment before the version's workflow starts
  // it has no history yet; neither is a finding.
  const lateIds = await lateObjectionWorkflowIds(db, client, ref, events);
  const recipientIds = await recipientWorkflows(db, client, ref);
  // Each recipient's stored chain: its lines, their sources in the version's chain, its signed head.
  const recipientPrefix = recipientWorkflowIdPrefix(ref.id, ref.version);
  const recipientHashes = new Map<string, Map<number, string>>();
  const recipientChain = async (chain: string): Promise<Map<number, string>> => {
    const known = recipientHashes.get(chain);
    if (known) return known;
    const recipient = { statementId: ref.id, version: ref.version, occupancyId: Number(chain.slice(recipientPrefix.length)) };
    const stored = await storedRecipientChain(db, recipient);
    findings.push(...recipientChainFindings(recipient, stored, hashAt));
    const hashes = new Map(stored.lines.map((line) => [line.seq, line.sha256]));
    recipientHashes.set(chain, hashes);
    return hashes;
  };
  for (const occupancyId of await chainedOccupancies(db, { statementId: ref.id, version: ref.version }))
    await recipientChain(recipientChainId({ statementId: ref.id, version: ref.version, occupancyId }));

  let anchoredSeq: number | null = null;
  const isRecipient = new Set(recipientIds);
  for (const workflowId of [chainId, ...lateIds, ...recipientIds]) {
    const anchored = await anchoredHeads(client, workflowId);
    if (isRecipient.has(workflowId)) {
      if (anchored?.length === 0) continue;
      if (anchored === null && (await startPending(client, workflowId, chainId))) continue;
    }
    if (anchored === null || anchored.length === 0) {
      findings.push({
        problem: 'anchor-missing',
        message:
          workflowId === chainId
            ? 'Im Verlauf des Workflows ist kein signierter Kopf verankert'
            : `Im Verlauf des Workflows ${workflowId} ist kein signierter Kopf verankert`,
      });
      continue;
    }
    for (const head of anchored) {
      const fields = JSON.parse(head.head) as HeadFields;
      const ofRecipient = fields.chain.startsWith(recipientPrefix) && /^\d+$/.test(fields.chain.slice(recipientPrefix.length));
      if ((fields.chain !== chainId && !ofRecipient) || !headSignatureHolds(head)) {
        findings.push({ problem: 'bad-signature', message: `Im Workflow verankerter Kopf Nr. ${fields.seq}: Signatur ungültig` });
      } else if (ofRecipient) {
        const mismatch = anchorMismatch(await recipientChain(fields.chain), fields, `Kette ${fields.chain}: Zeile Nr.`);
        if (mismatch) findings.push(mismatch);
      } else {
        anchoredSeq = Math.max(anchoredSeq ?? 0, fields.seq);
        const mismatch = anchorMismatch(hashAt, fields, 'Ereignis Nr.');
        if (mismatch) findings.push(mismatch);
      }
    }
  }
  return { ok: findings.length === 0, events: events.length, anchoredSeq, findings };
}

/** The workflows of the version's accepted late objections: named by its events, their rows and Temporal's visibility. */
async function lateObjectionWorkflowIds(
  db: Db,
  client: Client,
  ref: { id: number; version: number },
  events: ReadonlyArray<{ step: string; details: Record<string, unknown> }>,
): Promise<string[]> {
  const rows = await db.sequelize.query<{ workflowId: string }>(
    'SELECT workflow_id AS "workflowId" FROM statement_late_objections WHERE statement_id = :id AND version = :version',
    { replacements: ref, type: QueryTypes.SELECT },
  );
  const fromEvents = events
    .filter((e) => e.step === 'objection_accepted_late' && typeof e.details.occupancyId === 'number')
    .map((e) => lateObjectionWorkflowId(ref.id, ref.version, e.details.occupancyId as number));
  const fromTemporal = await listedWorkflowIds(client, LATE_OBJECTION_WORKFLOW_TYPE, lateObjectionWorkflowIdPrefix(ref.id, ref.version));
  return [...new Set([...fromEvents, ...rows.map((r) => r.workflowId), ...fromTemporal])].sort();
}

/** The workflows of the version's recipients: named by their rows and by Temporal's visibility. */
async function recipientWorkflows(db: Db, client: Client, ref: { id: number; version: number }): Promise<string[]> {
  const named = await recipientWorkflowIds(db, { statementId: ref.id, version: ref.version });
  const fromTemporal = await listedWorkflowIds(client, RECIPIENT_WORKFLOW_TYPE, recipientWorkflowIdPrefix(ref.id, ref.version));
  return [...new Set([...named, ...fromTemporal])].sort();
}

/** The ids Temporal's visibility lists for a workflow type and id prefix. */
async function listedWorkflowIds(client: Client, workflowType: string, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  const query = `WorkflowType = '${workflowType}' AND WorkflowId STARTS_WITH '${prefix}'`;
  try {
    for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
  } catch (error) {
    // Only Temporal's time-skipping test server has no visibility to list; every real server has.
    const cause = error instanceof Error ? error.cause : undefined;
    if (!(isGrpcServiceError(cause) && cause.code === GRPC_UNIMPLEMENTED)) throw error;
  }
  return ids;
}

/** Walks the audit log and checks it against its newest signed head. */
export async function verifyAuditLog(db: Db, transaction?: Transaction): Promise<Verification> {
  const findings: Finding[] = [];
  const walk = await verifyAuditChain(db, transaction);
  if (!walk.ok) findings.push({ problem: 'chain-broken', message: `Protokolleintrag ${walk.brokenAt!.id}: ${walk.brokenAt!.reason}` });
  findings.push(...(await verifyAuditHead(db, walk.checked > 0, transaction)));
  return { ok: findings.length === 0, events: walk.checked, anchoredSeq: null, findings };
}

/** Checks the audit log's newest signed head: its signature, and that its entry is still there unchanged. */
export async function verifyAuditHead(db: Db, logHasEntries: boolean, transaction?: Transaction): Promise<Finding[]> {
  const findings: Finding[] = [];
  const head = await latestAuditHead(db, transaction);
  if (!head) {
    if (logHasEntries) findings.push({ problem: 'unsigned', message: 'Kein signierter Kopf des Protokolls gespeichert' });
  } else if (!headSignatureHolds(head)) {
    findings.push({ problem: 'bad-signature', message: `Signatur des Protokollkopfs (Eintrag ${head.seq}) ungültig` });
  } else {
    const [entry] = await db.sequelize.query<{ hash: string }>('SELECT hash FROM audit_log WHERE id = :id', {
      replacements: { id: head.seq },
      type: QueryTypes.SELECT,
      transaction,
    });
    if (!entry)
      findings.push({
        problem: 'head-mismatch',
        message: `Protokolleintrag ${head.seq} fehlt, ist aber signiert (gelöscht oder geleert?)`,
      });
    else if (entry.hash !== head.sha256)
      findings.push({ problem: 'head-mismatch', message: `Protokolleintrag ${head.seq} weicht vom signierten Kopf ab` });
  }
  return findings;
}
