// The evidence bundle of one recipient (shared/PROOF.md): one statement version delivered to one
// tenant (occupancy). The database keeps one chain per statement version (db/proof.ts) and, since
// issue 10's stored chains, one per recipient (server/recipient-chain.ts): the version's events
// that concern the recipient (its own steps, its delivery, receipt, opening and objections), each
// written as a PROOF.md line in a fixed canonical form that names its source event's seq and hash.
// A viewer who sees every event whole (and the CLI) gets the stored lines byte for byte with the head
// signed when they were chained. Anyone else, and a recipient delivered before stored chains, gets
// the same lines built from the version's events as that viewer may see them, signed at export, and
// only after the source chain and its stored signed head have been verified.
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../db';
import { latestProofHead } from '../db/heads';
import { proofEvents, verifyProofChain } from '../db/proof';
import type { ProofEvent } from '../db/models/proof-event';
import { statementWorkflowId } from '../domain/contracts/statement';
import { PROOF_STEP_LABELS, type ProofStep } from '../domain/statement-lifecycle';
import { findStatementDocument, openDocument } from './documents';
import { buildBundle, type Bundle, type BundleDocument, type BundleManifestFields, type BundleSigning } from './proof/bundle';
import { headSignatureHolds, recipientChainFindings, recipientChainId } from './proof/recipient-chain-check';
import { storedRecipientChain } from '../db/recipient-chains';
import { nextChainLine, type ChainDocument, type JsonValue } from './proof/chain';
import { keyring, requireSigningKey, trustedKey, type Keyring } from './proof/signing';

export class ProofExportError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ProofExportError';
  }
}

/** One recipient: a statement version's delivery to one occupancy. */
export interface RecipientRef {
  statementId: number;
  version: number;
  occupancyId: number;
}

/** The public page with the installation's keys (app/routes/schluessel.tsx). */
export const KEY_PAGE_PATH = '/schluessel';

/** The PROOF.md kind of each stored step; later steps keep their name with dashes. */
const KINDS: Readonly<Record<ProofStep, string>> = {
  created: 'created',
  approved: 'approved',
  delivered: 'delivered',
  receipt_corrected: 'receipt-corrected',
  opened: 'opened',
  objection_filed: 'objection',
  corrected: 'superseded',
  final: 'window-closed',
  objection_accepted_late: 'objection-accepted-late',
};

export function kindOf(step: string): string {
  return (KINDS as Record<string, string>)[step] ?? step.replace(/_/g, '-');
}

/** A stored event as the recipient's chain needs it (viewer-filtered on the web). */
export interface SourceEvent {
  seq: number;
  step: ProofStep;
  at: string;
  actorId: number | null;
  actor: string;
  ip: string | null;
  documentSha256: string;
  hash: string;
  details: Record<string, unknown>;
}

export interface RecipientFacts {
  occupancyId: number;
  statementId: number;
  version: number;
  documentNumber: string;
  propertyId: number;
  propertyName: string;
  organisationId: number;
  unitId: number;
  unitLabel: string;
  tenancyId: number;
  userId: number | null;
  tenantName: string;
  channel: string;
  /** The letter's dispatch (null in the portal). */
  dispatchedOn: string | null;
  receivedOn: string;
  objectionDeadline: string;
  /** The tenant's PDF: the whole unit's (null) or, after a change of tenant, its occupancy's. */
  occupancyKey: string | null;
}

/** Whether a stored event of the version concerns this recipient. */
export function concernsRecipient(event: Pick<SourceEvent, 'step' | 'actorId' | 'details'>, recipient: RecipientFacts): boolean {
  const { occupancyId, unitId } = event.details;
  if (typeof occupancyId === 'number') return occupancyId === recipient.occupancyId;
  if (typeof unitId === 'number') {
    if (unitId !== recipient.unitId) return false;
    // A flat's opening or objection is its tenant's own: after a change of tenant, only this one's.
    return recipient.userId !== null && event.actorId === recipient.userId;
  }
  // The version's own delivery summary is no recipient's delivery; every other version-wide step is.
  return event.step !== 'delivered';
}

export async function recipientFacts(db: Db, ref: RecipientRef, transaction?: Transaction): Promise<RecipientFacts | null> {
  const [row] = await db.sequelize.query<Omit<RecipientFacts, 'occupancyKey'> & { occupancyKeyRaw: string; occupancies: number }>(
    `SELECT r.occupancy_id AS "occupancyId", r.statement_id AS "statementId", r.version, s.document_number AS "documentNumber",
            p.id AS "propertyId", p.name AS "propertyName", p.organisation_id AS "organisationId", r.unit_id AS "unitId", u.label AS "unitLabel",
            r.tenancy_id AS "tenancyId", r.user_id AS "userId", r.tenant_name AS "tenantName", r.channel,
            r.dispatched_on::text AS "dispatchedOn", r.received_on::text AS "receivedOn", r.objection_deadline::text AS "objectionDeadline",
            o.occupancy_key AS "occupancyKeyRaw",
            (SELECT count(*)::int FROM statement_occupancies x WHERE x.statement_id = o.statement_id AND x.unit_id = o.unit_id) AS occupancies
       FROM statement_recipients r
       JOIN statements s ON s.id = r.statement_id
       JOIN properties p ON p.id = s.property_id
       JOIN units u ON u.id = r.unit_id
       JOIN statement_occupancies o ON o.id = r.occupancy_id
      WHERE r.occupancy_id = :occupancyId AND r.statement_id = :statementId AND r.version = :version`,
    { replacements: { ...ref }, type: QueryTypes.SELECT, transaction },
  );
  if (!row) return null;
  const { occupancyKeyRaw, occupancies, ...facts } = row;
  return { ...facts, occupancyKey: occupancies > 1 ? occupancyKeyRaw : null };
}

/** A file name the bundle can hold: ASCII letters, digits, dots and dashes. */
function plainName(text: string): string {
  const plain = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[^A-Za-z0-9.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return plain === '' ? 'x' : plain;
}

/** The bundle's folder name (and the ZIP's), e.g. Nachweis-DOC-2026-00847-v3-WE-1.03. */
export function bundleFolder(facts: Pick<RecipientFacts, 'documentNumber' | 'version' | 'unitLabel' | 'occupancyKey'>): string {
  const occupancy = facts.occupancyKey === null ? '' : `-${plainName(facts.occupancyKey)}`;
  return `Nachweis-${plainName(facts.documentNumber)}-v${facts.version}-${plainName(facts.unitLabel)}${occupancy}`;
}

export interface RecipientDocument extends BundleDocument, ChainDocument {}

/** The recipient's delivered PDF as its lines name it (path and stored hash); null before approval. */
export async function recipientDocumentName(db: Db, facts: RecipientFacts, transaction?: Transaction): Promise<ChainDocument | null> {
  const identity = { statementId: facts.statementId, unitId: facts.unitId, occupancyKey: facts.occupancyKey };
  const row = await findStatementDocument(db, identity, transaction, ['sha256']);
  return row ? { path: recipientDocumentPath(facts), sha256: row.sha256 } : null;
}

function recipientDocumentPath(facts: RecipientFacts): string {
  const occupancy = facts.occupancyKey === null ? '' : `-${plainName(facts.occupancyKey)}`;
  return `documents/${plainName(facts.documentNumber)}-v${facts.version}-${plainName(facts.unitLabel)}${occupancy}.pdf`;
}

/** The recipient's delivered PDF, decrypted and checked against its stored hash; null before approval. */
export async function recipientDocument(db: Db, facts: RecipientFacts): Promise<RecipientDocument | null> {
  const row = await findStatementDocument(db, { statementId: facts.statementId, unitId: facts.unitId, occupancyKey: facts.occupancyKey });
  if (!row) return null;
  const opened = openDocument(row);
  return { path: recipientDocumentPath(facts), bytes: opened.content, sha256: opened.sha256 };
}

// Details that would only repeat another recipient's facts (the version's whole manifest).
const OMITTED_DETAILS = new Set(['documents']);

function jsonDetails(details: Record<string, unknown>): Record<string, JsonValue> {
  const kept = Object.entries(details).filter(([key, value]) => !OMITTED_DETAILS.has(key) && value !== undefined);
  return JSON.parse(JSON.stringify(Object.fromEntries(kept))) as Record<string, JsonValue>;
}

/**
 * The recipient's line for one event, following `previousLine` (null for the first): seq, kind, at,
 * actor, prev, documents (its PDF on the approval and its delivery), then the IP, the step's details
 * and the source event in the version's chain.
 */
export function recipientLine(previousLine: string | null, event: SourceEvent, chain: string, document: ChainDocument | null): string {
  const names = document !== null && (event.step === 'approved' || event.step === 'delivered');
  return nextChainLine(previousLine, {
    kind: kindOf(event.step),
    at: event.at,
    actor: event.actor,
    ...(names ? { documents: [{ path: document.path, sha256: document.sha256 }] } : {}),
    extra: {
      ip: event.ip,
      details: jsonDetails(event.details),
      source: { chain, seq: event.seq, sha256: event.hash },
    },
  });
}

/** The recipient's chain lines, oldest first (recipientLine). */
export function recipientLines(events: readonly SourceEvent[], chain: string, document: ChainDocument | null): string[] {
  const lines: string[] = [];
  for (const event of events) lines.push(recipientLine(lines.at(-1) ?? null, event, chain, document));
  return lines;
}

/** What the source chain's check found: nothing when the chain and its stored signed head hold. */
export async function sourceChainFindings(db: Db, ref: { statementId: number; version: number }, ring: Keyring = keyring()) {
  const findings: string[] = [];
  const verdict = await verifyProofChain(db, ref.statementId, ref.version);
  if (!verdict.ok && verdict.brokenAt) findings.push(`Ereignis Nr. ${verdict.brokenAt.seq}: ${verdict.brokenAt.reason}`);
  const head = await latestProofHead(db, ref.statementId, ref.version);
  const events = await proofEvents(db, ref.statementId, ref.version);
  const last = events.at(-1);
  if (!head) findings.push('Kein signierter Kopf der Nachweiskette gespeichert');
  else {
    const fields = JSON.parse(head.head) as { chain?: unknown; seq?: unknown; sha256?: unknown };
    if (!headSignatureHolds(head, ring)) findings.push(`Signatur des Kopfs (Ereignis Nr. ${head.seq}) ungültig`);
    else if (
      !last ||
      fields.chain !== statementWorkflowId(ref.statementId, ref.version) ||
      fields.seq !== last.seq ||
      fields.sha256 !== last.hash
    )
      findings.push(`Der signierte Kopf (Ereignis Nr. ${head.seq}) passt nicht zum letzten Ereignis der Kette`);
  }
  return findings;
}

/** The version's stored events as SourceEvents, oldest first. */
export async function sourceEvents(db: Db, ref: { statementId: number; version: number }): Promise<SourceEvent[]> {
  return (await proofEvents(db, ref.statementId, ref.version)).map(toSourceEvent);
}

export function toSourceEvent(e: ProofEvent): SourceEvent {
  return {
    seq: e.seq,
    step: e.step,
    at: e.at.toISOString(),
    actorId: e.actorId,
    actor: e.actor,
    ip: e.ip,
    documentSha256: e.documentSha256,
    hash: e.hash,
    details: e.details,
  };
}

export interface RecipientBundleOptions {
  ring?: Keyring;
  /** The version's events as this viewer may see them (server/personal-data.ts); all of them by default. */
  forViewer?: (events: SourceEvent[]) => Promise<SourceEvent[]>;
  /** Shown in manifest.json instead of the tenant's name (viewers who do not see tenants' names). */
  recipientName?: string;
  /** The portal's address, so VERIFY.txt can link the public key page. */
  publicUrl?: string;
  signedAt?: string;
}

export interface RecipientBundle {
  bundle: Bundle;
  folder: string;
  facts: RecipientFacts;
  events: SourceEvent[];
  /** The recipient's stored chain with its head signed when chained; false: a view signed at export. */
  storedChain: boolean;
}

/**
 * Builds the recipient's bundle (verified as `proof verify` would before it is handed out). Refuses
 * when the version's stored chain or its signed head does not hold: the portal never signs what it
 * cannot vouch for.
 */
export async function recipientBundle(db: Db, ref: RecipientRef, options: RecipientBundleOptions = {}): Promise<RecipientBundle> {
  const ring = options.ring ?? keyring();
  const privateKey = requireSigningKey(ring);
  const facts = await recipientFacts(db, ref);
  if (!facts)
    throw new ProofExportError('recipient', `no delivery of statement ${ref.statementId} v${ref.version} to occupancy ${ref.occupancyId}`);
  const findings = await sourceChainFindings(db, ref, ring);
  if (findings.length > 0) throw new ProofExportError('statement', `the stored proof chain does not verify: ${findings.join('; ')}`);
  const versionEvents = await sourceEvents(db, ref);
  const document = await recipientDocument(db, facts);
  const chain = statementWorkflowId(ref.statementId, ref.version);
  // A viewer who sees every event whole gets the stored chain with its head signed when it was
  // chained; anyone else a view of it without what they may not see, signed now.
  const stored = options.forViewer ? null : await storedRecipientChain(db, ref);
  let lines: string[];
  let events: SourceEvent[];
  let signing: BundleSigning;
  if (stored && stored.lines.length > 0) {
    const problems = recipientChainFindings(ref, stored, new Map(versionEvents.map((e) => [e.seq, e.hash])), ring);
    if (problems.length > 0)
      throw new ProofExportError('recipient', `the stored recipient chain does not verify: ${problems.map((p) => p.message).join('; ')}`);
    const head = stored.head!;
    const key = trustedKey(head.keyFingerprint, ring)!;
    const bySeq = new Map(versionEvents.map((e) => [e.seq, e]));
    lines = stored.lines.map((l) => l.line);
    events = stored.lines.map((l) => bySeq.get(l.sourceSeq)!);
    signing = { head: head.head, signature: head.signature, publicKey: key.publicKey };
  } else {
    const all = versionEvents.filter((e) => concernsRecipient(e, facts));
    events = options.forViewer ? await options.forViewer(all) : all;
    lines = recipientLines(events, chain, document);
    signing = { privateKey, ...(options.signedAt === undefined ? {} : { signedAt: options.signedAt }) };
  }
  const manifest: BundleManifestFields = {
    documentNumber: facts.documentNumber,
    version: facts.version,
    property: { id: facts.propertyId, name: facts.propertyName },
    unit: { id: facts.unitId, label: facts.unitLabel },
    recipient: {
      occupancyId: facts.occupancyId,
      name: options.recipientName ?? facts.tenantName,
      channel: facts.channel,
      receivedOn: facts.receivedOn,
      objectionDeadline: facts.objectionDeadline,
    },
    statementId: facts.statementId,
    sourceChain: chain,
    // The stored chain's name, whose heads its workflow's history keeps; absent for a view signed at export.
    ...(stored && stored.lines.length > 0 ? { recipientChain: recipientChainId(ref) } : {}),
  };
  if (options.publicUrl !== undefined) manifest.publicKeys = new URL(KEY_PAGE_PATH, options.publicUrl).toString();
  const bundle = await buildBundle({
    manifest,
    events: lines,
    documents: document ? [{ path: document.path, bytes: document.bytes }] : [],
    signing,
    ...(options.publicUrl === undefined ? {} : { keyPageUrl: new URL(KEY_PAGE_PATH, options.publicUrl).toString() }),
  });
  return { bundle, folder: bundleFolder(facts), facts, events, storedChain: manifest.recipientChain !== undefined };
}

/** The labelled step for pages: German label and the line's kind. */
export function stepLabel(step: string): string {
  return (PROOF_STEP_LABELS as Record<string, string>)[step] ?? step;
}

// ---------------------------------------------------------------------------------------------
// Finding a recipient by what an operator knows (the CLI)

export interface RecipientQuery {
  /** A statement's id, or its document number. */
  statement: string;
  /** The unit's label or id. */
  unit: string;
  version?: number;
  occupancy?: number;
}

interface VersionRow {
  id: number;
  version: number;
  documentNumber: string;
}

async function versionRows(db: Db, where: string, replacements: Record<string, unknown>): Promise<VersionRow[]> {
  return db.sequelize.query<VersionRow>(
    `SELECT s.id, s.version, s.document_number AS "documentNumber" FROM statements s WHERE ${where} ORDER BY s.version DESC`,
    { replacements, type: QueryTypes.SELECT },
  );
}

/** The statement version: by id, or by document number (the newest delivered version unless `version` names one). */
async function resolveVersion(db: Db, query: RecipientQuery): Promise<VersionRow> {
  const text = query.statement.trim();
  if (text === '') throw new ProofExportError('statement', 'missing (expected a statement id or a document number)');
  let rows: VersionRow[];
  if (/^\d+$/.test(text)) {
    const [byId] = await versionRows(db, 's.id = :id', { id: Number(text) });
    if (!byId) throw new ProofExportError('statement', `no statement with id ${text}`);
    if (query.version === undefined || query.version === byId.version) return byId;
    rows = await versionRows(db, 's.document_number = :number AND s.version = :version', {
      number: byId.documentNumber,
      version: query.version,
    });
  } else {
    rows = await versionRows(db, 's.document_number = :number', { number: text });
    if (rows.length === 0) throw new ProofExportError('statement', `no statement with document number ${JSON.stringify(text)}`);
    if (query.version !== undefined) rows = rows.filter((row) => row.version === query.version);
    else {
      const delivered = await versionRows(
        db,
        's.document_number = :number AND EXISTS (SELECT 1 FROM statement_recipients r WHERE r.statement_id = s.id AND r.version = s.version)',
        { number: text },
      );
      if (delivered[0]) return delivered[0];
    }
  }
  const [row] = rows;
  if (!row) throw new ProofExportError('--version', `statement ${text} has no version ${query.version}`);
  return row;
}

/** The one recipient the query names; a clear error naming the argument otherwise. */
export async function findRecipient(db: Db, query: RecipientQuery): Promise<RecipientRef> {
  const version = await resolveVersion(db, query);
  const recipients = await db.sequelize.query<{ occupancyId: number; unitId: number; unitLabel: string }>(
    `SELECT r.occupancy_id AS "occupancyId", r.unit_id AS "unitId", u.label AS "unitLabel"
       FROM statement_recipients r JOIN units u ON u.id = r.unit_id
      WHERE r.statement_id = :id AND r.version = :version ORDER BY u.label, r.occupancy_id`,
    { replacements: { id: version.id, version: version.version }, type: QueryTypes.SELECT },
  );
  const name = `${version.documentNumber} v${version.version}`;
  if (recipients.length === 0) throw new ProofExportError('statement', `${name} has not been delivered to any recipient`);
  const unit = query.unit.trim();
  const wanted = unit.toLocaleLowerCase('de');
  const byLabel = recipients.filter((r) => r.unitLabel.trim().toLocaleLowerCase('de') === wanted);
  const inUnit = byLabel.length > 0 ? byLabel : recipients.filter((r) => String(r.unitId) === unit);
  if (inUnit.length === 0) {
    const labels = [...new Set(recipients.map((r) => r.unitLabel))];
    throw new ProofExportError('--unit', `${name} has no recipient in unit ${JSON.stringify(unit)} (units: ${labels.join(', ')})`);
  }
  const chosen = query.occupancy === undefined ? inUnit : inUnit.filter((r) => r.occupancyId === query.occupancy);
  if (chosen.length === 0)
    throw new ProofExportError(
      '--occupancy',
      `no recipient ${query.occupancy} in unit ${JSON.stringify(unit)} (recipients: ${inUnit.map((r) => r.occupancyId).join(', ')})`,
    );
  if (chosen.length > 1)
    throw new ProofExportError(
      '--unit',
      `unit ${JSON.stringify(unit)} of ${name} has ${chosen.length} recipients (a change of tenant); name one with --occupancy ${chosen
        .map((r) => r.occupancyId)
        .join('|')}`,
    );
  return { statementId: version.id, version: version.version, occupancyId: chosen[0]!.occupancyId };
}
