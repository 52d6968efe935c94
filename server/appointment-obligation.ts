// Side effects of the appointment workflow: each step into the request's history and row (with the
// slots a proposal offers), and the people involved told in the portal and by e-mail. Idempotent
// like the ticket activities: steps keyed by (request, seq), messages by `appointment-<id>:<seq>`.
import { GoneError } from './errors';
import { LIVE_CHANNEL, type AppointmentEvent, type AppointmentRequest, type AppointmentSlot, type Db, type User } from '../db';
import {
  APPOINTMENT_GONE,
  APPOINTMENT_REASON_LABELS,
  APPOINTMENT_STATUS_LABELS,
  appointmentDedupeKey,
  appointmentPath,
  type AppointmentEventRecord,
  type AppointmentNotice,
} from '../domain/contracts/appointment';
import type { Mailer } from './mail';
import { notifyUsers, recipientsOf, type OutgoingNotice } from './notifications';
import { caseEventColumns, dateOrNull, germanDateTime } from './ticket-obligation';

export type AppointmentLiveEvent = {
  type: 'appointment';
  appointmentId: number;
  propertyId: number;
  unitId: number;
  userId: number;
  status: string;
};

const berlinTime = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' });

/** "Di., 03.06.2025, 10:00–12:00 Uhr" */
export function describeSlot(slot: { startsAt: Date | string; endsAt: Date | string }): string {
  const start = new Date(slot.startsAt);
  const weekday = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', weekday: 'short' }).format(start);
  return `${weekday}, ${germanDateTime(start).replace(' Uhr', '')}–${berlinTime.format(new Date(slot.endsAt))} Uhr`;
}

interface AppointmentContext {
  request: AppointmentRequest;
  event: AppointmentEvent;
  slots: AppointmentSlot[];
  place: string;
}

function composeAppointmentNotice({ request, event, slots, place }: AppointmentContext, user: User): OutgoingNotice {
  const forTenant = user.id === request.tenantId;
  const what = APPOINTMENT_REASON_LABELS[request.reason];
  const confirmed = slots.find((s) => s.position === request.confirmedSlot) ?? null;
  const offered = slots.filter((s) => request.openOffer.includes(s.position));
  const facts = [
    { label: 'Anlass', value: what },
    { label: 'Ort', value: place },
    { label: 'Status', value: APPOINTMENT_STATUS_LABELS[request.status] },
    ...(confirmed
      ? [{ label: 'Termin', value: describeSlot(confirmed) }]
      : offered.map((slot, i) => ({ label: `Vorschlag ${i + 1}`, value: describeSlot(slot) }))),
  ];
  const subjects: Record<AppointmentEvent['kind'], [tenant: string, staff: string]> = {
    requested: [`Ihre Terminanfrage (${what}) ist eingegangen`, `Neue Terminanfrage: ${what}, ${place}`],
    confirmed: [`Ihr Termin (${what}) ist bestätigt`, `Termin bestätigt: ${what}, ${place}`],
    proposed: [`Neue Terminvorschläge für ${what}`, `Neue Terminvorschläge: ${what}, ${place}`],
    cancelled: [`Termin abgesagt: ${what}`, `Termin abgesagt: ${what}, ${place}`],
    done: [`Termin erledigt: ${what}`, `Termin erledigt: ${what}, ${place}`],
    no_show: [`Termin nicht wahrgenommen: ${what}`, `Nicht angetroffen: ${what}, ${place}`],
    confirmation_overdue: [`Terminanfrage noch unbestätigt`, `Terminanfrage unbestätigt: ${what}, ${place}`],
    reminded: [`Erinnerung: morgen ${what}`, `Erinnerung: Termin ${what}, ${place}`],
  };
  const bodies: Record<AppointmentEvent['kind'], string> = {
    requested: forTenant
      ? 'Wir haben Ihre Terminwünsche erhalten. Die Technik bestätigt einen davon oder schlägt andere vor.'
      : `${event.actorName} bittet um einen Termin. Bitte bestätigen Sie einen der Wünsche oder schlagen Sie andere vor.`,
    confirmed: `${event.actorName} hat den Termin bestätigt.`,
    proposed: `${event.actorName} schlägt andere Termine vor. Bitte wählen Sie im Portal einen davon aus.`,
    cancelled: `${event.actorName} hat den Termin abgesagt.`,
    done: 'Die Arbeiten sind erledigt. Vielen Dank!',
    no_show: forTenant
      ? 'Die Technik hat Sie zum vereinbarten Termin leider nicht angetroffen. Bitte vereinbaren Sie einen neuen Termin.'
      : `${event.actorName} hat zum vereinbarten Termin niemanden angetroffen.`,
    confirmation_overdue: 'Die Terminanfrage wurde nicht innerhalb von zwei Arbeitstagen bestätigt. Bitte kümmern Sie sich darum.',
    reminded: forTenant
      ? 'Wir erinnern Sie an Ihren Termin. Bitte sorgen Sie dafür, dass die Wohnung zugänglich ist.'
      : 'Erinnerung an den vereinbarten Termin.',
  };
  const title = subjects[event.kind][forTenant ? 0 : 1];
  return {
    title,
    body: bodies[event.kind],
    link: appointmentPath(request.id),
    template: event.kind === 'confirmation_overdue' ? 'ticket-escalation' : 'appointment-update',
    mail: {
      reference: `Terminanfrage #${request.id}`,
      headline: title,
      intro: bodies[event.kind],
      facts,
      quote: event.body ? { author: event.actorName, text: event.body } : null,
      actionLabel: 'Terminanfrage im Portal öffnen',
    },
  };
}

function appointmentGone(appointmentId: number): GoneError {
  return new GoneError(`Terminanfrage ${appointmentId} existiert nicht mehr`, APPOINTMENT_GONE);
}

export function appointmentLiveEvent(request: AppointmentRequest): AppointmentLiveEvent {
  return {
    type: 'appointment',
    appointmentId: request.id,
    propertyId: request.propertyId,
    unitId: request.unitId,
    userId: request.tenantId,
    status: request.status,
  };
}

export function createAppointmentObligation(deps: { db: Db; mailer: Mailer; publicUrl?: string }) {
  const { db } = deps;
  const { AppointmentRequest, AppointmentEvent, AppointmentSlot, Property, Unit } = db.models;

  return {
    async recordAppointmentEvent(record: AppointmentEventRecord): Promise<void> {
      await db.sequelize.transaction(async (transaction) => {
        const request = await AppointmentRequest.findByPk(record.appointmentId, { transaction, lock: transaction.LOCK.UPDATE });
        if (!request) throw appointmentGone(record.appointmentId);
        await AppointmentEvent.bulkCreate([{ ...caseEventColumns(record), appointmentId: record.appointmentId }], {
          ignoreDuplicates: true,
          transaction,
        });
        if (record.newSlots.length > 0) {
          await AppointmentSlot.bulkCreate(
            record.newSlots.map((slot) => ({
              appointmentId: record.appointmentId,
              position: slot.position,
              startsAt: new Date(slot.startsAt),
              endsAt: new Date(slot.endsAt),
              offeredBy: slot.offeredBy,
            })),
            { ignoreDuplicates: true, transaction },
          );
        }
        if (request.eventSeq >= record.seq) return;
        const p = record.projection;
        const date = dateOrNull;
        await request.update(
          {
            status: p.status,
            openOffer: p.openOffer,
            confirmedSlot: p.confirmedSlot,
            confirmDueAt: date(p.confirmDueAt),
            escalatedAt: date(p.escalatedAt),
            remindedAt: date(p.remindedAt),
            completedAt: date(p.completedAt),
            eventSeq: record.seq,
          },
          { transaction },
        );
        await db.notify(LIVE_CHANNEL, appointmentLiveEvent(request), transaction);
      });
    },

    async notifyAppointmentEvent({ appointmentId, seq, audience }: AppointmentNotice & { appointmentId: number }): Promise<void> {
      const request = await AppointmentRequest.findByPk(appointmentId);
      if (!request) throw appointmentGone(appointmentId);
      const event = await AppointmentEvent.findOne({ where: { appointmentId, seq }, rejectOnEmpty: true });
      const slots = await AppointmentSlot.findAll({ where: { appointmentId }, order: [['position', 'ASC']] });
      const property = await Property.findByPk(request.propertyId, { attributes: ['street'], rejectOnEmpty: true });
      const unit = await Unit.findByPk(request.unitId, { attributes: ['label'], rejectOnEmpty: true });
      // The request itself is the one step its actor hears back about: the receipt.
      const recipients = await recipientsOf(db, request.organisationId, audience, event.kind === 'requested' ? null : event.actorId);
      await notifyUsers(deps, {
        recipients,
        topic: 'appointment',
        propertyId: request.propertyId,
        // An unconfirmed request past its two working days is an escalation; the rest is routine.
        urgency: event.kind === 'confirmation_overdue' ? 'urgent' : 'routine',
        kind: `appointment-${event.kind.replace(/_/g, '-')}`,
        dedupeKey: appointmentDedupeKey(appointmentId, seq),
        compose: (user) => composeAppointmentNotice({ request, event, slots, place: `${property.street}, ${unit.label}` }, user),
      });
    },
  };
}
