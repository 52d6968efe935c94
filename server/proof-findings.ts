// The verification's findings on the compliance desk (issue 10): what the nightly or on-demand run
// found stays listed (and as a banner on /pruefung and the dashboard) until a compliance officer
// resolves it with a note, which the audit log records. Managers and compliance officers may start
// a run for their organisation on demand.
import { QueryTypes } from 'sequelize';
import { appendAudit } from '../db/audit';
import {
  RESOLUTION_NOTE_MAX,
  PROOF_VERIFICATION_OBLIGATION,
  PROOF_VERIFICATION_WORKFLOW_TYPE,
  onDemandVerificationId,
  type ProofVerificationInput,
} from '../domain/contracts/proof-verification';
import { hasPermission } from '../domain/permissions';
import { SA } from '../workflows/shared/search-attributes';
import { db } from './db';
import type { SessionUser } from './session';
import { temporalClient, temporalSettings, temporalUnavailable } from './temporal';

export interface FindingView {
  id: number;
  subjectLabel: string;
  link: string | null;
  problem: string;
  message: string;
  foundAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
}

export interface VerificationRunView {
  id: number;
  scope: 'installation' | 'organisation';
  requestedBy: string | null;
  startedAt: string;
  finishedAt: string | null;
  chains: number | null;
  documents: number | null;
  auditEntries: number | null;
  findings: number;
}

/** Who sees the integrity desk: managers and compliance officers (the compliance desk's readers). */
export function seesFindings(user: SessionUser): boolean {
  return hasPermission(user, 'read:compliance:any') && (user.role === 'manager' || user.role === 'compliance');
}

/** Resolving is the compliance officer's decision alone. */
export function mayResolveFindings(user: SessionUser): boolean {
  return user.role === 'compliance';
}

const SCOPE = '(f.organisation_id = :organisationId OR f.organisation_id IS NULL)';

/** The number of open findings the user's organisation sees (0 for users who do not see them). */
export async function openFindingCount(user: SessionUser): Promise<number> {
  if (!seesFindings(user)) return 0;
  const [row] = await db().sequelize.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM proof_findings f WHERE f.resolved_at IS NULL AND ${SCOPE}`,
    { replacements: { organisationId: user.organisationId }, type: QueryTypes.SELECT },
  );
  return row?.count ?? 0;
}

/** Open findings first (newest first), then the latest resolved ones. */
export async function findingsFor(user: SessionUser, resolvedLimit = 20): Promise<{ open: FindingView[]; resolved: FindingView[] }> {
  const select = `SELECT f.id::int AS id, f.subject_label AS "subjectLabel", f.link, f.problem, f.message, f.found_at AS "foundAt",
                         f.last_seen_at AS "lastSeenAt", f.resolved_at AS "resolvedAt", u.email AS "resolvedBy",
                         f.resolution_note AS "resolutionNote"
                    FROM proof_findings f LEFT JOIN users u ON u.id = f.resolved_by WHERE ${SCOPE}`;
  const replacements = { organisationId: user.organisationId, limit: resolvedLimit };
  const [open, resolved] = await Promise.all([
    db().sequelize.query<FindingView>(`${select} AND f.resolved_at IS NULL ORDER BY f.found_at DESC, f.id DESC`, {
      replacements,
      type: QueryTypes.SELECT,
    }),
    db().sequelize.query<FindingView>(`${select} AND f.resolved_at IS NOT NULL ORDER BY f.resolved_at DESC LIMIT :limit`, {
      replacements,
      type: QueryTypes.SELECT,
    }),
  ]);
  const iso = (row: FindingView): FindingView => ({
    ...row,
    foundAt: new Date(row.foundAt).toISOString(),
    lastSeenAt: new Date(row.lastSeenAt).toISOString(),
    resolvedAt: row.resolvedAt === null ? null : new Date(row.resolvedAt).toISOString(),
  });
  return { open: open.map(iso), resolved: resolved.map(iso) };
}

/** The latest runs that covered the user's organisation (nightly ones cover all). */
export async function recentRuns(user: SessionUser, limit = 5): Promise<VerificationRunView[]> {
  const rows = await db().sequelize.query<Omit<VerificationRunView, 'scope'> & { organisationId: number | null }>(
    `SELECT r.id::int AS id, r.organisation_id AS "organisationId", r.requested_by AS "requestedBy", r.started_at AS "startedAt",
            r.finished_at AS "finishedAt", r.chains, r.documents, r.audit_entries AS "auditEntries",
            (SELECT count(*)::int FROM proof_verification_run_findings rf WHERE rf.run_id = r.id) AS findings
       FROM proof_verification_runs r
      WHERE r.organisation_id = :organisationId OR r.organisation_id IS NULL
      ORDER BY r.started_at DESC, r.id DESC LIMIT :limit`,
    { replacements: { organisationId: user.organisationId, limit }, type: QueryTypes.SELECT },
  );
  return rows.map(({ organisationId, ...row }) => ({
    ...row,
    scope: organisationId === null ? 'installation' : 'organisation',
    startedAt: new Date(row.startedAt).toISOString(),
    finishedAt: row.finishedAt === null ? null : new Date(row.finishedAt).toISOString(),
  }));
}

export type FindingOutcome = { ok: true; message: string } | { ok: false; message: string; field?: 'note' };

/** Marks an open finding of the user's organisation (or the installation's) resolved, with a note; audited. */
export async function resolveFinding(user: SessionUser, findingId: number, note: string, ip: string | null): Promise<FindingOutcome> {
  if (!mayResolveFindings(user)) return { ok: false, message: 'Befunde erledigt nur die Compliance.' };
  const text = note.trim();
  if (text.length === 0) return { ok: false, field: 'note', message: 'Vermerk: Bitte angeben, was geprüft und veranlasst wurde.' };
  if (text.length > RESOLUTION_NOTE_MAX) return { ok: false, field: 'note', message: `Vermerk: höchstens ${RESOLUTION_NOTE_MAX} Zeichen.` };
  const database = db();
  return database.sequelize.transaction(async (transaction) => {
    const [row] = await database.sequelize.query<{ id: number; subjectLabel: string; problem: string; message: string }>(
      `UPDATE proof_findings f SET resolved_at = now(), resolved_by = :userId, resolution_note = :note
        WHERE f.id = :findingId AND f.resolved_at IS NULL AND ${SCOPE}
        RETURNING f.id::int AS id, f.subject_label AS "subjectLabel", f.problem, f.message`,
      {
        replacements: { userId: user.id, note: text, findingId, organisationId: user.organisationId },
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    if (!row) return { ok: false, message: 'Dieser Befund ist nicht (mehr) offen.' } as const;
    await appendAudit(
      database,
      {
        organisationId: user.organisationId,
        actorId: user.id,
        actor: user.email,
        action: 'proof.finding_resolved',
        entity: 'proof_finding',
        entityId: row.id,
        ip,
        details: { subject: row.subjectLabel, problem: row.problem, message: row.message, note: text },
      },
      transaction,
    );
    return { ok: true, message: `Befund „${row.message}“ als erledigt vermerkt.` } as const;
  });
}

/** Starts a verification of the user's organisation (and the audit log) now; audited. */
export async function requestVerification(user: SessionUser, ip: string | null, now = new Date()): Promise<FindingOutcome> {
  if (!seesFindings(user)) return { ok: false, message: 'Eine Prüfung starten Verwaltung und Compliance.' };
  const input: ProofVerificationInput = { organisationId: user.organisationId, requestedBy: user.email };
  // One per organisation and minute: a double submit joins the run it started.
  const workflowId = onDemandVerificationId(user.organisationId, Math.floor(now.getTime() / 60_000) * 60_000);
  try {
    await temporalClient().workflow.start(PROOF_VERIFICATION_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: temporalSettings().taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: SA.obligation, value: PROOF_VERIFICATION_OBLIGATION },
        { key: SA.organisation, value: String(user.organisationId) },
      ],
    });
  } catch (error) {
    if (temporalUnavailable(error))
      return { ok: false, message: 'Die Workflow-Engine ist nicht erreichbar. Bitte später erneut versuchen.' };
    throw error;
  }
  await appendAudit(db(), {
    organisationId: user.organisationId,
    actorId: user.id,
    actor: user.email,
    action: 'proof.verification_requested',
    entity: 'proof_verification',
    entityId: workflowId,
    ip,
  });
  return {
    ok: true,
    message:
      'Die Prüfung läuft. Ergebnisse erscheinen hier, sobald sie fertig ist; neue Befunde melden wir zusätzlich als dringende Nachricht.',
  };
}
