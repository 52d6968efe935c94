// The shapes the pages show for any case: a history timeline, a live SLA countdown and the
// statement's lifecycle panel. The server builds them; components render them.
import type { FederalState } from './holidays';

export type Tone = 'green' | 'yellow' | 'red' | 'unknown';

/** What the countdown needs: the shape of `SlaSummary` from server/tickets.ts, as plain data. */
export interface CountdownSla {
  measure: 'reaction' | 'resolution' | null;
  state: string;
  dueAt: string | null;
  remainingMs: number | null;
  clock: 'calendar' | 'business';
  federalState: FederalState;
  breached: boolean;
}

export interface TimelineItem {
  key: string | number;
  label: string;
  at: string;
  actor: string;
  body?: string | null;
  note?: string | null;
  tone?: Tone;
  internal?: boolean;
}

export interface LifecycleView {
  state: string;
  stateLabel: string;
  live: string | null;
  deliveryDueAt: string | null;
  deliveryDeadlineMissed: boolean;
  delivery: { channel: string; receivedOn: string; dispatchedOn: string | null } | null;
  objectionDeadline: string | null;
  objectionWindowEndsAt: string | null;
  /** Delivered per recipient: "48 Empfänger: 30 zugestellt, …" (absent for versions delivered as a whole). */
  recipientSummary?: string | null;
  timeline: TimelineItem[];
  verdict: { ok: boolean; checked: number; brokenAt?: { seq: number; step: string; reason: string } };
  now: string;
}
