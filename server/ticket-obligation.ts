// Side effects of the ticket workflow: every step is written to the ticket's history and its row
// (the projection lists read), and the people involved are told in the portal and by e-mail.
// Idempotent: a step is keyed by (ticket, seq), its notifications and e-mails by `ticket-<id>:<seq>`,
// so a retried activity writes and sends nothing twice.
import { appendAudit } from '../db/audit';
import { GoneError } from './errors';
import { LIVE_CHANNEL, type Db, type Ticket, type TicketEvent, type User } from '../db';
import { TICKET_CATEGORY_LABELS, TICKET_PRIORITY_LABELS } from '../domain/sla';
import {
  INTERNAL_TICKET_EVENTS,
  TICKET_GONE,
  TICKET_STATUS_LABELS,
  TICKET_STATUS_LABELS_FOR_TENANT,
  ticketDedupeKey,
  ticketStaffPath,
  ticketTenantPath,
  type Actor,
  type TicketEventRecord,
  type TicketNotice,
} from '../domain/contracts/ticket';
import type { MailTemplate, Mailer } from './mail';
import { notifyUsers, recipientsOf, type OutgoingNotice } from './notifications';

/** The payload on LIVE_CHANNEL when a ticket changes: pages of everyone who may see it reload. */
export type TicketLiveEvent = {
  type: 'ticket';
  ticketId: number;
  propertyId: number;
  unitId: number | null;
  /** The tenant who filed it: its pages reload even where its scope would not cover the unit. */
  userId: number;
  /** The assignee: a technician's work list reloads even for a property it does not serve. */
  userIds: number[];
  status: string;
};

const berlinDateTime = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** "05.03.2026, 14:07 Uhr" in German time. */
export function germanDateTime(value: Date | string): string {
  return `${berlinDateTime.format(typeof value === 'string' ? new Date(value) : value)} Uhr`;
}

/** The columns of a history row (ticket_events, appointment_events) that every case step carries. */
export function caseEventColumns<K extends string>(record: {
  seq: number;
  kind: K;
  at: string;
  actor: Actor;
  body: string | null;
  details: Record<string, unknown>;
}) {
  return {
    seq: record.seq,
    kind: record.kind,
    actorId: record.actor.userId,
    actorName: record.actor.name,
    actorRole: record.actor.role,
    at: new Date(record.at),
    body: record.body,
    details: record.details,
  };
}

/** A projection's ISO instant as the row stores it. */
export function dateOrNull(value: string | null): Date | null {
  return value === null ? null : new Date(value);
}

const DEADLINE_NAMES: Record<string, string> = { reaction: 'Reaktionsfrist', resolution: 'Lösungsfrist' };

interface TicketContext {
  ticket: Ticket;
  event: TicketEvent;
  propertyName: string;
}

/** What a step means to one recipient: the tenant reads "Ihr Anliegen", staff read "Vorgang". */
function composeTicketNotice({ ticket, event, propertyName }: TicketContext, user: User): OutgoingNotice {
  const forTenant = user.id === ticket.createdBy;
  const ref = forTenant ? `Anliegen #${ticket.id}` : `Vorgang #${ticket.id}`;
  const your = forTenant ? `Ihr Anliegen #${ticket.id}` : `Vorgang #${ticket.id}`;
  const statusLabel = (forTenant ? TICKET_STATUS_LABELS_FOR_TENANT : TICKET_STATUS_LABELS)[ticket.status];
  const quote = event.body ? { author: event.actorName, text: event.body } : null;
  const facts = [
    { label: 'Betreff', value: ticket.subject },
    { label: 'Status', value: statusLabel },
    ...(forTenant
      ? []
      : [
          { label: 'Kategorie', value: `${TICKET_CATEGORY_LABELS[ticket.category]}, Priorität ${TICKET_PRIORITY_LABELS[ticket.priority]}` },
          { label: 'Liegenschaft', value: propertyName },
        ]),
  ];
  const dueFact = (label: string, due: Date | null) => (due ? [{ label, value: germanDateTime(due) }] : []);
  let title: string;
  let body: string;
  let template: MailTemplate = 'ticket-update';

  switch (event.kind) {
    case 'created':
      title = forTenant ? `${your} ist eingegangen` : `Neuer Vorgang #${ticket.id}: ${ticket.subject}`;
      body = forTenant
        ? `Wir haben Ihr Anliegen „${ticket.subject}“ erhalten und melden uns so schnell wie möglich.`
        : `${event.actorName} hat ein Anliegen eingereicht (${TICKET_CATEGORY_LABELS[ticket.category]}, ${TICKET_PRIORITY_LABELS[ticket.priority]}).`;
      facts.push(...(forTenant ? [] : dueFact('Reaktion fällig', ticket.reactionDueAt)));
      break;
    case 'assigned': {
      const assigneeName = String(event.details.assigneeName ?? 'Die Verwaltung');
      const toAssignee = user.id === event.details.assigneeId;
      title = forTenant
        ? `${your} wird bearbeitet`
        : toAssignee
          ? `Vorgang #${ticket.id} wurde Ihnen zugewiesen`
          : `Vorgang #${ticket.id} zugewiesen an ${assigneeName}`;
      body = forTenant
        ? `${assigneeName} kümmert sich um Ihr Anliegen „${ticket.subject}“.`
        : `„${ticket.subject}“ – ${event.actorName} hat den Vorgang ${toAssignee ? 'Ihnen' : assigneeName} zugewiesen.`;
      facts.push(...(forTenant ? [] : dueFact('Lösung fällig', ticket.resolutionDueAt)));
      break;
    }
    case 'replied':
      title = `Antwort zu ${forTenant ? 'Ihrem Anliegen' : 'Vorgang'} #${ticket.id}`;
      body = `${event.actorName} hat auf „${ticket.subject}“ geantwortet.`;
      break;
    case 'asked_tenant':
      title = `Rückfrage zu ${forTenant ? 'Ihrem Anliegen' : 'Vorgang'} #${ticket.id}`;
      body = forTenant
        ? `${event.actorName} hat eine Rückfrage zu „${ticket.subject}“. Bitte antworten Sie im Portal.`
        : `${event.actorName} hat den Mieter zu „${ticket.subject}“ gefragt; die Frist ruht bis zur Antwort.`;
      break;
    case 'tenant_replied':
      title = `Antwort des Mieters zu Vorgang #${ticket.id}`;
      body = event.details.resumed
        ? `${event.actorName} hat die Rückfrage zu „${ticket.subject}“ beantwortet; die Frist läuft weiter.`
        : `${event.actorName} hat zu „${ticket.subject}“ geschrieben.`;
      facts.push(...dueFact('Lösung fällig', ticket.resolutionDueAt));
      break;
    case 'resolved':
      title = `${your} wurde gelöst`;
      body = forTenant
        ? `${event.actorName} hat Ihr Anliegen „${ticket.subject}“ gelöst. Ist etwas offen geblieben, können Sie es im Portal wieder öffnen.`
        : `${event.actorName} hat „${ticket.subject}“ gelöst.`;
      break;
    case 'reopened':
      title = `${your} wurde wieder geöffnet`;
      body = `${event.actorName} hat „${ticket.subject}“ wieder geöffnet.`;
      facts.push(...(forTenant ? [] : dueFact('Neue Lösungsfrist', ticket.resolutionDueAt)));
      break;
    case 'closed':
      title = `${your} wurde geschlossen`;
      body = `„${ticket.subject}“ ist abgeschlossen.`;
      break;
    case 'sla_warning':
    case 'sla_breached': {
      const deadline = DEADLINE_NAMES[String(event.details.measure)] ?? 'Frist';
      const due = typeof event.details.dueAt === 'string' ? germanDateTime(event.details.dueAt) : null;
      template = 'ticket-escalation';
      if (event.kind === 'sla_warning') {
        title = `${deadline} zu 75 % verbraucht: Vorgang #${ticket.id}`;
        body = `Die ${deadline} für „${ticket.subject}“ endet${due ? ` am ${due}` : ' bald'}. Bitte kümmern Sie sich jetzt darum.`;
      } else {
        title = `${deadline} überschritten: Vorgang #${ticket.id}`;
        body = `Die ${deadline} für „${ticket.subject}“ ist${due ? ` am ${due}` : ''} abgelaufen. Die Überschreitung ist im Verlauf des Vorgangs festgehalten.`;
      }
      break;
    }
    default:
      title = `${your}: ${event.kind}`;
      body = ticket.subject;
  }
  return {
    title,
    body,
    link: forTenant ? ticketTenantPath(ticket.id) : ticketStaffPath(ticket.id),
    template,
    mail: {
      reference: ref,
      headline: title,
      intro: body,
      facts,
      quote,
      actionLabel: forTenant ? 'Anliegen im Portal öffnen' : 'Vorgang im Portal öffnen',
    },
  };
}

function ticketGone(ticketId: number): GoneError {
  return new GoneError(`Vorgang ${ticketId} existiert nicht mehr`, TICKET_GONE);
}

export function ticketLiveEvent(ticket: Ticket): TicketLiveEvent {
  return {
    type: 'ticket',
    ticketId: ticket.id,
    propertyId: ticket.propertyId,
    unitId: ticket.unitId,
    userId: ticket.createdBy,
    userIds: ticket.assigneeId === null ? [] : [ticket.assigneeId],
    status: ticket.status,
  };
}

export function createTicketObligation(deps: { db: Db; mailer: Mailer; publicUrl?: string }) {
  const { db } = deps;
  const { Ticket, TicketEvent, Property } = db.models;

  return {
    /** Appends the step to the history and moves the row forward to it (never back to an older step). */
    async recordTicketEvent(record: TicketEventRecord): Promise<void> {
      await db.sequelize.transaction(async (transaction) => {
        const ticket = await Ticket.findByPk(record.ticketId, { transaction, lock: transaction.LOCK.UPDATE });
        if (!ticket) throw ticketGone(record.ticketId);
        await TicketEvent.bulkCreate(
          [
            {
              ...caseEventColumns(record),
              ticketId: record.ticketId,
              visibility: INTERNAL_TICKET_EVENTS.has(record.kind) ? 'internal' : 'public',
            },
          ],
          { ignoreDuplicates: true, transaction },
        );
        if (ticket.eventSeq >= record.seq) return;
        const p = record.projection;
        const date = dateOrNull;
        await ticket.update(
          {
            status: p.status,
            category: p.category,
            priority: p.priority,
            assigneeId: p.assigneeId,
            round: p.round,
            slaClock: p.slaClock,
            reactionDueAt: date(p.reactionDueAt),
            resolutionDueAt: date(p.resolutionDueAt),
            reactionRemainingMs: p.reactionRemainingMs,
            resolutionRemainingMs: p.resolutionRemainingMs,
            slaPausedAt: date(p.slaPausedAt),
            reactedAt: date(p.reactedAt),
            resolvedAt: date(p.resolvedAt),
            closedAt: date(p.closedAt),
            reactionBreachedAt: date(p.reactionBreachedAt),
            resolutionBreachedAt: date(p.resolutionBreachedAt),
            eventSeq: record.seq,
          },
          { transaction },
        );
        // Routing is audited once, with the step (a retried activity returned above).
        if (record.kind === 'assigned') {
          await appendAudit(
            db,
            {
              organisationId: ticket.organisationId,
              actorId: record.actor.userId,
              actor: record.actor.userId === null ? 'system' : record.actor.name,
              action: 'ticket.assigned',
              entity: 'ticket',
              entityId: ticket.id,
              details: { assigneeId: record.details.assigneeId, assigneeName: record.details.assigneeName, seq: record.seq },
            },
            transaction,
          );
        }
        await db.notify(LIVE_CHANNEL, ticketLiveEvent(ticket), transaction);
      });
    },

    /** Tells the step's audience, each through the channels it chose for tickets or for escalations. */
    async notifyTicketEvent({ ticketId, seq, audience }: TicketNotice & { ticketId: number }): Promise<void> {
      const ticket = await Ticket.findByPk(ticketId);
      if (!ticket) throw ticketGone(ticketId);
      const event = await TicketEvent.findOne({ where: { ticketId, seq }, rejectOnEmpty: true });
      const property = await Property.findByPk(ticket.propertyId, { attributes: ['name'], rejectOnEmpty: true });
      // The filing itself is the one step its actor hears back about: the receipt.
      const recipients = await recipientsOf(db, ticket.organisationId, audience, event.kind === 'created' ? null : event.actorId);
      const escalation = event.kind === 'sla_warning' || event.kind === 'sla_breached';
      await notifyUsers(deps, {
        recipients,
        topic: escalation ? 'ticket-escalation' : 'ticket',
        propertyId: ticket.propertyId,
        // A warning at 75 % is urgent too: bundled into a digest it would come too late to act on.
        urgency: escalation ? 'urgent' : 'routine',
        kind: `ticket-${event.kind.replace(/_/g, '-')}`,
        dedupeKey: ticketDedupeKey(ticketId, seq),
        compose: (user) => composeTicketNotice({ ticket, event, propertyName: property.name }, user),
      });
    },
  };
}
