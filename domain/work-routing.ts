// Work routing (issue 14, item 6): who handles a ticket. Device-related tickets (a meter or smoke
// alarm, heating or hot water, a fault reported by radio) go by default to the technician who serves
// the property; everything else waits for a manager to route it.
import { SLA_RISK_HOURS } from './dashboard';
import type { Role } from './roles';
import type { TicketCategory } from './sla';

/** Roles a ticket can be assigned to. */
export const ASSIGNEE_ROLES = ['manager', 'technician'] as const satisfies readonly Role[];
export type AssigneeRole = (typeof ASSIGNEE_ROLES)[number];

export const ASSIGNEE_ROLE_LABELS: Readonly<Record<AssigneeRole, string>> = {
  manager: 'Verwaltung',
  technician: 'Technik',
};

/** Whether a ticket of this category is work on devices, the property's technician's by default. */
export function isDeviceWork(category: TicketCategory): boolean {
  return category === 'device_report';
}

/** Where an open ticket's current deadline stands, as a work list sorts and colours it. */
export type SlaStanding = 'breached' | 'at_risk' | 'on_track' | 'paused' | 'done';

export const SLA_STANDING_LABELS: Readonly<Record<SlaStanding, string>> = {
  breached: 'Überschritten',
  at_risk: 'Gefährdet',
  on_track: 'Im Plan',
  paused: 'Ruht',
  done: 'Erledigt',
};

/**
 * From the SLA data the ticket workflow projects onto its row: overdue (or recorded as breached),
 * due within SLA_RISK_HOURS (the dashboard's "at risk"), running, paused while the tenant is asked,
 * or no deadline left.
 */
export function slaStanding(
  sla: { measure: string | null; dueAt: string | null; remainingMs: number | null; state: string },
  nowMs: number,
): SlaStanding {
  if (sla.measure === null) return 'done';
  if (sla.dueAt === null) return sla.remainingMs !== null && sla.remainingMs <= 0 ? 'breached' : 'paused';
  const leftMs = Date.parse(sla.dueAt) - nowMs;
  if (sla.state === 'breached' || leftMs <= 0) return 'breached';
  return leftMs <= SLA_RISK_HOURS * 3_600_000 ? 'at_risk' : 'on_track';
}
