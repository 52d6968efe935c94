// The contract of the proof verification (issue 10): a Schedule starts `proofVerificationRun` every
// night, a compliance officer or manager on demand; it checks every statement version's chain, the
// audit log and the delivered documents, page by page, and records what it finds.

export const PROOF_VERIFICATION_WORKFLOW_TYPE = 'proofVerificationRun';
/** Value of the KlarObligation search attribute of the runs. */
export const PROOF_VERIFICATION_OBLIGATION = 'proof-verification';
/** The nightly Schedule and the id its runs start with (Temporal appends the scheduled time). */
export const PROOF_VERIFICATION_SCHEDULE_ID = 'proof-verification';
/** The compliance desk's page of the findings (the alarm links to it). */
export const FINDINGS_PATH = '/pruefung/integritaet';
/** A resolution note: long enough to say what was done, short enough to read. */
export const RESOLUTION_NOTE_MAX = 2_000;

/** Statement versions per activity: each is a chain walk, a history fetch and its documents' decryption. */
export const DEFAULT_CHAIN_PAGE_SIZE = 50;
/** Audit entries per activity. */
export const DEFAULT_AUDIT_PAGE_SIZE = 5_000;

/** Business id of an on-demand run: one per organisation at a time (a second click joins the running one). */
export function onDemandVerificationId(organisationId: number, requestedAtMs: number): string {
  return `${PROOF_VERIFICATION_OBLIGATION}-org-${organisationId}-${requestedAtMs}`;
}

export interface ProofVerificationInput {
  /** Only this organisation's statements (an on-demand run, tests); absent: the whole installation. */
  organisationId?: number;
  /** Who asked for it (e-mail), absent for the Schedule's runs. */
  requestedBy?: string;
  chainPageSize?: number;
  auditPageSize?: number;
  /** Carried over a continue-as-new. */
  carried?: CarriedVerification;
}

export interface CarriedVerification {
  runId: number;
  after: number | null;
  chains: number;
  documents: number;
}

export interface VerificationTotals {
  runId: number;
  chains: number;
  documents: number;
  auditEntries: number;
  /** Findings this run saw (new and already known). */
  findings: number;
  /** Findings this run saw for the first time: what the alarm is about. */
  newFindings: number;
}

export interface ChainPageInput {
  runId: number;
  organisationId: number | null;
  /** The last statement id of the previous page (null: from the start). */
  after: number | null;
  limit: number;
}

export interface ChainPageResult {
  /** Statement versions checked. */
  chains: number;
  documents: number;
  /** The last statement id checked; null when there is nothing after it. */
  next: number | null;
}

export interface AuditPageInput {
  runId: number;
  /** The last entry checked and its hash (null: from the genesis). */
  after: { id: number; hash: string } | null;
  limit: number;
}

export interface AuditPageResult {
  checked: number;
  /** Where the next page starts; null when the walk is done (or broke: the finding is recorded). */
  next: { id: number; hash: string } | null;
}
