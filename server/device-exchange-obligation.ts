// Side effects of the device-exchange workflow (workflows/device-exchange.ts): the offer to the unit's
// tenant (an appointment request with the technician's slots, or a letter filed into the archive for a
// tenant without an account), the reminder, the managers' escalation, the withdrawal of an offer no
// longer needed, and the device workflow's hand-over (the exchange workflow's start, and later its end,
// through the outbox). Each activity is idempotent: the offer's row is keyed by the workflow id, notices
// by their dedupe keys, and the exchange workflow takes its end signals once.
import { QueryTypes, type Transaction } from 'sequelize';
import type { Client } from '@temporalio/client';
import { LIVE_CHANNEL } from '../db';
import { appendAudit } from '../db/audit';
import {
  APPOINTMENT_WORKFLOW_TYPE,
  FINAL_APPOINTMENT_STATUSES,
  appointmentPath,
  appointmentWorkflowId,
  type AppointmentSlot,
} from '../domain/contracts/appointment';
import {
  DEVICE_EXCHANGE_GONE,
  DEVICE_EXCHANGE_OBLIGATION,
  DEVICE_EXCHANGE_WORKFLOW_TYPE,
  EXCHANGE_ANSWER_WITHIN_DAYS,
  deviceExchangeWorkflowId,
  type DeviceExchangeEnd,
  type DeviceExchangeInput,
  type DeviceExchangeOffer,
  type ExchangeChannel,
  type OpenedExchange,
  type WithdrawExchangeInput,
} from '../domain/contracts/device-exchange';
import { devicePath } from '../domain/contracts/device';
import { SYSTEM_ACTOR } from '../domain/contracts/ticket';
import { calendarDate } from '../domain/calendar';
import { exchangeSlots } from '../domain/device-exchange';
import { DEVICE_TYPE_LABELS } from '../domain/device-labels';
import { deadlineKindLabel, formatDate, streetAddress } from '../domain/format';
import { appointmentLiveEvent, describeSlot } from './appointment-obligation';
import { storeGeneratedArchiveDocument } from './archive';
import { GoneError } from './errors';
import { deliverNow, deliverQueued, enqueueSignal, enqueueWorkflowStart } from './outbox';
import type { PdfRenderer } from './pdf';
import { createPdfRenderer } from './pdf';
import { genericNotice, managersOf, notifyUsers, type NotifyDeps } from './notifications';
import { federalStateOf } from './tickets';
import { runUpdate, type StartOnce } from './temporal';
import { cancelAppointment } from '../workflows/shared/appointment';
import { deviceExchangeWithdrawn, deviceExchanged } from '../workflows/shared/device-exchange';
import type { appointmentWorkflow } from '../workflows/appointment';
import type { deviceExchange } from '../workflows/device-exchange';

export const EXCHANGE_LETTER_GENERATOR = 'Brief Gerätetausch (Klarmeter)';

/** Where workflows started by an activity run: the calling worker's client and task queue. */
export interface HereTemporal {
  client: Client;
  taskQueue: string;
}

/** `offeredAtMs`: the workflow's clock at the offer, so slots and the letter's date follow it (and replays agree). */
export type OpenExchangeInput = DeviceExchangeInput & { dedupeKey: string; offeredAtMs: number };
export type ExchangeNoticeInput = DeviceExchangeInput & { dedupeKey: string };

interface ExchangeContext {
  organisationId: number;
  propertyId: number;
  propertyName: string;
  address: string;
  unitLabel: string;
  deviceType: string;
  serial: string;
  location: string | null;
  federalState: ReturnType<typeof federalStateOf>;
  technicianId: number | null;
}

interface OfferRow {
  channel: ExchangeChannel;
  appointmentId: number | null;
  letterDocumentId: number | null;
  tenancyId: number | null;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The letter to a tenant without a portal account: what is exchanged, why, the slots and whom to call. */
export function exchangeLetterHtml(parts: {
  tenantName: string;
  context: ExchangeContext;
  kind: DeviceExchangeOffer['kind'];
  dueAt: string;
  slots: ReadonlyArray<{ startsAt: string; endsAt: string }>;
  writtenOn: string;
}): string {
  const { tenantName, context, kind, dueAt, slots, writtenOn } = parts;
  const what = `${context.deviceType} ${context.serial}${context.location ? ` (${context.location})` : ''}`;
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Terminangebot Gerätetausch</title>
<style>body{font-family:'DejaVu Sans',sans-serif;font-size:10.5pt;margin:18mm 14mm;color:#111}h1{font-size:14pt;margin:8mm 0 4mm}
ul{margin:2mm 0 4mm}li{margin:1mm 0}</style></head><body>
<p>${escapeHtml(tenantName)}<br>${escapeHtml(context.address)}<br>${escapeHtml(context.unitLabel)}</p>
<p style="text-align:right">${escapeHtml(formatDate(writtenOn))}</p>
<h1>Terminangebot für den Gerätetausch in Ihrer Wohnung</h1>
<p>Guten Tag ${escapeHtml(tenantName)},</p>
<p>für das Gerät ${escapeHtml(what)} in Ihrer Wohnung ist bis zum ${escapeHtml(formatDate(dueAt))} die ${escapeHtml(deadlineKindLabel(kind))} fällig.
Dafür muss unsere Technik das Gerät austauschen. Wir bieten Ihnen folgende Termine an:</p>
<ul>${slots.map((slot) => `<li>${escapeHtml(describeSlot(slot))}</li>`).join('')}</ul>
<p>Bitte teilen Sie Ihrer Hausverwaltung innerhalb von ${EXCHANGE_ANSWER_WITHIN_DAYS} Tagen mit, welcher Termin Ihnen passt, oder nennen Sie einen anderen Termin.
Der Tausch dauert etwa 15 Minuten je Gerät.</p>
<p>Mit freundlichen Grüßen<br>Ihre Hausverwaltung</p>
</body></html>`;
}

export function createDeviceExchangeObligation(deps: NotifyDeps & { pdfRenderer?: PdfRenderer }) {
  const { db } = deps;

  async function contextOf(input: DeviceExchangeInput, transaction?: Transaction): Promise<ExchangeContext> {
    const { Device, Property, Unit } = db.models;
    const device = await Device.findByPk(input.deviceId, { transaction });
    if (!device) throw new GoneError(`Gerät ${input.deviceId} existiert nicht mehr`, DEVICE_EXCHANGE_GONE);
    const property = await Property.findByPk(input.propertyId, { transaction, rejectOnEmpty: true });
    const unit = await Unit.findByPk(input.unitId, { transaction, rejectOnEmpty: true });
    return {
      organisationId: property.organisationId,
      propertyId: property.id,
      propertyName: property.name,
      address: streetAddress(property),
      unitLabel: unit.label,
      deviceType: DEVICE_TYPE_LABELS[device.type],
      serial: device.serial,
      location: device.location,
      federalState: federalStateOf(property),
      technicianId: property.technicianId,
    };
  }

  async function offerOf(workflowId: string, transaction?: Transaction): Promise<OfferRow | null> {
    const [row] = await db.sequelize.query<OfferRow>(
      `SELECT channel, appointment_id AS "appointmentId", letter_document_id AS "letterDocumentId", tenancy_id AS "tenancyId"
         FROM device_exchange_offers WHERE workflow_id = :workflowId`,
      { replacements: { workflowId }, type: QueryTypes.SELECT, transaction },
    );
    return row ?? null;
  }

  /** The portal offer: an appointment request with the technician's slots and its workflow's start, in the caller's transaction. */
  async function fileAppointment(input: OpenExchangeInput, context: ExchangeContext, tenantId: number, transaction: Transaction) {
    const { AppointmentRequest, AppointmentSlot: SlotRow, AppointmentEvent } = db.models;
    const now = new Date(input.offeredAtMs);
    const slots: AppointmentSlot[] = exchangeSlots(calendarDate(now), context.federalState).map((slot, position) => ({
      position,
      ...slot,
      offeredBy: 'technician',
    }));
    const parties = {
      organisationId: context.organisationId,
      propertyId: context.propertyId,
      unitId: input.unitId,
      tenantId,
      technicianId: context.technicianId,
      reason: 'device_exchange' as const,
    };
    const note = `${deadlineKindLabel(input.kind)} von ${context.deviceType} ${context.serial} fällig am ${formatDate(input.dueAt)}: bitte wählen Sie einen Termin für den Tausch.`;
    const request = await AppointmentRequest.create(
      { ...parties, note, status: 'proposed', openOffer: slots.map((s) => s.position), confirmDueAt: null, createdAt: now },
      { transaction },
    );
    await SlotRow.bulkCreate(
      slots.map((slot) => ({ ...slot, appointmentId: request.id, startsAt: new Date(slot.startsAt), endsAt: new Date(slot.endsAt) })),
      { transaction },
    );
    await AppointmentEvent.create(
      {
        appointmentId: request.id,
        seq: 1,
        kind: 'proposed',
        actorId: null,
        actorName: SYSTEM_ACTOR.name,
        actorRole: SYSTEM_ACTOR.role,
        at: now,
        body: note,
        details: { reason: 'device_exchange', positions: slots.map((s) => s.position), deviceId: input.deviceId, dueAt: input.dueAt },
      },
      { transaction },
    );
    await db.notify(LIVE_CHANNEL, appointmentLiveEvent(request), transaction);
    const start: StartOnce<typeof appointmentWorkflow> = {
      workflowType: APPOINTMENT_WORKFLOW_TYPE,
      workflowId: appointmentWorkflowId(request.id),
      taskQueue: '', // set by the caller: the worker's own queue
      args: [
        {
          appointmentId: request.id,
          ...parties,
          slots,
          requestedAtMs: now.getTime(),
          federalState: context.federalState,
          lastSeq: 1,
        },
      ],
      identity: { obligation: 'appointment', organisationId: context.organisationId, propertyId: context.propertyId, unitId: input.unitId },
    };
    return { appointmentId: request.id, start };
  }

  async function renderLetter(html: string, serial: string): Promise<Buffer> {
    if (deps.pdfRenderer) return deps.pdfRenderer.renderPdf(html, { footer: `Gerätetausch ${serial}` });
    const renderer = createPdfRenderer();
    try {
      return await renderer.renderPdf(html, { footer: `Gerätetausch ${serial}` });
    } finally {
      await renderer.close();
    }
  }

  async function tellManagers(input: DeviceExchangeInput, context: ExchangeContext, dedupeKey: string, title: string, body: string) {
    await notifyUsers(deps, {
      recipients: await managersOf(db, context.organisationId),
      topic: 'device',
      kind: 'device-exchange-escalation',
      urgency: 'urgent',
      dedupeKey,
      propertyId: context.propertyId,
      compose: () =>
        genericNotice({
          title,
          body,
          link: devicePath(input.deviceId),
          reference: deviceExchangeWorkflowId(input.deviceId, input.dueAt),
          facts: [
            { label: 'Liegenschaft', value: context.propertyName },
            { label: 'Wohnung', value: context.unitLabel },
            { label: 'Gerät', value: `${context.deviceType} ${context.serial}` },
            { label: 'Fällig am', value: formatDate(input.dueAt) },
          ],
          actionLabel: 'Gerät im Portal öffnen',
        }),
    });
  }

  return {
    /**
     * Offers the exchange to the unit's current tenant: with an account as an appointment request in
     * the portal (its workflow starts with the commit), without one as a letter filed into the archive
     * (/nachweise, to print and post); without a tenant the managers are told. Once per workflow id.
     */
    async openDeviceExchange(input: OpenExchangeInput, temporal: HereTemporal): Promise<OpenedExchange> {
      const workflowId = deviceExchangeWorkflowId(input.deviceId, input.dueAt);
      const planned = await db.sequelize.transaction(async (transaction) => {
        await db.sequelize.query('SELECT pg_advisory_xact_lock(hashtext(:workflowId))', { replacements: { workflowId }, transaction });
        const existing = await offerOf(workflowId, transaction);
        const context = await contextOf(input, transaction);
        if (existing) return { existing, context, entry: null, tenantName: null };
        const today = calendarDate(new Date(input.offeredAtMs));
        const [tenancy] = await db.sequelize.query<{ id: number; userId: number | null; tenantName: string }>(
          `SELECT id, user_id AS "userId", tenant_name AS "tenantName" FROM tenancies
            WHERE unit_id = :unitId AND starts_on <= :today AND (ends_on IS NULL OR ends_on >= :today)
            ORDER BY starts_on DESC, id DESC LIMIT 1`,
          { replacements: { unitId: input.unitId, today }, type: QueryTypes.SELECT, transaction },
        );
        let row: OfferRow = { channel: 'none', appointmentId: null, letterDocumentId: null, tenancyId: tenancy?.id ?? null };
        let entry = null;
        if (tenancy && tenancy.userId !== null) {
          const filed = await fileAppointment(input, context, tenancy.userId, transaction);
          entry = await enqueueWorkflowStart(transaction, { ...filed.start, taskQueue: temporal.taskQueue });
          row = { ...row, channel: 'portal', appointmentId: filed.appointmentId };
        } else if (tenancy) {
          row = { ...row, channel: 'letter' };
        }
        await db.sequelize.query(
          `INSERT INTO device_exchange_offers (workflow_id, device_id, due_at, tenancy_id, channel, appointment_id)
           VALUES (:workflowId, :deviceId, :dueAt, :tenancyId, :channel, :appointmentId)`,
          {
            replacements: { workflowId, deviceId: input.deviceId, dueAt: input.dueAt, ...row },
            transaction,
          },
        );
        await appendAudit(
          db,
          {
            organisationId: context.organisationId,
            actorId: null,
            actor: 'system',
            action: 'device.exchange_offered',
            entity: 'device',
            entityId: input.deviceId,
            details: { dueAt: input.dueAt, channel: row.channel, appointmentId: row.appointmentId },
          },
          transaction,
        );
        return { existing: row, context, entry, tenantName: tenancy?.tenantName ?? null };
      });
      const { existing: row, context } = planned;
      if (planned.entry) await deliverNow([planned.entry], { db, client: temporal.client });
      if (row.channel === 'letter' && row.letterDocumentId === null) {
        // A retry after a crash here finds the row without its letter and writes it (once more at most).
        const tenantName =
          planned.tenantName ??
          (
            await db.sequelize.query<{ tenantName: string }>(`SELECT tenant_name AS "tenantName" FROM tenancies WHERE id = :id`, {
              replacements: { id: row.tenancyId },
              type: QueryTypes.SELECT,
            })
          )[0]?.tenantName ??
          'Mietpartei';
        const writtenOn = calendarDate(new Date(input.offeredAtMs));
        const slots = exchangeSlots(writtenOn, context.federalState);
        const content = await renderLetter(
          exchangeLetterHtml({ tenantName, context, kind: input.kind, dueAt: input.dueAt, slots, writtenOn }),
          context.serial,
        );
        const stored = await storeGeneratedArchiveDocument(
          {
            organisationId: context.organisationId,
            propertyId: context.propertyId,
            unitId: input.unitId,
            deviceId: input.deviceId,
            kind: 'other',
            title: `Brief Gerätetausch ${context.serial} an ${tenantName} vom ${formatDate(writtenOn)}`,
            documentDate: writtenOn,
            fileName: `brief-geraetetausch-${context.serial}-${writtenOn}.pdf`,
            content,
            generatedBy: EXCHANGE_LETTER_GENERATOR,
            actor: { id: null, name: SYSTEM_ACTOR.name },
          },
          { db, client: temporal.client, taskQueue: temporal.taskQueue },
        );
        await db.sequelize.query(`UPDATE device_exchange_offers SET letter_document_id = :documentId WHERE workflow_id = :workflowId`, {
          replacements: { documentId: stored.documentId, workflowId },
        });
        row.letterDocumentId = stored.documentId;
        await tellManagers(
          input,
          context,
          `${input.dedupeKey}:letter`,
          `Brief Gerätetausch bereit: ${context.deviceType} ${context.serial}, ${context.unitLabel}`,
          `Die Mietpartei von ${context.unitLabel} hat keinen Portalzugang. Der Brief mit den Terminen liegt unter Nachweise zum Drucken und Versenden bereit.`,
        );
      }
      if (row.channel === 'none')
        await tellManagers(
          input,
          context,
          `${input.dedupeKey}:no-tenant`,
          `Gerätetausch ohne Mietpartei: ${context.deviceType} ${context.serial}, ${context.unitLabel}`,
          `Für ${context.unitLabel} ist keine Mietpartei erfasst. Bitte vereinbaren Sie den Termin für den Tausch selbst.`,
        );
      return { channel: row.channel, appointmentId: row.appointmentId, letterDocumentId: row.letterDocumentId };
    },

    /** Whether the tenant has answered the offer: picked a slot, proposed others, or the appointment went on from there. */
    async deviceExchangeAnswered({ appointmentId }: { appointmentId: number }): Promise<boolean> {
      const request = await db.models.AppointmentRequest.findByPk(appointmentId);
      return request === null || request.status !== 'proposed' || request.eventSeq > 1;
    },

    /** Reminds the tenant of the offer (portal and e-mail, as the tenant chose), once per key. */
    async remindDeviceExchange(input: ExchangeNoticeInput & { appointmentId: number }): Promise<void> {
      const context = await contextOf(input);
      const request = await db.models.AppointmentRequest.findByPk(input.appointmentId, { rejectOnEmpty: true });
      const tenant = await db.models.User.findByPk(request.tenantId, { rejectOnEmpty: true });
      await notifyUsers(deps, {
        recipients: [tenant],
        topic: 'appointment',
        kind: 'device-exchange-reminder',
        urgency: 'routine',
        dedupeKey: input.dedupeKey,
        propertyId: context.propertyId,
        compose: () =>
          genericNotice({
            title: `Erinnerung: Termin für den Gerätetausch wählen`,
            body: `Bitte wählen Sie einen der angebotenen Termine für den Tausch von ${context.deviceType} ${context.serial} oder schlagen Sie andere vor.`,
            link: appointmentPath(input.appointmentId),
            reference: appointmentWorkflowId(input.appointmentId),
            facts: [
              { label: 'Wohnung', value: `${context.unitLabel}, ${context.address}` },
              { label: 'Fällig am', value: formatDate(input.dueAt) },
            ],
            actionLabel: 'Termin wählen',
          }),
      });
    },

    /** No answer within 14 days (or a letter sent): the managers take over. */
    async escalateDeviceExchange(input: ExchangeNoticeInput & { channel: ExchangeChannel }): Promise<void> {
      const context = await contextOf(input);
      const how = input.channel === 'letter' ? 'auf den Brief' : 'auf das Terminangebot im Portal';
      await tellManagers(
        input,
        context,
        input.dedupeKey,
        `Keine Antwort zum Gerätetausch: ${context.deviceType} ${context.serial}, ${context.unitLabel}`,
        `Die Mietpartei hat seit ${EXCHANGE_ANSWER_WITHIN_DAYS} Tagen nicht ${how} geantwortet. Bitte vereinbaren Sie den Termin für den Tausch (fällig am ${formatDate(input.dueAt)}).`,
      );
    },

    /**
     * The device's deadline moved beyond the offer: the tenant's appointment request is cancelled with
     * a note saying why (its workflow tells the tenant), or, for a letter or no tenant, the managers
     * are told the exchange is not needed now. Once per key; a request already closed stays as it is.
     */
    async withdrawDeviceExchange(input: WithdrawExchangeInput, temporal: HereTemporal): Promise<{ appointmentCancelled: boolean }> {
      const context = await contextOf(input);
      const reason = `Der Gerätetausch ist nicht mehr nötig: Die Frist von ${context.deviceType} ${context.serial} wurde auf den ${formatDate(input.nextDueAt)} verschoben. Der angebotene Termin entfällt.`;
      let appointmentCancelled = false;
      if (input.appointmentId !== null) {
        const workflowId = appointmentWorkflowId(input.appointmentId);
        // The request's workflow may still wait in the outbox (its start comes first).
        if (await deliverQueued(workflowId, { db, client: temporal.client })) throw new Error(`${workflowId} waits in the outbox`);
        const outcome = await runUpdate(temporal.client, workflowId, cancelAppointment, { actor: SYSTEM_ACTOR, reason }, 'beendet');
        if (!outcome.ok) {
          const request = await db.models.AppointmentRequest.findByPk(input.appointmentId);
          // Already closed (done, cancelled, no-show) or deleted: nothing left to withdraw. Anything else is retried.
          if (request && !FINAL_APPOINTMENT_STATUSES.has(request.status)) throw new Error(`${workflowId}: ${outcome.message}`);
        }
        appointmentCancelled = outcome.ok;
      } else {
        await tellManagers(
          input,
          context,
          input.dedupeKey,
          `Gerätetausch nicht mehr nötig: ${context.deviceType} ${context.serial}, ${context.unitLabel}`,
          `Die Frist wurde auf den ${formatDate(input.nextDueAt)} verschoben. ${input.channel === 'letter' ? 'Der Brief mit den Terminen ist überholt; bitte sagen Sie den Termin der Mietpartei ab, falls er schon vereinbart ist.' : 'Ein vereinbarter Termin kann entfallen.'}`,
        );
      }
      await appendAudit(db, {
        organisationId: context.organisationId,
        actorId: null,
        actor: 'system',
        action: 'device.exchange_withdrawn',
        entity: 'device',
        entityId: input.deviceId,
        details: { dueAt: input.dueAt, nextDueAt: input.nextDueAt, channel: input.channel, appointmentId: input.appointmentId },
      });
      return { appointmentCancelled };
    },

    /** The device workflow's hand-over: the exchange workflow starts once (outbox), on the calling worker's queue. */
    async offerDeviceExchange(offer: DeviceExchangeOffer, temporal: HereTemporal): Promise<{ workflowId: string } | null> {
      const [device] = await db.sequelize.query<{ propertyId: number; unitId: number | null; organisationId: number }>(
        `SELECT d.property_id AS "propertyId", d.unit_id AS "unitId", p.organisation_id AS "organisationId"
           FROM devices d JOIN properties p ON p.id = d.property_id WHERE d.id = :deviceId`,
        { replacements: { deviceId: offer.deviceId }, type: QueryTypes.SELECT },
      );
      if (!device || device.unitId === null) return null;
      const input: DeviceExchangeInput = {
        ...offer,
        organisationId: device.organisationId,
        propertyId: device.propertyId,
        unitId: device.unitId,
      };
      const start: StartOnce<typeof deviceExchange> = {
        workflowType: DEVICE_EXCHANGE_WORKFLOW_TYPE,
        workflowId: deviceExchangeWorkflowId(offer.deviceId, offer.dueAt),
        taskQueue: temporal.taskQueue,
        args: [input],
        identity: {
          obligation: DEVICE_EXCHANGE_OBLIGATION,
          organisationId: device.organisationId,
          propertyId: device.propertyId,
          unitId: device.unitId,
          deviceId: offer.deviceId,
        },
      };
      const entry = await db.sequelize.transaction((transaction) => enqueueWorkflowStart(transaction, start));
      await deliverNow([entry], { db, client: temporal.client });
      return { workflowId: start.workflowId };
    },

    /**
     * The device workflow ends its offer: the signal is queued behind the exchange workflow's start, so
     * it reaches an offer whose start still waits in the outbox once that start is delivered. After the
     * start, a workflow that is gone has ended already (or never started: no flat): nothing to tell.
     */
    async endDeviceExchange(end: DeviceExchangeEnd, temporal: HereTemporal): Promise<void> {
      const options = { ifMissing: 'skip' as const, taskQueue: temporal.taskQueue };
      const entry = await db.sequelize.transaction((transaction) =>
        'withdrawn' in end
          ? enqueueSignal(transaction, end.exchangeWorkflowId, deviceExchangeWithdrawn, [end.withdrawn], options)
          : enqueueSignal(transaction, end.exchangeWorkflowId, deviceExchanged, [end.exchanged], options),
      );
      await deliverNow([entry], { db, client: temporal.client });
    },
  };
}
