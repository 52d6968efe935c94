// The work list (issue 14, item 6): what a technician (or a manager) has to do now — the open
// tickets assigned to it, most pressing deadline first, and the open appointment requests of the
// properties it serves. Live like every list: ticket and appointment events reload the page.
import { FINAL_APPOINTMENT_STATUSES } from '../domain/contracts/appointment';
import { slaStanding, type SlaStanding } from '../domain/work-routing';
import { listAppointments, type AppointmentRow } from './appointments';
import type { SessionUser } from './session';
import { listTickets, type TicketRow } from './tickets';

export interface WorkList {
  tickets: TicketRow[];
  appointments: AppointmentRow[];
  /** How many of the tickets stand where, at `asOf`. */
  standings: Record<SlaStanding, number>;
  asOf: string;
}

export async function workList(user: SessionUser, now = new Date()): Promise<WorkList> {
  const [tickets, appointments] = await Promise.all([listTickets(user, 'mine'), listAppointments(user)]);
  const standings: Record<SlaStanding, number> = { breached: 0, at_risk: 0, on_track: 0, paused: 0, done: 0 };
  for (const ticket of tickets) standings[slaStanding(ticket.sla, now.getTime())] += 1;
  return {
    tickets,
    appointments: appointments.filter((a) => !FINAL_APPOINTMENT_STATUSES.has(a.status)),
    standings,
    asOf: now.toISOString(),
  };
}
