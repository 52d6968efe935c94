// One recipient's proof in the portal: its page (timeline with actor, server time and IP, the
// verification), its evidence bundle as a ZIP (shared/PROOF.md) and its proof PDF. Who may see it:
// the readers of statements who see the statement (as on the version's proof page), and the tenant
// the version was delivered to, for that delivery only. Anybody else gets 404: a forbidden object
// is simply not found.
import { QueryTypes } from 'sequelize';
import { parseId } from '../domain/params';
import { hasPermission } from '../domain/permissions';
import { formatDate, formatDateTime } from '../domain/format';
import { receiptCorrectionErrors, type ReceiptCorrectionField } from '../domain/statement-recipients';
import { normaliseText } from '../domain/text-limits';
import { notFound, requireUserWithPermission } from './permissions';
import { requireSameOrigin, type RequestContext } from './request';
import { correctRecipientReceiptDate, lifecycleActor, type LifecycleOptions } from './statement-lifecycle';
import { formatPeriod } from '../domain/statement-format';
import { requireUser } from './auth';
import { config } from './config';
import { db } from './db';
import { proofEventsForViewer, seesTenantNames, seesWholeProof } from './personal-data';
import { hashLine } from './proof/chain';
import { zipBundle } from './proof/bundle';
import { memorySource, verifyBundle, type VerifyResult } from './proof/verify';
import {
  KEY_PAGE_PATH,
  ProofExportError,
  kindOf,
  recipientBundle,
  recipientFacts,
  stepLabel,
  type RecipientBundle,
  type RecipientFacts,
  type SourceEvent,
} from './proof-export';
import type { SessionUser } from './session';
import { findStatementVisibleTo, pdfRenderer } from './statements';
import { renderProofPdf } from './statement-obligation';
import { sha256 } from '../db/audit';
import { keyring } from './proof/signing';
import { acceptLateObjectionAction, lateObjectionState, type LateObjectionOptions, type LateObjectionState } from './late-objections';

export { KEY_PAGE_PATH };

/** The recipient the route names, if this user may see it; else the 404 response is thrown. */
export async function requireRecipient(request: Request, rawId: string | undefined, rawOccupancyId: string | undefined) {
  const user = await requireUser(request);
  const statementId = parseId(rawId);
  const occupancyId = parseId(rawOccupancyId);
  if (!statementId || !occupancyId) throw notFound();
  const [row] = await db().sequelize.query<{ version: number }>(
    'SELECT version FROM statement_recipients WHERE statement_id = :statementId AND occupancy_id = :occupancyId',
    { replacements: { statementId, occupancyId }, type: QueryTypes.SELECT },
  );
  const facts = row ? await recipientFacts(db(), { statementId, version: row.version, occupancyId }) : null;
  if (!facts || facts.organisationId !== user.organisationId) throw notFound();
  if (hasPermission(user, 'read:statement:own')) {
    if (!(await findStatementVisibleTo(user, statementId))) throw notFound();
  } else if (user.role !== 'tenant' || !(await isOwnDelivery(user, facts))) throw notFound();
  return { user, facts };
}

/** The tenant's own delivery: delivered to its account, or to its tenancy. */
async function isOwnDelivery(user: SessionUser, facts: RecipientFacts): Promise<boolean> {
  if (facts.userId === user.id) return true;
  const tenancy = await db().models.Tenancy.findByPk(facts.tenancyId, { attributes: ['userId'] });
  return tenancy?.userId === user.id;
}

/** The bundle as this viewer may see it (who acted, from which IP: server/personal-data.ts). */
async function bundleFor(user: SessionUser, facts: RecipientFacts): Promise<RecipientBundle> {
  const publicUrl = config().PUBLIC_URL;
  return recipientBundle(
    db(),
    { statementId: facts.statementId, version: facts.version, occupancyId: facts.occupancyId },
    {
      ...(seesWholeProof(user) ? {} : { forViewer: (events: SourceEvent[]) => proofEventsForViewer(user, events) }),
      ...(seesTenantNames(user) ? {} : { recipientName: 'Mietpartei' }),
      ...(publicUrl === undefined ? {} : { publicUrl }),
    },
  );
}

export interface RecipientTimelineItem {
  seq: number;
  kind: string;
  label: string;
  at: string;
  actor: string;
  ip: string | null;
  hash: string;
  note: string | null;
}

function noteOf(details: Record<string, unknown>): string | null {
  const d = details as {
    channel?: string;
    dispatchedOn?: string;
    receivedOn?: string;
    via?: string;
    positions?: string[];
    byVersion?: number;
    previous?: string;
    reason?: string;
    deadlineMissed?: boolean;
    objectionDeadline?: string;
  };
  const parts: string[] = [];
  if (d.positions && d.objectionDeadline)
    parts.push(`eingegangen am ${formatDate(d.receivedOn)}, nach der Einspruchsfrist bis ${formatDate(d.objectionDeadline)}`);
  if (d.previous) parts.push(`Zugang berichtigt: vorher ${formatDate(d.previous)}, jetzt ${formatDate(d.receivedOn)}`);
  else if (d.channel)
    parts.push(d.channel === 'post' ? `per Post, versandt ${d.dispatchedOn ?? '–'}, Zugang ${d.receivedOn ?? '–'}` : 'im Portal');
  if (d.via) parts.push(d.via === 'download' ? 'PDF heruntergeladen' : 'im Portal angesehen');
  if (d.positions) parts.push(`beanstandet: ${d.positions.join(', ')}`);
  if (d.byVersion) parts.push(`ersetzt durch Version ${d.byVersion}`);
  if (d.deadlineMissed === true) parts.push('Frist versäumt (BGB §556 Abs. 3)');
  if (d.reason) parts.push(`Grund: ${d.reason}`);
  return parts.length === 0 ? null : parts.join(' · ');
}

export interface RecipientProofPage {
  statementId: number;
  occupancyId: number;
  documentNumber: string;
  version: number;
  propertyName: string;
  unitLabel: string;
  recipientName: string;
  channel: string;
  receivedOn: string;
  dispatchedOn: string | null;
  /** BGB §556(3): the last day of receipt, and whether this tenant's receipt came after it ("Frist versäumt"). */
  deliveryDeadline: string;
  deadlineMissed: boolean;
  objectionDeadline: string;
  /** The manager may correct this letter's receipt date (with a reason) while the version's window runs. */
  canCorrectReceipt: boolean;
  timeline: RecipientTimelineItem[];
  /** The bundle checked as `proof verify` does; or why no bundle can be made. */
  verification: VerifyResult | { unavailable: string };
  keyFingerprint: string | null;
  /**
   * When the bundle's head was signed: as the newest line was chained (the recipient's stored chain),
   * or now, for a view of it (null: no bundle).
   */
  headSigned: { stored: boolean; at: string } | null;
  /** Staff see the version's whole chain on its proof page. */
  versionProofLink: string | null;
  /** A late objection accepted by the manager (BGB §556(3) S.6), or whether one may be accepted now. */
  lateObjection: LateObjectionState;
}

/** The page's data: the recipient's events and the bundle's verification. */
export async function recipientProofPage(request: Request, rawId: string | undefined, rawOccupancyId: string | undefined) {
  const { user, facts } = await requireRecipient(request, rawId, rawOccupancyId);
  let built: RecipientBundle | null = null;
  let verification: RecipientProofPage['verification'];
  try {
    built = await bundleFor(user, facts);
    verification = await verifyBundle(memorySource(built.bundle.files));
  } catch (error) {
    if (!(error instanceof ProofExportError)) throw error;
    verification = { unavailable: error.message };
  }
  const receipt = await receiptOf(facts);
  const lines = built ? chainLines(built) : [];
  const timeline: RecipientTimelineItem[] = (built?.events ?? []).map((event, i) => ({
    seq: i + 1,
    kind: kindOf(event.step),
    label: stepLabel(event.step),
    at: event.at,
    actor: event.actor,
    ip: event.ip,
    hash: lines[i] === undefined ? '' : hashLine(lines[i]),
    note: noteOf(event.details),
  }));
  const page: RecipientProofPage = {
    statementId: facts.statementId,
    occupancyId: facts.occupancyId,
    documentNumber: facts.documentNumber,
    version: facts.version,
    propertyName: facts.propertyName,
    unitLabel: facts.unitLabel,
    recipientName: seesTenantNames(user) ? facts.tenantName : user.role === 'tenant' ? user.name : 'Mietpartei',
    channel: facts.channel,
    receivedOn: facts.receivedOn,
    dispatchedOn: receipt.dispatchedOn,
    deliveryDeadline: receipt.deliveryDeadline,
    deadlineMissed: receipt.deadlineMissed,
    objectionDeadline: facts.objectionDeadline,
    canCorrectReceipt: hasPermission(user, 'deliver:statement:any') && facts.channel === 'post' && receipt.status === 'delivered',
    timeline,
    verification,
    keyFingerprint: built?.bundle.keyFingerprint ?? null,
    headSigned: built ? { stored: built.storedChain, at: built.bundle.signedAt.toISOString() } : null,
    versionProofLink: hasPermission(user, 'read:statement:own') ? `/abrechnungen/${facts.statementId}/nachweis` : null,
    lateObjection: await lateObjectionState(user, facts),
  };
  return page;
}

interface ReceiptRow {
  dispatchedOn: string | null;
  deliveryDeadline: string;
  deadlineMissed: boolean;
  /** The version's status: its window runs while it is "delivered". */
  status: string;
}

async function receiptOf(facts: RecipientFacts): Promise<ReceiptRow> {
  const [row] = await db().sequelize.query<ReceiptRow>(
    `SELECT r.dispatched_on::text AS "dispatchedOn", r.delivery_deadline::text AS "deliveryDeadline", r.deadline_missed AS "deadlineMissed", s.status
       FROM statement_recipients r JOIN statements s ON s.id = r.statement_id
      WHERE r.statement_id = :statementId AND r.version = :version AND r.occupancy_id = :occupancyId`,
    { replacements: { statementId: facts.statementId, version: facts.version, occupancyId: facts.occupancyId }, type: QueryTypes.SELECT },
  );
  if (!row) throw notFound();
  return row;
}

export type ReceiptCorrectionResult =
  | { ok: true; message: string }
  | { ok: false; message: string; errors: Partial<Record<ReceiptCorrectionField, string>>; values: { receivedOn: string; reason: string } };

/**
 * The manager corrects this recipient's receipt date (a letter) with a reason: checked here with
 * errors naming the field, then proven by the version's workflow (which checks again).
 */
export async function recipientReceiptAction(
  request: Request,
  rawId: string | undefined,
  rawOccupancyId: string | undefined,
  context: RequestContext | undefined,
  options: LifecycleOptions = {},
): Promise<ReceiptCorrectionResult> {
  await requireUserWithPermission(request, 'deliver:statement:any');
  requireSameOrigin(request);
  const { user, facts } = await requireRecipient(request, rawId, rawOccupancyId);
  const form = await request.formData();
  const values = {
    receivedOn: String(form.get('receivedOn') ?? '').trim(),
    reason: normaliseText(String(form.get('reason') ?? '')).trim(),
  };
  const receipt = await receiptOf(facts);
  const errors = receiptCorrectionErrors(values, {
    channel: facts.channel === 'post' ? 'post' : 'portal',
    dispatchedOn: receipt.dispatchedOn,
  });
  if (Object.keys(errors).length > 0) return { ok: false, message: 'Bitte prüfen Sie die markierten Felder.', errors, values };
  const actor = await lifecycleActor(user, facts.propertyId, context, options.db);
  const outcome = await correctRecipientReceiptDate(
    { id: facts.statementId, version: facts.version },
    { actor, occupancyId: facts.occupancyId, receivedOn: values.receivedOn, reason: values.reason },
    options,
  );
  if (!outcome.ok) return { ok: false, message: outcome.message, errors: {}, values };
  const corrected = outcome.result;
  return {
    ok: true,
    message:
      `Das Zugangsdatum ist auf den ${formatDate(corrected.receivedOn)} berichtigt; Einspruch ist bis ${formatDate(corrected.objectionDeadline)} möglich.` +
      (corrected.deadlineMissed ? ' Der Zugang liegt nach der Frist des §556 Abs. 3 BGB: Frist versäumt.' : ''),
  };
}

/** The manager accepts this recipient's late objection with a reason (server/late-objections.ts). */
export async function recipientLateObjectionAction(
  request: Request,
  rawId: string | undefined,
  rawOccupancyId: string | undefined,
  context: RequestContext | undefined,
  options: LateObjectionOptions = {},
) {
  await requireUserWithPermission(request, 'deliver:statement:any');
  const { user, facts } = await requireRecipient(request, rawId, rawOccupancyId);
  return acceptLateObjectionAction(request, user, facts, context, options);
}

/** The bundle, or the 409 answer that says why none can be made. */
async function bundleOrUnavailable(...args: Parameters<typeof bundleFor>): Promise<RecipientBundle | Response> {
  try {
    return await bundleFor(...args);
  } catch (error) {
    if (error instanceof ProofExportError) return unavailable(error.message);
    throw error;
  }
}

/** The chain's lines as exported, without their line ends. */
function chainLines(built: RecipientBundle): string[] {
  return Buffer.from(built.bundle.files.get('events.jsonl') ?? new Uint8Array())
    .toString('utf8')
    .split('\n')
    .slice(0, -1);
}

function unavailable(message: string): Response {
  return new Response(`Der Nachweis kann nicht erstellt werden: ${message}`, {
    status: 409,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, no-store' },
  });
}

/** The evidence bundle as a ZIP holding one folder. */
export async function recipientBundleZip(request: Request, rawId: string | undefined, rawOccupancyId: string | undefined) {
  const { user, facts } = await requireRecipient(request, rawId, rawOccupancyId);
  const built = await bundleOrUnavailable(user, facts);
  if (built instanceof Response) return built;
  const body = zipBundle(built.bundle, built.folder);
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="${built.folder}.zip"`,
      'Content-Length': String(body.length),
      'Cache-Control': 'private, no-store',
    },
  });
}

/** The recipient's proof as a PDF: its chain's lines, their hashes and the verification. */
export async function recipientProofPdf(request: Request, rawId: string | undefined, rawOccupancyId: string | undefined) {
  const { user, facts } = await requireRecipient(request, rawId, rawOccupancyId);
  const built = await bundleOrUnavailable(user, facts);
  if (built instanceof Response) return built;
  const lines = chainLines(built);
  const [period] = await db().sequelize.query<{ start: string; end: string }>(
    'SELECT period_start::text AS start, period_end::text AS "end" FROM statements WHERE id = :id',
    { replacements: { id: facts.statementId }, type: QueryTypes.SELECT },
  );
  const content = await renderProofPdf(pdfRenderer(), {
    propertyName: facts.propertyName,
    period: period ? formatPeriod(period.start, period.end) : '',
    documentNumber: facts.documentNumber,
    version: facts.version,
    stateLabel: `Empfänger ${facts.unitLabel} (${facts.channel === 'post' ? 'per Post' : 'im Portal'}), Zugang ${facts.receivedOn}`,
    generatedAt: formatDateTime(new Date()),
    verdict: { ok: true, checked: lines.length },
    events: built.events.map((event, i) => {
      const line = lines[i] ?? '';
      const parsed = JSON.parse(line) as { prev: string; documents?: Array<{ sha256: string }> };
      return {
        seq: i + 1,
        label: stepLabel(event.step),
        note: noteOf(event.details),
        at: formatDateTime(event.at),
        actor: event.actor,
        ip: event.ip ?? '–',
        documentSha256: parsed.documents?.[0]?.sha256 ?? event.documentSha256,
        prevHash: parsed.prev,
        hash: hashLine(line),
      };
    }),
  });
  return { content, fileName: `Zustellnachweis_${built.folder}.pdf`, sha256: sha256(content) };
}

export interface PublicKeyView {
  pem: string;
  fingerprint: string;
}

/** The installation's keys for the public page: the one signing now, and earlier ones still trusted. */
export function installationKeys(): { current: PublicKeyView | null; previous: PublicKeyView[] } {
  const ring = keyring();
  const view = (key: { pem: string; fingerprint: string }) => ({ pem: key.pem, fingerprint: key.fingerprint });
  return { current: ring.current ? view(ring.current) : null, previous: ring.previous.map(view) };
}
