// The verification run's side effects (issue 10): the workflow `proofVerificationRun` walks every
// statement version's proof chain and the audit log in pages, through these activities. Each
// version is checked by server/proof-verification.ts (chain, signed head, the heads anchored in its
// workflow's history) and its delivered PDFs against the hashes its approval proved. Findings are
// recorded as they are found (a retried page records nothing twice), and the run's end raises one
// urgent alarm per organisation to its managers and compliance officers for what is new.
import type { Client } from '@temporalio/client';
import { QueryTypes } from 'sequelize';
import type { Db } from '../db';
import { verifyAuditChainPage } from '../db/audit';
import { proofEvents } from '../db/proof';
import { statementWorkflowId } from '../domain/contracts/statement';
import {
  FINDINGS_PATH,
  type AuditPageInput,
  type AuditPageResult,
  type ChainPageInput,
  type ChainPageResult,
  type VerificationTotals,
} from '../domain/contracts/proof-verification';
import { DocumentIntegrityError, openDocument } from './documents';
import type { Mailer } from './mail';
import { genericNotice, notifyUsers } from './notifications';
import { noProgress, type ProgressSource } from './progress';
import { verifyAuditHead, verifyStatementProof, type Finding } from './proof-verification';

export interface ProofVerificationDeps {
  db: Db;
  mailer: Mailer;
  publicUrl?: string;
  progress?: ProgressSource;
  /** The Temporal client whose histories hold the anchored heads (the activity's own). */
  temporal: () => Client;
}

export type FindingProblem = Finding['problem'] | 'document-missing' | 'document-altered' | 'document-mismatch';

export interface FindingInput {
  organisationId: number | null;
  subject: string;
  subjectLabel: string;
  link: string | null;
  problem: FindingProblem;
  message: string;
}

interface VersionRow {
  id: number;
  version: number;
  organisationId: number;
  documentNumber: string;
  propertyName: string;
}

interface ManifestEntry {
  documentId: number;
  sha256: string;
}

function manifestOf(details: unknown): ManifestEntry[] {
  const documents = (details as { documents?: unknown } | null)?.documents;
  if (!Array.isArray(documents)) return [];
  return documents.filter(
    (d): d is ManifestEntry =>
      typeof d === 'object' &&
      d !== null &&
      typeof (d as ManifestEntry).documentId === 'number' &&
      typeof (d as ManifestEntry).sha256 === 'string',
  );
}

/** Records a finding (or links the known one) to the run; idempotent for a retried page. */
export async function recordFinding(db: Db, runId: number, finding: FindingInput): Promise<void> {
  await db.sequelize.transaction(async (transaction) => {
    const [row] = await db.sequelize.query<{ id: number }>(
      `INSERT INTO proof_findings (organisation_id, subject, subject_label, link, problem, message, first_run_id)
       VALUES (:organisationId, :subject, :subjectLabel, :link, :problem, :message, :runId)
       ON CONFLICT (subject, problem, message) DO UPDATE SET last_seen_at = now()
       RETURNING id`,
      { replacements: { ...finding, runId }, type: QueryTypes.SELECT, transaction },
    );
    await db.sequelize.query(
      `INSERT INTO proof_verification_run_findings (run_id, finding_id) VALUES (:runId, :findingId) ON CONFLICT DO NOTHING`,
      { replacements: { runId, findingId: row!.id }, transaction },
    );
  });
}

export function createProofVerificationObligation(deps: ProofVerificationDeps) {
  const { db } = deps;
  const progress = deps.progress ?? noProgress;

  /** The delivered PDFs the version's approval proved: each still there, decryptable, and with its proven hash. */
  async function checkDocuments(ref: VersionRow): Promise<{ checked: number; findings: Array<Pick<FindingInput, 'problem' | 'message'>> }> {
    const events = await proofEvents(db, ref.id, ref.version);
    const manifest = events.filter((e) => e.step === 'approved').flatMap((e) => manifestOf(e.details));
    const findings: Array<Pick<FindingInput, 'problem' | 'message'>> = [];
    for (const entry of manifest) {
      const row = await db.models.Document.findByPk(entry.documentId);
      if (!row) {
        findings.push({ problem: 'document-missing', message: `Dokument ${entry.documentId} fehlt (gelöscht?)` });
        continue;
      }
      try {
        openDocument(row);
      } catch (error) {
        if (!(error instanceof DocumentIntegrityError)) throw error;
        findings.push({ problem: 'document-altered', message: `Dokument ${entry.documentId} (${row.fileName}): Inhalt verändert` });
        continue;
      }
      if (row.sha256 !== entry.sha256)
        findings.push({
          problem: 'document-mismatch',
          message: `Dokument ${entry.documentId} (${row.fileName}): Hash weicht vom bei der Freigabe nachgewiesenen ab`,
        });
    }
    return { checked: manifest.length, findings };
  }

  return {
    /** Opens the run's record (once per workflow id: a retry or a continue-as-new finds it). */
    async beginProofVerification(input: {
      workflowId: string;
      organisationId: number | null;
      requestedBy: string | null;
    }): Promise<number> {
      const [row] = await db.sequelize.query<{ id: number }>(
        `INSERT INTO proof_verification_runs (workflow_id, organisation_id, requested_by) VALUES (:workflowId, :organisationId, :requestedBy)
         ON CONFLICT (workflow_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id RETURNING id`,
        { replacements: input, type: QueryTypes.SELECT },
      );
      return Number(row!.id);
    },

    /**
     * Checks the statement versions after `after` (by id), up to `limit`, heartbeating after each: a
     * retry continues after the last one reported.
     */
    async verifyProofChainPage(input: ChainPageInput): Promise<ChainPageResult> {
      const versions = await db.sequelize.query<VersionRow>(
        `SELECT s.id, s.version, p.organisation_id AS "organisationId", s.document_number AS "documentNumber", p.name AS "propertyName"
           FROM statements s JOIN properties p ON p.id = s.property_id
          WHERE s.id > :after AND (CAST(:organisationId AS INTEGER) IS NULL OR p.organisation_id = :organisationId)
          ORDER BY s.id LIMIT :limit`,
        {
          replacements: { after: input.after ?? 0, organisationId: input.organisationId, limit: input.limit },
          type: QueryTypes.SELECT,
        },
      );
      const page = progress<{ after: number; chains: number; documents: number }>();
      let { chains, documents } = page.resumed ?? { chains: 0, documents: 0 };
      const resumeAfter = page.resumed?.after ?? 0;
      for (const ref of versions) {
        if (ref.id <= resumeAfter) continue;
        const subject = statementWorkflowId(ref.id, ref.version);
        const about = {
          organisationId: ref.organisationId,
          subject,
          subjectLabel: `Abrechnung ${ref.documentNumber} v${ref.version} (${ref.propertyName})`,
          link: `/abrechnungen/${ref.id}/nachweis`,
        };
        const verdict = await verifyStatementProof(db, deps.temporal(), ref);
        // A version whose workflow never started has no chain yet; there is nothing to verify.
        const noChain = verdict.events === 0 && verdict.findings.every((f) => f.problem === 'unsigned' || f.problem === 'anchor-missing');
        if (!noChain) {
          chains += 1;
          const docs = await checkDocuments(ref);
          documents += docs.checked;
          for (const finding of [...verdict.findings, ...docs.findings]) await recordFinding(db, input.runId, { ...about, ...finding });
        }
        page.report({ after: ref.id, chains, documents });
      }
      const last = versions.at(-1);
      return { chains, documents, next: versions.length < input.limit || !last ? null : last.id };
    },

    /** Walks one page of the audit log; at its end, checks the log's signed head. */
    async verifyAuditLogPage(input: AuditPageInput): Promise<AuditPageResult> {
      const about = {
        organisationId: null,
        subject: 'audit-log',
        subjectLabel: 'Protokoll (alle Organisationen)',
        link: '/pruefung/protokoll',
      };
      const walk = await verifyAuditChainPage(db, input.after, input.limit);
      if (!walk.ok) {
        await recordFinding(db, input.runId, {
          ...about,
          problem: 'chain-broken',
          message: `Protokolleintrag ${walk.brokenAt!.id}: ${walk.brokenAt!.reason}`,
        });
      } else if (walk.checked === input.limit && walk.last) {
        return { checked: walk.checked, next: walk.last };
      }
      const head = await verifyAuditHead(db, input.after !== null || walk.checked > 0);
      for (const finding of head) await recordFinding(db, input.runId, { ...about, ...finding });
      return { checked: walk.checked, next: null };
    },

    /** Closes the run and raises the alarm for what it found first. */
    async finishProofVerification(input: {
      runId: number;
      organisationId: number | null;
      chains: number;
      documents: number;
      auditEntries: number;
    }): Promise<VerificationTotals> {
      await db.sequelize.query(
        `UPDATE proof_verification_runs SET finished_at = coalesce(finished_at, now()), chains = :chains, documents = :documents,
                audit_entries = :auditEntries WHERE id = :runId`,
        { replacements: input },
      );
      const [counts] = await db.sequelize.query<{ seen: number; fresh: number }>(
        `SELECT count(*)::int AS seen, count(*) FILTER (WHERE f.first_run_id = :runId)::int AS fresh
           FROM proof_verification_run_findings rf JOIN proof_findings f ON f.id = rf.finding_id WHERE rf.run_id = :runId`,
        { replacements: input, type: QueryTypes.SELECT },
      );
      const fresh = await db.sequelize.query<{ organisationId: number | null; count: number }>(
        `SELECT organisation_id AS "organisationId", count(*)::int AS count FROM proof_findings
          WHERE first_run_id = :runId AND resolved_at IS NULL GROUP BY organisation_id`,
        { replacements: input, type: QueryTypes.SELECT },
      );
      if (fresh.length > 0) await raiseAlarm(deps, input.runId, input.organisationId, fresh);
      return {
        runId: input.runId,
        chains: input.chains,
        documents: input.documents,
        auditEntries: input.auditEntries,
        findings: counts?.seen ?? 0,
        newFindings: counts?.fresh ?? 0,
      };
    },
  };
}

/**
 * One urgent notice per organisation to its managers and compliance officers: its own new findings
 * and the installation's (the audit log's), which concern every organisation the run covered.
 */
async function raiseAlarm(
  deps: ProofVerificationDeps,
  runId: number,
  scope: number | null,
  fresh: ReadonlyArray<{ organisationId: number | null; count: number }>,
): Promise<void> {
  const shared = fresh.find((f) => f.organisationId === null)?.count ?? 0;
  const own = new Map(fresh.filter((f) => f.organisationId !== null).map((f) => [f.organisationId!, f.count]));
  const users = await deps.db.models.User.findAll({
    where: { role: ['manager', 'compliance'], ...(scope === null ? {} : { organisationId: scope }) },
    order: [['id', 'ASC']],
  });
  const organisations = new Set(users.map((u) => u.organisationId));
  for (const organisationId of organisations) {
    const count = (own.get(organisationId) ?? 0) + shared;
    if (count === 0) continue;
    const title = 'Nachweisprüfung: Abweichung gefunden';
    const body = `Die Prüfung der Nachweisketten hat ${count === 1 ? 'einen neuen Befund' : `${count} neue Befunde`} ergeben. Bitte sofort prüfen.`;
    await notifyUsers(deps, {
      recipients: users.filter((u) => u.organisationId === organisationId),
      topic: 'archive',
      kind: 'proof-integrity',
      urgency: 'urgent',
      dedupeKey: `proof-verification:run-${runId}:org-${organisationId}`,
      compose: () =>
        genericNotice({
          title,
          body,
          link: FINDINGS_PATH,
          reference: `Prüflauf ${runId}`,
          facts: [{ label: 'Neue Befunde', value: String(count) }],
          actionLabel: 'Befunde ansehen',
        }),
    });
  }
}
