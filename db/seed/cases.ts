// Demo cases for Musterstraße 12: tickets from the demo tenant and two neighbours, and one
// appointment request. Rows only, as the app writes them when a case is filed; the worker's
// start-up sweep (app/utils/case-sweep.server.ts) starts their workflows.
import type { Transaction } from 'sequelize';
import { addDays, parseDate } from '../../domain/dates';
import { berlinWallTime } from '../../domain/business-hours';
import { isFederalState } from '../../domain/holidays';
import { DEFAULT_SLA_MATRIX, dueAtOf, startMeasure } from '../../domain/sla';
import { triageTicket, type TicketTopic } from '../../domain/ticket-triage';
import type { Db, User } from '../index';

const NEIGHBOURS = [
  { email: 'thomas.wagner@klarmeter.de', name: 'Thomas Wagner' },
  { email: 'aylin.demir@klarmeter.de', name: 'Aylin Demir' },
] as const;

/** Who files which ticket: 0 is the demo tenant, 1 and 2 its neighbours. */
const TICKETS: ReadonlyArray<{ by: 0 | 1 | 2; topic: TicketTopic; subject: string; body: string }> = [
  {
    by: 0,
    topic: 'heating',
    subject: 'Heizung im Bad bleibt kalt',
    body: 'Der Heizkörper im Bad wird seit gestern Abend nicht mehr warm, obwohl das Thermostat auf 5 steht. Die anderen Räume sind in Ordnung.',
  },
  {
    by: 1,
    topic: 'statement_question',
    subject: 'Frage zur Abrechnung 2025',
    body: 'In der Heizkostenabrechnung 2025 ist mein Warmwasseranteil deutlich höher als im Vorjahr, obwohl wir zu zweit wohnen wie bisher. Wie kommt das zustande?',
  },
  {
    by: 2,
    topic: 'device',
    subject: 'Rauchmelder piept',
    body: 'Der Rauchmelder im Flur piept seit heute Morgen etwa jede Minute kurz. Ist die Batterie leer? Bitte um einen Termin zum Tausch.',
  },
];

export interface DemoCaseOptions {
  organisationId: number;
  /** The demo tenant's unit; the neighbours get the next two units of the same property. */
  tenantUnitId: number;
  /** For the neighbours' logins: a fresh hash (and salt) of the demo password per call. */
  passwordHash: () => Promise<string>;
  transaction: Transaction;
}

/** The next `count` working days (Mon–Fri) after `date`. */
function workingDaysAfter(date: string, count: number): string[] {
  const days: string[] = [];
  for (let day = addDays(date, 1); days.length < count; day = addDays(day, 1)) {
    const { year, month, day: dom } = parseDate(day);
    const weekday = new Date(Date.UTC(year, month - 1, dom)).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(day);
  }
  return days;
}

export async function seedDemoCases(
  db: Db,
  { organisationId, tenantUnitId, passwordHash, transaction }: DemoCaseOptions,
): Promise<{ tickets: number; appointments: number }> {
  const { User, Unit, Property, Tenancy, Ticket, TicketEvent, AppointmentRequest, AppointmentSlot, AppointmentEvent } = db.models;
  const tenantUnit = await Unit.findByPk(tenantUnitId, { transaction, rejectOnEmpty: true });
  const property = await Property.findByPk(tenantUnit.propertyId, { transaction, rejectOnEmpty: true });
  if (!isFederalState(property.federalState))
    throw new RangeError(`demo property ${property.id}: unknown federal state ${property.federalState}`);
  const tenancy = await Tenancy.findOne({ where: { unitId: tenantUnit.id }, transaction, rejectOnEmpty: true });
  const tenant = await User.findByPk(tenancy.userId!, { transaction, rejectOnEmpty: true });
  const neighbourUnits = (await Unit.findAll({ where: { propertyId: property.id }, order: [['id', 'ASC']], transaction }))
    .filter((unit) => unit.id > tenantUnit.id)
    .slice(0, NEIGHBOURS.length);
  const filers: Array<{ user: User; unitId: number }> = [{ user: tenant, unitId: tenantUnit.id }];
  for (const [i, login] of NEIGHBOURS.entries()) {
    const neighbourUnit = neighbourUnits[i];
    if (!neighbourUnit) throw new RangeError(`demo property ${property.id}: too few units for the neighbours' cases`);
    const user = await User.create({ ...login, role: 'tenant', organisationId, passwordHash: await passwordHash() }, { transaction });
    await Tenancy.update({ userId: user.id, tenantName: user.name }, { where: { unitId: neighbourUnit.id }, transaction });
    filers.push({ user, unitId: neighbourUnit.id });
  }

  const calendar = { federalState: property.federalState };
  for (const [i, spec] of TICKETS.entries()) {
    const { user, unitId } = filers[spec.by]!;
    const triage = triageTicket({ topic: spec.topic, subject: spec.subject, body: spec.body, linked: null });
    const target = DEFAULT_SLA_MATRIX[triage.category][triage.priority];
    // A few minutes apart, oldest first, so the lists look lived-in.
    const openedAt = new Date(Date.now() - (TICKETS.length - i) * 7 * 60_000);
    const dueAt = (budgetMs: number) => new Date(dueAtOf(startMeasure(budgetMs, target.clock, openedAt.getTime()), calendar)!);
    const ticket = await Ticket.create(
      {
        organisationId,
        propertyId: property.id,
        unitId,
        createdBy: user.id,
        topic: spec.topic,
        subject: spec.subject,
        body: spec.body,
        category: triage.category,
        priority: triage.priority,
        triageReasons: triage.reasons,
        linkedKind: null,
        linkedId: null,
        linkedVersion: null,
        status: 'open',
        slaClock: target.clock,
        reactionDueAt: dueAt(target.reactionMs),
        resolutionDueAt: dueAt(target.resolutionMs),
        createdAt: openedAt,
      },
      { transaction },
    );
    await TicketEvent.create(
      {
        ticketId: ticket.id,
        seq: 1,
        kind: 'created',
        visibility: 'public',
        actorId: user.id,
        actorName: user.name,
        actorRole: user.role,
        at: openedAt,
        body: spec.body,
        details: { topic: spec.topic, category: triage.category, priority: triage.priority, reasons: triage.reasons, linked: null },
      },
      { transaction },
    );
  }

  // The demo tenant asks for the smoke alarm's yearly maintenance on two mornings next week.
  const requestedAt = new Date();
  const slots = workingDaysAfter(new Date().toISOString().slice(0, 10), 4)
    .slice(2)
    .map((date, position) => ({
      position,
      startsAt: new Date(berlinWallTime(date, 8)),
      endsAt: new Date(berlinWallTime(date, 10)),
      offeredBy: 'tenant' as const,
    }));
  const note = 'Bitte möglichst vormittags, ab 12 Uhr bin ich bei der Arbeit.';
  const appointment = await AppointmentRequest.create(
    {
      organisationId,
      propertyId: property.id,
      unitId: tenantUnit.id,
      tenantId: tenant.id,
      technicianId: property.technicianId,
      reason: 'maintenance',
      note,
      status: 'requested',
      openOffer: slots.map((s) => s.position),
      confirmDueAt: null,
      createdAt: requestedAt,
    },
    { transaction },
  );
  await AppointmentSlot.bulkCreate(
    slots.map((slot) => ({ ...slot, appointmentId: appointment.id })),
    { transaction },
  );
  await AppointmentEvent.create(
    {
      appointmentId: appointment.id,
      seq: 1,
      kind: 'requested',
      actorId: tenant.id,
      actorName: tenant.name,
      actorRole: tenant.role,
      at: requestedAt,
      body: note,
      details: { reason: 'maintenance', positions: slots.map((s) => s.position) },
    },
    { transaction },
  );
  return { tickets: TICKETS.length, appointments: 1 };
}
