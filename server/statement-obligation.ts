// Side effects of the statement lifecycle: proof events with the statement's status in one
// transaction, the delivery notice to the tenants, deadline reminders, objections. Every activity
// is idempotent (proof events by step and key, mails and notifications by dedupe key), so a retried
// attempt records one event and sends one message.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { QueryTypes, type Transaction } from 'sequelize';
import { GoneError } from './errors';
import type { Db } from '../db';
import type { StatementStatus } from '../domain/statement-lifecycle';
import type { NoticeUrgency } from '../domain/notifications';
import { appendProofEvent, type ProofActor, type ProofEventInput } from '../db/proof';
import type { Mailer } from './mail';
import { createPdfRenderer, type PdfRenderer } from './pdf';
import { genericNotice, managersOf, notifyUsers, type Recipient } from './notifications';
import { canonicalJson, sha256 } from '../db/audit';
import { loadStatement } from '../db/statements';
import { ensureStatementDocument, statementAddressees } from './statement-documents';
import { noProgress, type ProgressSource } from './progress';
import { STATEMENT_GONE, statementDedupeKey } from '../domain/contracts/statement';
import { formatDate, formatDateTime } from '../domain/format';
import { formatPeriod } from '../domain/statement-format';

export interface ProofStepInput extends ProofEventInput {
  /** The statement row's status after this step, when the step moves it. */
  status?: StatementStatus;
}

export interface ProvenStep {
  seq: number;
  at: string;
}

export interface DeliveryNoticeInput {
  statementId: number;
  version: number;
  dedupeKey: string;
}

export interface DeadlineAlertInput {
  statementId: number;
  version: number;
  organisationId: number;
  propertyId: number;
  dedupeKey: string;
  kind: 'reminder' | 'escalation';
  dueOn: string;
  daysBefore: number | null;
}

export interface ObjectionInput {
  statementId: number;
  version: number;
  unitId: number;
  filedBy: ProofActor;
  ip: string | null;
  positions: string[];
  reason: string;
  idempotencyKey: string;
  documentSha256: string;
}

/** How far rendering a version's PDFs has come (the heartbeat's details). */
export interface RenderProgress {
  done: number;
  total: number;
}

export interface RenderDocumentsInput {
  statementId: number;
  version: number;
  /** Who approved: recorded as the creator of documents rendered now. */
  createdBy: number | null;
}

/** One stored PDF of a statement version: per unit, and per occupancy after a change of tenant. */
export interface DocumentManifestEntry {
  unitId: number;
  occupancyKey: string | null;
  documentId: number;
  sha256: string;
}

export interface DocumentManifest {
  /** SHA-256 of the canonical JSON of `documents`: the proof's documentSha256 from approval on. */
  sha256: string;
  documents: DocumentManifestEntry[];
}

/** Sorted by unit, the whole unit's document (no occupancy) first, then by occupancy key. */
export function sortManifest(entries: readonly DocumentManifestEntry[]): DocumentManifestEntry[] {
  return [...entries].sort(
    (a, b) =>
      a.unitId - b.unitId ||
      (a.occupancyKey === b.occupancyKey
        ? 0
        : a.occupancyKey === null
          ? -1
          : b.occupancyKey === null
            ? 1
            : a.occupancyKey < b.occupancyKey
              ? -1
              : 1),
  );
}

export function documentManifestSha256(entries: readonly DocumentManifestEntry[]): string {
  return sha256(canonicalJson(sortManifest(entries)));
}

export function statementPath(statementId: number): string {
  return `/abrechnungen/${statementId}`;
}

async function recordStep(db: Db, input: ProofStepInput, transaction: Transaction): Promise<ProvenStep> {
  const { status, ...event } = input;
  const { event: stored, created } = await appendProofEvent(db, event, transaction);
  if (status && created) {
    const [changed] = await db.models.Statement.update(
      { status, statusChangedAt: stored.at },
      { where: { id: input.statementId }, transaction },
    );
    if (changed === 0) throw new GoneError(`statement ${input.statementId} gone`, STATEMENT_GONE);
  }
  return { seq: stored.seq, at: stored.at.toISOString() };
}

export function createStatementObligation(deps: {
  db: Db;
  mailer: Mailer;
  publicUrl?: string;
  pdfRenderer?: PdfRenderer;
  progress?: ProgressSource;
}) {
  const { db, pdfRenderer, progress = noProgress } = deps;
  /** The tenants of the version's occupancies, each with its units (the first one opens the page). */
  async function tenantsOf(statementId: number): Promise<Array<Recipient & { unitId: number; units: string }>> {
    return db.sequelize.query(
      `SELECT u.id, u.email, u.name, min(o.unit_id)::int AS "unitId", string_agg(DISTINCT un.label, ', ') AS units
         FROM statement_occupancies o JOIN tenancies t ON t.id = o.tenancy_id JOIN users u ON u.id = t.user_id
         JOIN units un ON un.id = o.unit_id
        WHERE o.statement_id = :statementId GROUP BY u.id ORDER BY u.id`,
      { replacements: { statementId }, type: QueryTypes.SELECT },
    );
  }

  /** The statement row and its property's name, for the facts of a notice. */
  async function statementFacts(statementId: number) {
    const statement = await db.models.Statement.findByPk(statementId);
    if (!statement) throw new GoneError(`statement ${statementId} gone`, STATEMENT_GONE);
    const property = await db.models.Property.findByPk(statement.propertyId, { rejectOnEmpty: true });
    return {
      property,
      reference: `Heizkostenabrechnung ${formatPeriod(statement.periodStart, statement.periodEnd)}`,
      facts: [
        { label: 'Abrechnungszeitraum', value: formatPeriod(statement.periodStart, statement.periodEnd) },
        { label: 'Liegenschaft', value: property.name },
      ],
    };
  }

  /** Tells managers or owners about a statement version: its page, period, property and version, then `facts`. */
  async function notifyAboutStatement(
    recipients: Recipient[],
    notice: { statementId: number; version: number; kind: string; urgency: NoticeUrgency; dedupeKey: string },
    text: { title: string; body: string; facts: Array<{ label: string; value: string }> },
  ): Promise<void> {
    const { reference, facts } = await statementFacts(notice.statementId);
    await notifyUsers(deps, {
      recipients,
      topic: 'statement',
      kind: notice.kind,
      urgency: notice.urgency,
      dedupeKey: notice.dedupeKey,
      compose: () =>
        genericNotice({
          ...text,
          link: statementPath(notice.statementId),
          reference,
          facts: [...facts, { label: 'Version', value: String(notice.version) }, ...text.facts],
          actionLabel: 'Abrechnung im Portal öffnen',
        }),
    });
  }

  /** The property's owner hears of an objection: it is not party to the tenant's case (ticket), which the managers handle. */
  async function notifyObjection(
    input: Pick<ObjectionInput, 'statementId' | 'version'>,
    objection: { id: number; unitId: number; positions: string[]; filedAt: Date },
  ): Promise<void> {
    const { property } = await statementFacts(input.statementId);
    const owner = property.ownerId === null ? null : await db.models.User.findByPk(property.ownerId);
    if (!owner) return;
    const unit = await db.models.Unit.findByPk(objection.unitId, { attributes: ['label'], rejectOnEmpty: true });
    await notifyAboutStatement(
      [owner],
      {
        ...input,
        kind: 'statement-objection',
        urgency: 'routine',
        dedupeKey: statementDedupeKey(input.statementId, input.version, `objection-${objection.id}`),
      },
      {
        title: `Einspruch gegen die Heizkostenabrechnung: ${property.name}, ${unit.label}`,
        body:
          `Für ${unit.label} ist Einspruch gegen die Abrechnung (Version ${input.version}) erhoben worden. ` +
          'Die Hausverwaltung prüft ihn; wird die Abrechnung berichtigt, entsteht eine neue Version.',
        facts: [
          { label: 'Wohnung', value: unit.label },
          { label: 'Beanstandet', value: objection.positions.join(', ') },
          { label: 'Eingegangen', value: `${formatDateTime(objection.filedAt)} Uhr` },
        ],
      },
    );
  }

  return {
    /** Appends a proof event (once per step and key) and moves the statement's status with it. */
    async recordStatementStep(input: ProofStepInput): Promise<ProvenStep> {
      return db.sequelize.transaction((transaction) => recordStep(db, input, transaction));
    },

    /**
     * Renders and stores every PDF of the version (each unit's, and each occupancy's after a change
     * of tenant) through the download's code path, and returns their manifest. Idempotent: a stored
     * document is reused, never rendered again, so a retry (or a download that came first) yields the
     * same manifest. Without a shared renderer (tests, tools) one is launched for this call only.
     */
    async renderStatementDocuments(input: RenderDocumentsInput): Promise<DocumentManifest> {
      const statement = await loadStatement(db, input.statementId);
      if (!statement?.stored || statement.stored.version !== input.version) {
        throw new GoneError(`statement ${input.statementId} v${input.version} gone`, STATEMENT_GONE);
      }
      const renderer = pdfRenderer ?? createPdfRenderer();
      // One report per PDF: a crashed worker's rendering is retried within the heartbeat timeout. The
      // stored PDFs are the checkpoint (ensureStatementDocument finds them); the next attempt renders
      // only what is missing, and its progress starts where the last attempt's ended.
      const rendering = progress<RenderProgress>();
      try {
        const documents: DocumentManifestEntry[] = [];
        const addressees = statementAddressees(statement);
        if (rendering.resumed) {
          console.warn(
            `[statement ${input.statementId}] rendering resumed after ${rendering.resumed.done} of ${rendering.resumed.total} PDFs (earlier attempt ended)`,
          );
        }
        for (const [index, addressee] of addressees.entries()) {
          // Rendering one PDF (the first launches Chromium) may take longer than a heartbeat timeout.
          const ensured = await rendering.keepAlive(() => ensureStatementDocument(db, renderer, statement, addressee, input.createdBy));
          if (ensured)
            documents.push({
              unitId: addressee.unitId,
              occupancyKey: addressee.occupancyKey,
              documentId: ensured.row.id,
              sha256: ensured.row.sha256,
            });
          rendering.report({ done: index + 1, total: addressees.length });
        }
        const sorted = sortManifest(documents);
        return { sha256: documentManifestSha256(sorted), documents: sorted };
      } finally {
        if (!pdfRenderer) await renderer.close();
      }
    },

    /** Tells the tenants that their statement is in the portal (once per tenant and version, by their channels). */
    async sendDeliveryNotice(input: DeliveryNoticeInput): Promise<number> {
      const tenants = await tenantsOf(input.statementId);
      const { reference, facts } = await statementFacts(input.statementId);
      const title = 'Ihre Heizkostenabrechnung liegt im Portal bereit';
      await notifyUsers(deps, {
        recipients: tenants,
        topic: 'statement',
        kind: 'statement-delivered',
        urgency: 'routine',
        dedupeKey: input.dedupeKey,
        compose: (tenant) => {
          const body =
            `Ihre Heizkostenabrechnung (Version ${input.version}) wurde Ihnen im Klarmeter-Portal zugestellt. ` +
            'Einwendungen können Sie innerhalb der Einspruchsfrist direkt bei der Abrechnung erheben.';
          return genericNotice({
            title,
            body,
            link: `/meine-abrechnungen/${input.statementId}?einheit=${tenant.unitId}`,
            reference,
            facts: [...facts, { label: 'Wohnung', value: tenant.units }, { label: 'Version', value: String(input.version) }],
            actionLabel: 'Abrechnung im Portal öffnen',
          });
        },
      });
      return tenants.length;
    },

    /** Reminds the managers before the BGB §556(3) deadline, or escalates once it has passed. */
    async alertStatementDeadline(input: DeadlineAlertInput): Promise<void> {
      const escalation = input.kind === 'escalation';
      const dueOn = formatDate(input.dueOn);
      await notifyAboutStatement(
        await managersOf(db, input.organisationId),
        { ...input, kind: `statement-${input.kind}`, urgency: escalation ? 'urgent' : 'routine' },
        {
          title: escalation
            ? 'Zustellfrist der Heizkostenabrechnung versäumt'
            : `Heizkostenabrechnung: Zustellfrist in ${input.daysBefore ?? 0} Tagen`,
          body: escalation
            ? `Die Abrechnung (Version ${input.version}) wurde nicht bis zum ${dueOn} zugestellt (BGB §556 Abs. 3): Nachforderungen sind ausgeschlossen.`
            : `Die Abrechnung (Version ${input.version}) muss bis zum ${dueOn} beim Mieter sein (BGB §556 Abs. 3).`,
          facts: [{ label: 'Zustellfrist', value: dueOn }],
        },
      );
    },

    /** Stores the objection (once per filing key) and proves it in the version's chain. */
    async recordObjection(input: ObjectionInput): Promise<{ objectionId: number }> {
      const objection = await db.sequelize.transaction(async (transaction) => {
        const { Objection } = db.models;
        await Objection.bulkCreate(
          [
            {
              statementId: input.statementId,
              version: input.version,
              unitId: input.unitId,
              filedBy: input.filedBy.userId!,
              positions: input.positions,
              reason: input.reason,
              idempotencyKey: input.idempotencyKey,
              ticketId: null,
            },
          ],
          { ignoreDuplicates: true, transaction },
        );
        const objection = await Objection.findOne({ where: { idempotencyKey: input.idempotencyKey }, transaction, rejectOnEmpty: true });
        await recordStep(
          db,
          {
            statementId: input.statementId,
            version: input.version,
            step: 'objection_filed',
            idempotencyKey: input.idempotencyKey,
            actor: input.filedBy,
            ip: input.ip,
            documentSha256: input.documentSha256,
            details: { objectionId: objection.id, unitId: input.unitId, positions: input.positions },
          },
          transaction,
        );
        return objection;
      });
      await notifyObjection(input, objection);
      return { objectionId: objection.id };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The proof as a PDF (exported from the proof page)

export interface ProofDocumentModel {
  propertyName: string;
  period: string;
  documentNumber: string;
  version: number;
  stateLabel: string;
  generatedAt: string;
  verdict: { ok: boolean; checked: number; brokenAt?: { seq: number; step: string; reason: string } };
  events: Array<{
    seq: number;
    label: string;
    note: string | null;
    at: string;
    actor: string;
    ip: string;
    documentSha256: string;
    prevHash: string;
    hash: string;
  }>;
}

let proofTemplate: HandlebarsTemplateDelegate<ProofDocumentModel> | undefined;

/** The template sits beside this module in the sources; the web build runs from the project root. */
function proofTemplatePath(): string {
  const candidates = [
    path.join(import.meta.dirname ?? '', 'templates', 'proof.hbs'),
    path.join(process.cwd(), 'server', 'templates', 'proof.hbs'),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`proof template not found (looked in ${candidates.join(', ')})`);
  return found;
}

export function renderProofHtml(model: ProofDocumentModel): string {
  proofTemplate ??= Handlebars.create().compile<ProofDocumentModel>(readFileSync(proofTemplatePath(), 'utf8'));
  return proofTemplate(model);
}

export function renderProofPdf(renderer: PdfRenderer, model: ProofDocumentModel): Promise<Buffer> {
  return renderer.renderPdf(renderProofHtml(model), { footer: `Zustellnachweis ${model.documentNumber} v${model.version}` });
}
