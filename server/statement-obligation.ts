// Side effects of the statement lifecycle: proof events with the statement's status in one
// transaction, the delivery notice to the tenants, deadline reminders, objections. Every activity
// is idempotent (proof events by step and key, mails and notifications by dedupe key), so a retried
// attempt records one event and sends one message.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { QueryTypes, type Transaction } from 'sequelize';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { GoneError } from './errors';
import type { Db } from '../db';
import type { StatementStatus } from '../domain/statement-lifecycle';
import type { NoticeUrgency } from '../domain/notifications';
import { appendProofEvent, type ProofActor, type ProofEventInput } from '../db/proof';
import type { SignedHeadRow } from '../db/heads';
import type { Mailer } from './mail';
import { createPdfRenderer, type PdfRenderer } from './pdf';
import { genericNotice, managersOf, notifyUsers, type Recipient } from './notifications';
import { appendAudit, canonicalJson, sha256 } from '../db/audit';
import { loadStatement } from '../db/statements';
import { recipientWorkflowIds } from '../db/statement-recipients';
import { ensureStatementDocument, statementAddressees } from './statement-documents';
import { noProgress, type ProgressSource } from './progress';
import {
  STATEMENT_GONE,
  statementDedupeKey,
  type DeliveredRecipient,
  type RecipientDeliveryInput,
  type RecipientReceiptCorrectionInput,
} from '../domain/contracts/statement';
import { recipientWorkflowId, type RecipientChainInput, type RecipientWorkflowsInput } from '../domain/contracts/statement-recipient';
import { appendRecipientChain, type RecipientChainHead } from './recipient-chain';
import { channelFor, recipientReceipt, type RecipientReceipt } from '../domain/statement-recipients';
import { formatDate, formatDateTime } from '../domain/format';
import { formatPeriod } from '../domain/statement-format';

export interface ProofStepInput extends ProofEventInput {
  /** The statement row's status after this step, when the step moves it. */
  status?: StatementStatus;
}

export interface ProvenStep {
  seq: number;
  at: string;
  /**
   * The signed head naming this event. Returned to the workflow, it is recorded in the workflow's
   * history: a second store of the chain's heads that a database insider cannot rewrite.
   */
  head: SignedHeadRow | null;
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
  const { event: stored, created, head } = await appendProofEvent(db, event, transaction);
  if (status && created) {
    const [changed] = await db.models.Statement.update(
      { status, statusChangedAt: stored.at },
      { where: { id: input.statementId }, transaction },
    );
    if (changed === 0) throw new GoneError(`statement ${input.statementId} gone`, STATEMENT_GONE);
  }
  if (created && input.step === 'opened' && typeof input.details?.unitId === 'number' && input.actor.userId !== null) {
    // The recipient's own opening (the first one counts).
    await db.sequelize.query(
      `UPDATE statement_recipients SET opened_at = COALESCE(opened_at, :at)
        WHERE statement_id = :statementId AND version = :version AND unit_id = :unitId AND user_id = :userId`,
      {
        replacements: {
          at: stored.at,
          statementId: input.statementId,
          version: input.version,
          unitId: input.details.unitId,
          userId: input.actor.userId,
        },
        transaction,
      },
    );
  }
  return { seq: stored.seq, at: stored.at.toISOString(), head };
}

interface RecipientRow {
  occupancyId: number;
  unitId: number;
  tenancyId: number;
  tenantName: string;
  userId: number | null;
  hasActiveAccount: boolean;
}

/** How far a delivery has come (the heartbeat's details): recipients recorded of all. */
export interface DeliveryProgress {
  done: number;
  total: number;
}

/**
 * Recipients per transaction: each batch commits on its own, so a statement of thousands of tenants
 * never holds one transaction (and the chain's lock) for minutes, and its progress is reported.
 */
export const RECIPIENT_BATCH_SIZE = 250;

/**
 * Delivers the version to each tenant (occupancy with a tenancy): the portal for a tenant with an
 * active account, else a letter; records the recipient's row and a proof event naming its channel,
 * receipt date, §556(3) check and objection deadline, in batches that commit one by one and report
 * progress. Idempotent: a retry (after a crash mid-way too) finds the stored rows and events of the
 * batches done and returns what the first attempt recorded, so it goes on where that one ended.
 */
async function deliverToRecipients(
  db: Db,
  input: RecipientDeliveryInput,
  progress: ProgressSource,
  batchSize: number,
): Promise<DeliveredRecipient[]> {
  const tenants = await db.sequelize.query<RecipientRow>(
    `SELECT o.id AS "occupancyId", o.unit_id AS "unitId", t.id AS "tenancyId", COALESCE(o.tenant_name, t.tenant_name) AS "tenantName",
            t.user_id AS "userId", (u.id IS NOT NULL AND u.password_hash IS NOT NULL) AS "hasActiveAccount"
       FROM statement_occupancies o JOIN tenancies t ON t.id = o.tenancy_id LEFT JOIN users u ON u.id = t.user_id
      WHERE o.statement_id = :statementId ORDER BY o.unit_id, o.position`,
    { replacements: { statementId: input.statementId }, type: QueryTypes.SELECT },
  );
  const delivering = progress<DeliveryProgress>();
  const delivered: DeliveredRecipient[] = [];
  for (let start = 0; start < tenants.length; start += batchSize) {
    const batch = tenants.slice(start, start + batchSize);
    const recorded = await delivering.keepAlive(() =>
      db.sequelize.transaction(async (transaction) => {
        const done: DeliveredRecipient[] = [];
        for (const tenant of batch) done.push(await deliverToRecipient(db, input, tenant, transaction));
        return done;
      }),
    );
    delivered.push(...recorded);
    delivering.report({ done: delivered.length, total: tenants.length });
  }
  return delivered;
}

async function deliverToRecipient(
  db: Db,
  input: RecipientDeliveryInput,
  tenant: RecipientRow,
  transaction: Transaction,
): Promise<DeliveredRecipient> {
  const channel = channelFor(tenant, input.channel);
  const receipt = recipientReceipt({
    channel,
    today: input.today,
    ...(input.dispatchedOn === undefined ? {} : { dispatchedOn: input.dispatchedOn }),
    ...(input.receivedOn === undefined ? {} : { receivedOn: input.receivedOn }),
    periodEnd: input.periodEnd,
    mode: input.objectionMode,
  });
  const userId = channel === 'portal' ? tenant.userId : null;
  const { event } = await appendProofEvent(
    db,
    {
      statementId: input.statementId,
      version: input.version,
      step: 'delivered',
      idempotencyKey: `recipient-${tenant.occupancyId}`,
      actor: input.actor,
      ip: input.ip,
      documentSha256: input.documentSha256,
      // No name: the proof is shown to owners and compliance officers, who see units, not tenants.
      details: { occupancyId: tenant.occupancyId, unitId: tenant.unitId, ...receipt },
    },
    transaction,
  );
  // Named with its own workflow in the same transaction (when the version's workflow starts one): the
  // tenant sees the statement only after every row (its status moves then), so each opening, objection
  // and correction goes to that workflow, even before it has started (the web waits for the start).
  const workflowId = input.recipientWorkflows ? recipientWorkflowId(input.statementId, input.version, tenant.occupancyId) : null;
  await db.sequelize.query(
    `INSERT INTO statement_recipients (occupancy_id, statement_id, version, unit_id, tenancy_id, user_id, tenant_name, channel,
            dispatched_on, received_on, delivered_at, delivery_deadline, deadline_missed, objection_deadline, workflow_id)
     VALUES (:occupancyId, :statementId, :version, :unitId, :tenancyId, :userId, :tenantName, :channel,
            :dispatchedOn, :receivedOn, :deliveredAt, :deliveryDeadline, :deadlineMissed, :objectionDeadline, :workflowId)
     ON CONFLICT (occupancy_id) DO NOTHING`,
    {
      replacements: {
        ...tenant,
        ...receipt,
        userId,
        statementId: input.statementId,
        version: input.version,
        deliveredAt: event.at,
        workflowId,
      },
      transaction,
    },
  );
  // The stored event's facts, so a retry returns what the first attempt recorded.
  const facts = event.details as unknown as RecipientReceipt;
  return {
    occupancyId: tenant.occupancyId,
    unitId: tenant.unitId,
    userId: facts.channel === 'portal' ? tenant.userId : null,
    channel: facts.channel,
    dispatchedOn: facts.dispatchedOn,
    receivedOn: facts.receivedOn,
    deadlineMissed: facts.deadlineMissed,
    objectionDeadline: facts.objectionDeadline,
  };
}

interface CorrectedRecipientRow {
  unitId: number;
  userId: number | null;
  channel: 'portal' | 'post';
  dispatchedOn: string | null;
  receivedOn: string;
  organisationId: number;
}

/**
 * Corrects one recipient's receipt date (a letter): a `receipt_corrected` event in that recipient's
 * chain (actor, server time, IP, reason, the previous date and the new §556(3) check and window),
 * its row moved with it, and an audit entry, in one transaction. Idempotent by the correction's key:
 * a retry returns what the first attempt recorded.
 */
async function correctRecipientReceipt(db: Db, input: RecipientReceiptCorrectionInput): Promise<DeliveredRecipient> {
  return db.sequelize.transaction(async (transaction) => {
    const [row] = await db.sequelize.query<CorrectedRecipientRow>(
      `SELECT r.unit_id AS "unitId", r.user_id AS "userId", r.channel, r.dispatched_on::text AS "dispatchedOn",
              r.received_on::text AS "receivedOn", p.organisation_id AS "organisationId"
         FROM statement_recipients r JOIN statements s ON s.id = r.statement_id JOIN properties p ON p.id = s.property_id
        WHERE r.statement_id = :statementId AND r.version = :version AND r.occupancy_id = :occupancyId FOR UPDATE OF r`,
      { replacements: { ...input }, type: QueryTypes.SELECT, transaction },
    );
    if (!row)
      throw new GoneError(`recipient ${input.occupancyId} of statement ${input.statementId} v${input.version} gone`, STATEMENT_GONE);
    const receipt = recipientReceipt({
      channel: row.channel,
      today: row.dispatchedOn ?? input.receivedOn,
      ...(row.dispatchedOn === null ? {} : { dispatchedOn: row.dispatchedOn }),
      receivedOn: input.receivedOn,
      periodEnd: input.periodEnd,
      mode: input.objectionMode,
    });
    const { event, created } = await appendProofEvent(
      db,
      {
        statementId: input.statementId,
        version: input.version,
        step: 'receipt_corrected',
        idempotencyKey: input.idempotencyKey,
        actor: input.actor,
        ip: input.ip,
        documentSha256: input.documentSha256,
        details: { occupancyId: input.occupancyId, unitId: row.unitId, previous: row.receivedOn, reason: input.reason, ...receipt },
      },
      transaction,
    );
    const facts = event.details as unknown as RecipientReceipt;
    if (created) {
      await db.sequelize.query(
        `UPDATE statement_recipients SET received_on = :receivedOn, deadline_missed = :deadlineMissed, objection_deadline = :objectionDeadline
          WHERE statement_id = :statementId AND version = :version AND occupancy_id = :occupancyId`,
        { replacements: { ...input, ...facts }, transaction },
      );
      await appendAudit(
        db,
        {
          organisationId: row.organisationId,
          actorId: input.actor.userId,
          actor: input.actor.name,
          action: 'statement_receipt_corrected',
          entity: 'statement',
          entityId: input.statementId,
          ip: input.ip,
          details: {
            version: input.version,
            occupancyId: input.occupancyId,
            previous: row.receivedOn,
            receivedOn: facts.receivedOn,
            deadlineMissed: facts.deadlineMissed,
            objectionDeadline: facts.objectionDeadline,
            reason: input.reason,
            proofSeq: event.seq,
          },
        },
        transaction,
      );
    }
    return {
      occupancyId: input.occupancyId,
      unitId: row.unitId,
      userId: row.userId,
      channel: facts.channel,
      dispatchedOn: facts.dispatchedOn,
      receivedOn: facts.receivedOn,
      deadlineMissed: facts.deadlineMissed,
      objectionDeadline: facts.objectionDeadline,
    };
  });
}

export function createStatementObligation(deps: {
  db: Db;
  mailer: Mailer;
  publicUrl?: string;
  pdfRenderer?: PdfRenderer;
  progress?: ProgressSource;
  recipientBatchSize?: number;
}) {
  const { db, pdfRenderer, progress = noProgress, recipientBatchSize = RECIPIENT_BATCH_SIZE } = deps;
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
    const { reference, facts, property } = await statementFacts(notice.statementId);
    await notifyUsers(deps, {
      recipients,
      topic: 'statement',
      propertyId: property.id,
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

    /** Delivers the version to each of its tenants by that tenant's channel (deliverToRecipients). */
    async deliverToRecipients(input: RecipientDeliveryInput): Promise<DeliveredRecipient[]> {
      return deliverToRecipients(db, input, progress, recipientBatchSize);
    },

    /** Names the started recipient workflows on their rows: from now on the web sends that tenant's messages there. */
    async registerRecipientWorkflows(input: RecipientWorkflowsInput): Promise<void> {
      await db.sequelize.query(
        `UPDATE statement_recipients r SET workflow_id = v.workflow_id
           FROM unnest(ARRAY[:occupancyIds]::int[], ARRAY[:workflowIds]::text[]) AS v(occupancy_id, workflow_id)
          WHERE r.occupancy_id = v.occupancy_id AND r.statement_id = :statementId AND r.version = :version`,
        {
          replacements: {
            statementId: input.statementId,
            version: input.version,
            occupancyIds: input.occupancyIds,
            workflowIds: input.occupancyIds.map((id) => recipientWorkflowId(input.statementId, input.version, id)),
          },
        },
      );
    },

    /**
     * The version has ended (its last window closed, or a correction superseded it): each recipient
     * workflow is cancelled and ends with its state. Idempotent: one that has ended is left alone.
     */
    async closeRecipientWorkflows(
      input: { statementId: number; version: number },
      temporal: { client: Client },
    ): Promise<{ closed: number }> {
      const workflowIds = await recipientWorkflowIds(db, input);
      const closing = progress<DeliveryProgress>();
      let closed = 0;
      for (const workflowId of workflowIds) {
        try {
          await temporal.client.workflow.getHandle(workflowId).cancel();
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        }
        closed += 1;
        closing.report({ done: closed, total: workflowIds.length });
      }
      return { closed };
    },

    /**
     * Appends the recipient's stored chain up to the version's newest event and returns its newest
     * signed head, which the calling workflow's history keeps (server/recipient-chain.ts).
     */
    async recordRecipientChain(input: RecipientChainInput): Promise<RecipientChainHead> {
      return db.sequelize.transaction((transaction) => appendRecipientChain(db, input, transaction));
    },

    /** Corrects one recipient's receipt date with its reason (correctRecipientReceipt). */
    async recordReceiptCorrection(input: RecipientReceiptCorrectionInput): Promise<DeliveredRecipient> {
      return correctRecipientReceipt(db, input);
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
      const { reference, facts, property } = await statementFacts(input.statementId);
      const title = 'Ihre Heizkostenabrechnung liegt im Portal bereit';
      await notifyUsers(deps, {
        recipients: tenants,
        propertyId: property.id,
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
    async recordObjection(input: ObjectionInput): Promise<{ objectionId: number; head: SignedHeadRow | null }> {
      const recorded = await db.sequelize.transaction(async (transaction) => {
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
        const proven = await recordStep(
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
        // The objecting tenant's own count (recounted, so a retry changes nothing).
        await db.sequelize.query(
          `UPDATE statement_recipients r SET objections = (SELECT count(*) FROM statement_objections o
              WHERE o.statement_id = r.statement_id AND o.version = r.version AND o.unit_id = r.unit_id AND o.filed_by = r.user_id)
            WHERE r.statement_id = :statementId AND r.version = :version AND r.unit_id = :unitId AND r.user_id = :userId`,
          {
            replacements: { statementId: input.statementId, version: input.version, unitId: input.unitId, userId: input.filedBy.userId },
            transaction,
          },
        );
        return { objection, head: proven.head };
      });
      await notifyObjection(input, recorded.objection);
      return { objectionId: recorded.objection.id, head: recorded.head };
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
