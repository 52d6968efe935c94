// The obligation kinds the compliance desk knows, as one table: what each KlarObligation value is
// called, which workflow type carries it, what its KlarState values mean and which of them are
// still open (their KlarDueAt is a deadline to meet) or done. The search, its filters, the CSV and
// the timeline read only this table: a new kind (a later issue's workflow) plugs in by adding a row
// here and publishing the same search attributes (KlarObligation, KlarOrganisation, KlarProperty,
// KlarState, KlarDueAt, KlarLate), not by code of its own.
import { APPOINTMENT_STATUS_LABELS } from '../contracts/appointment';
import { APPOINTMENT_WORKFLOW_TYPE } from '../contracts/appointment';
import { COST_DEADLINE_OBLIGATION, COST_DEADLINE_WORKFLOW_TYPE } from '../contracts/cost-deadline';
import { DEVICE_EXCHANGE_OBLIGATION, DEVICE_EXCHANGE_WORKFLOW_TYPE, type DeviceExchangeState } from '../contracts/device-exchange';
import { LEGIONELLA_OBLIGATION, LEGIONELLA_WORKFLOW_TYPE, TRINKWASSER_PATH } from '../contracts/legionella';
import { RETENTION_OBLIGATION, RETENTION_WORKFLOW_TYPE } from '../contracts/retention';
import { WEBHOOK_DELIVERY_WORKFLOW_TYPE } from '../contracts/webhook';
import { DEVICE_WORKFLOW_TYPE } from '../contracts/device';
import { MONTHLY_OBLIGATION, MONTHLY_PROPERTY_WORKFLOW_TYPE } from '../contracts/monthly';
import { STATEMENT_WORKFLOW_TYPE } from '../contracts/statement';
import { RECIPIENT_OBLIGATION, RECIPIENT_STATE_LABELS, RECIPIENT_WORKFLOW_TYPE } from '../contracts/statement-recipient';
import { TICKET_STATUS_LABELS, TICKET_WORKFLOW_TYPE } from '../contracts/ticket';
import { LIFECYCLE_STATE_LABELS } from '../statement-lifecycle';

export interface ObligationKind {
  /** The kind's own key (the filter's value); the KlarObligation value unless `obligation` says otherwise. */
  key: string;
  /**
   * The KlarObligation value when the kind is a narrower part of another kind's workflows (a device
   * fault is a ticket): then `narrowedBy` names the server's lookup of the workflow ids that belong to it.
   */
  obligation?: string;
  narrowedBy?: 'device-fault-tickets';
  /** "Eichfrist" */
  label: string;
  /** Heading of the kind's group in the filter ("Gerätefristen"). */
  group: string;
  workflowType: string;
  /** What KlarDueAt is for this kind ("Eichfrist", "SLA-Frist"). */
  dueLabel: string;
  /** KlarState values and their German labels. */
  states: Readonly<Record<string, string>>;
  /** States in which KlarDueAt is a deadline still to be met: past it, the obligation is overdue. */
  openStates: readonly string[];
  /** States in which the obligation is done; with KlarLate it was done late. */
  closedStates: readonly string[];
  /** The portal page of the obligation's object, from the workflow id (null: none). */
  pagePath(workflowId: string): string | null;
}

const DEVICE_STATES = {
  watching: 'Überwacht',
  escalated: 'Frist abgelaufen (eskaliert)',
  replaced: 'Getauscht',
  removed: 'Ausgebaut',
  gone: 'Gerät gelöscht',
} as const;

function devicePage(workflowId: string): string | null {
  const id = /^device-(\d+)$/.exec(workflowId)?.[1];
  return id ? `/geraete/${id}` : null;
}

function deviceKind(key: string, label: string): ObligationKind {
  return {
    key,
    label,
    group: 'Gerätefristen',
    workflowType: DEVICE_WORKFLOW_TYPE,
    dueLabel: label,
    states: DEVICE_STATES,
    openStates: ['watching', 'escalated'],
    closedStates: ['replaced', 'removed'],
    pagePath: devicePage,
  };
}

const LEGIONELLA_STATES = { watching: 'Frist läuft', escalated: 'Frist abgelaufen (eskaliert)' } as const;

const DEVICE_EXCHANGE_STATES: Readonly<Record<DeviceExchangeState, string>> = {
  offered: 'Termine angeboten',
  answered: 'Mietpartei hat geantwortet',
  escalated: 'Keine Antwort (an Verwaltung eskaliert)',
  exchanged: 'Gerät getauscht',
  withdrawn: 'Zurückgezogen (Frist verschoben)',
  gone: 'Gerät gelöscht',
};

/** What every ticket kind shares: the ticket workflow's states, SLA and page. */
const TICKET_KIND: Omit<ObligationKind, 'key' | 'label'> = {
  group: 'Vorgänge und Termine',
  workflowType: TICKET_WORKFLOW_TYPE,
  dueLabel: 'SLA-Frist (Reaktion, dann Lösung)',
  states: TICKET_STATUS_LABELS,
  openStates: ['open', 'in_progress', 'waiting_for_tenant'],
  closedStates: ['resolved', 'closed'],
  pagePath: (workflowId) => {
    const id = /^ticket-(\d+)$/.exec(workflowId)?.[1];
    return id ? `/vorgaenge/${id}` : null;
  },
};

/** Kinds later issues added: the archive's retention, drinking water, cost data, device exchanges, device faults. */
const LATER_KINDS: readonly ObligationKind[] = [
  {
    key: RETENTION_OBLIGATION,
    label: 'Aufbewahrungsfrist (Nachweisarchiv)',
    group: 'Archiv',
    workflowType: RETENTION_WORKFLOW_TYPE,
    dueLabel: 'Ende der Aufbewahrung, danach Löschung nach Freigabe',
    states: {
      retaining: 'Wird aufbewahrt',
      held: 'Aufbewahrungssperre (Legal Hold)',
      'awaiting-approval': 'Löschung wartet auf Freigabe',
      deleted: 'Gelöscht (Löschvermerk)',
      gone: 'Nachweis nicht mehr vorhanden',
    },
    // Past its end a version waiting for the deletion's approval is kept longer than allowed.
    openStates: ['retaining', 'awaiting-approval'],
    closedStates: ['deleted'],
    pagePath: () => '/nachweise',
  },
  {
    key: LEGIONELLA_OBLIGATION,
    label: 'Legionellen-Probenahme (TrinkwV § 31)',
    group: 'Trinkwasser',
    workflowType: LEGIONELLA_WORKFLOW_TYPE,
    dueLabel: 'Probenahme (alle 3 Jahre)',
    states: LEGIONELLA_STATES,
    // A clean result starts the next round in the same workflow: no state is "done".
    openStates: ['watching', 'escalated'],
    closedStates: [],
    pagePath: () => TRINKWASSER_PATH,
  },
  {
    key: `${LEGIONELLA_OBLIGATION}-finding`,
    label: 'Legionellen-Nachprobe nach Befund',
    group: 'Trinkwasser',
    workflowType: LEGIONELLA_WORKFLOW_TYPE,
    dueLabel: 'Nachprobe nach Abhilfe',
    states: LEGIONELLA_STATES,
    openStates: ['watching', 'escalated'],
    closedStates: [],
    pagePath: () => TRINKWASSER_PATH,
  },
  {
    key: COST_DEADLINE_OBLIGATION,
    label: 'Kostenerfassung für die Abrechnung',
    group: 'Abrechnung',
    workflowType: COST_DEADLINE_WORKFLOW_TYPE,
    dueLabel: 'Kostenfrist (3 Monate nach Abrechnungszeitraum)',
    states: { watching: 'Frist läuft', escalated: 'Frist abgelaufen (eskaliert)', entered: 'Kosten erfasst' },
    openStates: ['watching', 'escalated'],
    closedStates: ['entered'],
    pagePath: (workflowId) => {
      const id = /^cost-deadline-(\d+)-/.exec(workflowId)?.[1];
      return id ? `/liegenschaften/${id}` : null;
    },
  },
  {
    // The tenant's side of a calibration or replacement within the lead time (workflows/device-exchange.ts).
    // KlarDueAt is the device's deadline; KlarLate marks that the tenant did not answer within 14 days
    // and the managers took over, so "verspätet erledigt" here means "exchanged after that escalation".
    key: DEVICE_EXCHANGE_OBLIGATION,
    label: 'Gerätetausch mit der Mietpartei',
    group: 'Gerätefristen',
    workflowType: DEVICE_EXCHANGE_WORKFLOW_TYPE,
    dueLabel: 'Eich- oder Austauschfrist des Geräts',
    states: DEVICE_EXCHANGE_STATES,
    openStates: ['offered', 'answered', 'escalated'],
    // Withdrawn: the deadline moved (recalibration, other recorded work), the offer was no longer needed.
    closedStates: ['exchanged', 'withdrawn'],
    pagePath: (workflowId) => {
      const id = /^device-exchange-(\d+)-/.exec(workflowId)?.[1];
      return id ? `/geraete/${id}` : null;
    },
  },
  {
    // Tickets the device workflow files for a smoke alarm's radio fault (server/device-faults.ts).
    key: 'device-fault',
    obligation: 'ticket',
    narrowedBy: 'device-fault-tickets',
    label: 'Gerätestörung (Vorgang)',
    ...TICKET_KIND,
  },
];

export const OBLIGATION_KINDS: readonly ObligationKind[] = [
  deviceKind('calibration', 'Eichfrist'),
  deviceKind('replacement', 'Austauschfrist'),
  deviceKind('inspection', 'Wartungsfrist'),
  {
    key: 'statement',
    label: 'Heizkostenabrechnung',
    group: 'Abrechnung',
    workflowType: STATEMENT_WORKFLOW_TYPE,
    dueLabel: 'Zustellfrist (§ 556 Abs. 3 BGB), nach Zustellung Einspruchsfrist',
    states: LIFECYCLE_STATE_LABELS,
    // Once delivered, KlarDueAt is the end of the tenants' objection window: nothing the organisation must meet.
    openStates: ['draft', 'approved'],
    closedStates: ['delivered', 'opened', 'final'],
    pagePath: (workflowId) => {
      const id = /^statement-(\d+)-v\d+/.exec(workflowId)?.[1];
      return id ? `/abrechnungen/${id}` : null;
    },
  },
  {
    // Each tenant's own delivery (workflows/statement-recipient.ts): KlarDueAt is the end of that
    // tenant's objection window, counted from its receipt; KlarLate marks a receipt after the
    // BGB §556(3) deadline, so "verspätet erledigt" lists the tenants reached too late.
    key: RECIPIENT_OBLIGATION,
    label: 'Zustellung an eine Mietpartei',
    group: 'Abrechnung',
    workflowType: RECIPIENT_WORKFLOW_TYPE,
    dueLabel: 'Einspruchsfrist der Mietpartei (ab ihrem Zugang)',
    states: RECIPIENT_STATE_LABELS,
    openStates: [],
    closedStates: ['delivered', 'opened', 'final'],
    pagePath: (workflowId) => {
      const match = /^statement-(\d+)-v\d+-recipient-(\d+)$/.exec(workflowId);
      return match ? `/abrechnungen/${match[1]}/nachweis/${match[2]}` : null;
    },
  },
  {
    key: MONTHLY_OBLIGATION,
    label: 'Monatsinformation (§ 6a HKVO)',
    group: 'Monatsinformation',
    workflowType: MONTHLY_PROPERTY_WORKFLOW_TYPE,
    dueLabel: 'Bereitstellung',
    states: {},
    openStates: [],
    closedStates: [],
    pagePath: (workflowId) => {
      const month = /^monthly-information-(\d{4}-\d{2})-property-\d+$/.exec(workflowId)?.[1];
      return month ? `/monatsinformationen/${month}` : null;
    },
  },
  {
    key: 'ticket',
    label: 'Vorgang',
    ...TICKET_KIND,
  },
  {
    key: 'appointment',
    label: 'Terminwunsch',
    group: 'Vorgänge und Termine',
    workflowType: APPOINTMENT_WORKFLOW_TYPE,
    dueLabel: 'Bestätigungsfrist, nach Bestätigung der Termin',
    states: APPOINTMENT_STATUS_LABELS,
    openStates: ['requested', 'proposed', 'confirmed'],
    closedStates: ['done', 'no_show', 'cancelled'],
    pagePath: (workflowId) => {
      const id = /^appointment-(\d+)$/.exec(workflowId)?.[1];
      return id ? `/termine/${id}` : null;
    },
  },
  ...LATER_KINDS,
];

/**
 * The workflow types that track KlarOverdue (workflows/shared/overdue.ts): those of kinds with a
 * deadline to meet while open.
 */
export const OVERDUE_TRACKING_WORKFLOW_TYPES: readonly string[] = [
  ...new Set(OBLIGATION_KINDS.filter((kind) => kind.openStates.length > 0).map((kind) => kind.workflowType)),
];

/** The KlarObligation value a kind's workflows publish. */
export function obligationValue(kind: ObligationKind): string {
  return kind.obligation ?? kind.key;
}

/**
 * Workflows that run for the organisation but are no obligation: no legal duty or deadline stands
 * behind them. The desk names them so nobody looks for them in the list.
 */
export const NOT_OBLIGATIONS: ReadonlyArray<{ workflowType: string; label: string; reason: string; pagePath: string; pageLabel: string }> =
  [
    {
      workflowType: WEBHOOK_DELIVERY_WORKFLOW_TYPE,
      label: 'Webhook-Zustellungen',
      reason:
        'Es sind technische Benachrichtigungen an Systeme der Organisation, ohne gesetzliche Pflicht und ohne Frist; ihre Versuche und Fehler stehen bei den Webhooks.',
      pagePath: '/einstellungen/webhooks',
      pageLabel: 'Zu den Webhooks',
    },
  ];

const BY_KEY = new Map(OBLIGATION_KINDS.map((kind) => [kind.key, kind]));
const BY_WORKFLOW_TYPE = new Map<string, ObligationKind[]>();
// A narrowed kind is never a workflow's kind by itself: its workflows publish the wider kind's value.
for (const kind of OBLIGATION_KINDS.filter((k) => !k.narrowedBy))
  BY_WORKFLOW_TYPE.set(kind.workflowType, [...(BY_WORKFLOW_TYPE.get(kind.workflowType) ?? []), kind]);

export function obligationKind(key: string | null | undefined): ObligationKind | undefined {
  return key ? BY_KEY.get(key) : undefined;
}

/** The workflow types that carry obligations: nothing else (a portfolio-wide run, a benchmark's no-op) is listed. */
export const OBLIGATION_WORKFLOW_TYPES: readonly string[] = [...BY_WORKFLOW_TYPE.keys()];

/** The kind of a listed workflow: by KlarObligation, else (a device workflow that has not run yet) by its type. */
export function kindOf(obligation: string | null, workflowType: string): ObligationKind | undefined {
  const byType = BY_WORKFLOW_TYPE.get(workflowType) ?? [];
  return obligationKind(obligation) ?? (byType.length === 1 ? byType[0] : undefined);
}

/** The kind's label, or the workflow type's group when the workflow has not named its kind yet. */
export function kindLabel(obligation: string | null, workflowType: string): string {
  const kind = kindOf(obligation, workflowType);
  if (kind) return kind.label;
  const byType = BY_WORKFLOW_TYPE.get(workflowType);
  return byType?.[0]?.group ?? workflowType;
}

/** Every state value any kind uses, with the kinds that use it (the state filter's options). */
export function allStates(): Array<{ kind: ObligationKind; value: string; label: string }> {
  const seen = new Set<string>();
  const states: Array<{ kind: ObligationKind; value: string; label: string }> = [];
  for (const kind of OBLIGATION_KINDS) {
    for (const [value, label] of Object.entries(kind.states)) {
      const id = `${kind.workflowType}:${value}`;
      if (seen.has(id)) continue;
      seen.add(id);
      states.push({ kind, value, label });
    }
  }
  return states;
}

export function stateLabel(kind: ObligationKind | undefined, state: string | null, executionStatus: string): string {
  if (state && kind?.states[state]) return kind.states[state];
  if (state) return state;
  return EXECUTION_STATUS_LABELS[executionStatus] ?? executionStatus;
}

/** Temporal's own status of an execution (visibility's ExecutionStatus), in German. */
export const EXECUTION_STATUS_LABELS: Readonly<Record<string, string>> = {
  Running: 'Läuft',
  Completed: 'Abgeschlossen',
  Failed: 'Fehlgeschlagen',
  Canceled: 'Abgebrochen',
  Terminated: 'Beendet (von außen)',
  ContinuedAsNew: 'Fortgesetzt',
  TimedOut: 'Zeitüberschreitung',
};
