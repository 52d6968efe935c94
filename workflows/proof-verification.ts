// The proof verification (issue 10): every night a Schedule starts this workflow (and a compliance
// officer or manager may start one on demand). It checks every statement version's chain, signed
// head, anchored heads and documents, page by page, then the audit log page by page and its signed
// head; findings are recorded by the activities as they are found, and the end raises the alarm.
// A huge installation continues as new when the history grows, carrying where it was.
//
// Deterministic code only: side effects in activities.
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  DEFAULT_AUDIT_PAGE_SIZE,
  DEFAULT_CHAIN_PAGE_SIZE,
  type AuditPageResult,
  type ProofVerificationInput,
  type VerificationTotals,
} from '../domain/contracts/proof-verification';

const { beginProofVerification, finishProofVerification } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// A page heartbeats after each version: a worker that dies mid-page is noticed within 30 s and the
// next attempt continues after the last version it reported.
const { verifyProofChainPage, verifyAuditLogPage } = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

export async function proofVerificationRun(input: ProofVerificationInput): Promise<VerificationTotals> {
  const organisationId = input.organisationId ?? null;
  const chainPageSize = input.chainPageSize ?? DEFAULT_CHAIN_PAGE_SIZE;
  const auditPageSize = input.auditPageSize ?? DEFAULT_AUDIT_PAGE_SIZE;
  const runId =
    input.carried?.runId ??
    (await beginProofVerification({ workflowId: workflowInfo().workflowId, organisationId, requestedBy: input.requestedBy ?? null }));
  let after = input.carried?.after ?? null;
  let chains = input.carried?.chains ?? 0;
  let documents = input.carried?.documents ?? 0;
  do {
    const page = await verifyProofChainPage({ runId, organisationId, after, limit: chainPageSize });
    chains += page.chains;
    documents += page.documents;
    after = page.next;
    if (after !== null && workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof proofVerificationRun>({ ...input, carried: { runId, after, chains, documents } });
    }
  } while (after !== null);

  let auditEntries = 0;
  let auditAfter: { id: number; hash: string } | null = null;
  do {
    const page: AuditPageResult = await verifyAuditLogPage({ runId, after: auditAfter, limit: auditPageSize });
    auditEntries += page.checked;
    auditAfter = page.next;
  } while (auditAfter !== null);

  return finishProofVerification({ runId, organisationId, chains, documents, auditEntries });
}
