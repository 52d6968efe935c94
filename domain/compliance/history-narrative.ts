// A workflow history told in the domain's words: "Erinnerung 30 Tage vor Eichfrist an
// verwaltung@… gesendet", "Eichfrist 31.12.2027 gesetzt", "Gerät getauscht durch technik@… am …",
// "Einspruch eingegangen, Frist eingehalten". Every line keeps the ids of the events behind it, so
// the page can show them raw. The phrases are tables keyed by activity, signal and update name: a
// new obligation kind adds its entries here; anything unknown is still shown, in neutral words.
import { APPOINTMENT_EVENT_LABELS, type AppointmentEventKind } from '../contracts/appointment';
import { TICKET_EVENT_LABELS, type TicketEventKind } from '../contracts/ticket';
import { PROOF_STEP_LABELS, type ProofStep } from '../statement-lifecycle';
import { berlinDateOf } from '../business-hours';
import { TICKET_CATEGORY_LABELS, TICKET_PRIORITY_LABELS, type TicketCategory, type TicketPriority } from '../sla';
import { LIGHT_LABELS, formatDate, formatDateTime, formatNumber } from '../format';
import type { Light } from '../deadlines';
import { SEARCH_KEYS } from '../search-attributes';
import type { HistoryEvent } from './history-events';
import { formatDueAt } from './due-dates';
import { kindOf, obligationKind, stateLabel } from './obligation-kinds';
import { isFinding } from '../legionella';

/** What the history alone does not say: who received a notice, who made a change the workflow was told of. */
export interface NarrativeContext {
  /** E-mail addresses of the users a notice with this dedupe key went to. */
  recipients(dedupeKey: string): readonly string[];
  /** Who recorded the change behind a signal (from the audit log), if known. */
  actorOfSignal(signalName: string, at: string): string | null;
  unitLabel(unitId: number): string | null;
  deviceLabel(deviceId: number): string | null;
}

export const EMPTY_CONTEXT: NarrativeContext = {
  recipients: () => [],
  actorOfSignal: () => null,
  unitLabel: () => null,
  deviceLabel: () => null,
};

export type Tone = 'info' | 'done' | 'warning' | 'error';
/** main: what an auditor reads; minor: book-keeping (waiting, index updates); technical: the engine's own steps. */
export type Detail = 'main' | 'minor' | 'technical';

export interface TimelineEntry {
  /** ISO instant. */
  at: string;
  text: string;
  tone: Tone;
  detail: Detail;
  eventIds: number[];
}

interface Phrase {
  text: string;
  tone?: Tone;
  detail?: Detail;
}

type Json = Record<string, unknown>;

const asRecord = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function deadlineLabel(kind: unknown): string {
  return typeof kind === 'string' ? (obligationKind(kind)?.label ?? 'Frist') : 'Frist';
}

const PLAIN_OUTCOMES: Readonly<Record<string, string>> = { delivered: 'zugestellt', failed: 'fehlgeschlagen' };

function samplingLabel(phase: unknown): string {
  return phase === 'finding' ? 'Nachprobe' : 'Probenahme';
}

function people(list: readonly string[]): string {
  if (list.length === 0) return 'die Zuständigen';
  if (list.length <= 3) return list.join(', ');
  return `${list.slice(0, 3).join(', ')} und ${list.length - 3} weitere`;
}

function actorName(actor: unknown): string {
  const record = asRecord(actor);
  const name = str(record.name);
  return name && name !== 'system' ? name : 'Klarmeter (automatisch)';
}

function unitText(ctx: NarrativeContext, unitId: unknown): string {
  const id = num(unitId);
  if (id === null) return '';
  return ctx.unitLabel(id) ?? `Einheit ${id}`;
}

function durationSeconds(value: unknown): number | null {
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(value) : null;
  return match ? Number(match[1]) : null;
}

// ---- activities: what the workflow did ----

type ActivityPhrase = (input: Json, result: unknown, ctx: NarrativeContext) => Phrase;

const ACTIVITY_PHRASES: Readonly<Record<string, ActivityPhrase>> = {
  recordDeviceDeadline: (input) => ({
    text: `${deadlineLabel(input.kind)} ${formatDate(str(input.dueAt))} gesetzt, Ampel ${LIGHT_LABELS[input.light as Light] ?? '–'}`,
  }),
  sendDeviceReminder: (input, _result, ctx) => ({
    text: `Erinnerung ${formatNumber(num(input.daysBefore))} Tage vor ${deadlineLabel(input.kind)} (${formatDate(str(input.dueAt))}) an ${people(ctx.recipients(String(input.dedupeKey)))} gesendet`,
  }),
  escalateDevice: (input, _result, ctx) => ({
    text: `${deadlineLabel(input.kind)} ${formatDate(str(input.dueAt))} abgelaufen: eskaliert an ${people(ctx.recipients(String(input.dedupeKey)))}`,
    tone: 'warning',
  }),
  linkDeviceReplacement: (input, result, ctx) => {
    const successor = num(input.successorId);
    const workflow = str(asRecord(result).successorWorkflowId);
    return {
      text:
        successor === null
          ? 'Ausbau ohne Nachfolger vermerkt'
          : `Nachfolgegerät ${ctx.deviceLabel(successor) ?? successor} verknüpft${workflow ? `, seine Fristüberwachung ${workflow} gestartet` : ''}`,
      detail: 'minor',
    };
  },
  recordStatementStep: (input, result) => {
    const step = input.step as ProofStep;
    const seq = num(asRecord(result).seq);
    return {
      text: `Nachweis ${PROOF_STEP_LABELS[step] ?? step}${seq === null ? '' : ` (Nr. ${seq})`} – ${actorName(input.actor)}`,
      tone: step === 'final' ? 'done' : 'info',
    };
  },
  renderStatementDocuments: (_input, result) => {
    const documents = asRecord(result).documents;
    return { text: `Abrechnungs-PDFs erzeugt und verschlüsselt gespeichert${Array.isArray(documents) ? ` (${documents.length})` : ''}` };
  },
  sendDeliveryNotice: () => ({ text: 'Mieter über die Zustellung im Portal benachrichtigt', detail: 'minor' }),
  closeRecipientWorkflows: (_input, result) => ({
    text: `Workflows der ${formatNumber(num(asRecord(result).closed))} Empfänger mit der Version beendet`,
    detail: 'minor',
  }),
  registerRecipientWorkflows: (input) => {
    const ids = input.occupancyIds;
    return { text: `Eigene Workflows für ${Array.isArray(ids) ? formatNumber(ids.length) : 'die'} Empfänger gestartet`, detail: 'minor' };
  },
  alertStatementDeadline: (input, _result, ctx) => {
    const to = people(ctx.recipients(String(input.dedupeKey)));
    return input.kind === 'escalation'
      ? { text: `Zustellfrist ${formatDate(str(input.dueOn))} (§ 556 Abs. 3 BGB) verpasst: eskaliert an ${to}`, tone: 'warning' }
      : {
          text: `Erinnerung ${formatNumber(num(input.daysBefore))} Tage vor der Zustellfrist ${formatDate(str(input.dueOn))} an ${to} gesendet`,
        };
  },
  recordObjection: (input, result, ctx) => ({
    text: `Einspruch erfasst (${unitText(ctx, input.unitId)}${num(asRecord(result).objectionId) === null ? '' : `, Nr. ${String(asRecord(result).objectionId)}`})`,
    detail: 'minor',
  }),
  recordTicketEvent: (input) => {
    const kind = input.kind as TicketEventKind;
    const breach = kind === 'sla_breached' || kind === 'sla_warning';
    const who = asRecord(input.actor).role === 'system' ? '' : ` – ${actorName(input.actor)}`;
    return {
      text: `${TICKET_EVENT_LABELS[kind] ?? String(kind)}${who}`,
      tone: kind === 'sla_breached' ? 'warning' : breach ? 'info' : 'info',
    };
  },
  notifyTicketEvent: () => ({ text: 'Beteiligte benachrichtigt', detail: 'minor' }),
  recordAppointmentEvent: (input) => {
    const kind = input.kind as AppointmentEventKind;
    const who = asRecord(input.actor).role === 'system' ? '' : ` – ${actorName(input.actor)}`;
    return { text: `${APPOINTMENT_EVENT_LABELS[kind] ?? String(kind)}${who}`, tone: kind === 'confirmation_overdue' ? 'warning' : 'info' };
  },
  notifyAppointmentEvent: () => ({ text: 'Beteiligte benachrichtigt', detail: 'minor' }),
  startMonthlyRun: (_input, result) => {
    const properties = asRecord(result).properties;
    return { text: `Monatlicher Lauf geplant${Array.isArray(properties) ? `: ${properties.length} Liegenschaften` : ''}` };
  },
  prepareMonthlyProperty: (_input, result) => {
    const units = asRecord(result).unitIds;
    return { text: `Vergleichsgruppen vorbereitet${Array.isArray(units) ? ` für ${units.length} Einheiten` : ''}`, detail: 'minor' };
  },
  processMonthlyBatch: (_input, result) => {
    const totals = asRecord(result);
    return {
      text:
        `${formatNumber(num(totals.units))} Einheiten verarbeitet: ${formatNumber(num(totals.portal))} im Portal bereitgestellt, ` +
        `${formatNumber(num(totals.noAccount))} ohne Portalzugang, ${formatNumber(num(totals.vacant))} Leerstand, ` +
        `${formatNumber(num(totals.estimated))} mit Ersatzwert`,
    };
  },
  reportDeviceFault: (input, result) => {
    const ticketId = num(asRecord(result).ticketId);
    return {
      text:
        `Störung „${str(input.status) ?? '?'}“ per Funk gemeldet: ` +
        (ticketId === null ? 'kein Vorgang angelegt (keine Verwaltung)' : `Vorgang Nr. ${ticketId} für die Technik angelegt`),
      tone: 'warning',
    };
  },
  // Archive retention (workflows/archive-retention.ts)
  retentionHeld: (_input, result) =>
    result === true
      ? { text: 'Aufbewahrungssperre (Legal Hold) besteht: die Frist ist angehalten', tone: 'warning' }
      : { text: 'Keine Aufbewahrungssperre', detail: 'minor' },
  announceRetentionEnd: (input) => ({
    text: `Aufbewahrungsfrist bis ${formatDate(str(input.retentionUntil))} abgelaufen: Verwaltung um Freigabe der Löschung gebeten`,
  }),
  deleteArchiveVersion: (input, result) => {
    const outcome = asRecord(result);
    return outcome.deleted === true
      ? {
          text: `Nachweis gelöscht am ${formatDateTime(str(outcome.deletedAt))}, freigegeben von Benutzer Nr. ${String(num(input.approvedBy) ?? '?')}; der Löschvermerk bleibt`,
          tone: 'done',
        }
      : { text: 'Löschung verweigert: eine Aufbewahrungssperre (Legal Hold) greift', tone: 'warning' };
  },
  // Cost-data deadline (workflows/cost-deadline.ts)
  findCostDataStatement: (_input, result) =>
    num(result) === null
      ? { text: 'Noch keine Abrechnung für den Zeitraum gespeichert', detail: 'minor' }
      : { text: `Abrechnung Nr. ${String(num(result))} für den Zeitraum war schon gespeichert`, tone: 'done' },
  sendCostDeadlineReminder: (input, _result, ctx) => ({
    text: `Erinnerung ${formatNumber(num(input.daysBefore))} Tage vor der Kostenfrist (${formatDate(str(input.dueAt))}) an ${people(ctx.recipients(String(input.dedupeKey)))} gesendet`,
  }),
  escalateCostDeadline: (input, _result, ctx) => ({
    text: `Kostenfrist ${formatDate(str(input.dueAt))} verpasst: eskaliert an ${people(ctx.recipients(String(input.dedupeKey)))}`,
    tone: 'warning',
  }),
  // Device exchange with the tenant (workflows/device-exchange.ts)
  offerDeviceExchange: (input) => ({
    text: `Frist ${formatDate(str(input.dueAt))} im Vorlauf: Terminangebot zum Gerätetausch an die Mietpartei gestartet`,
  }),
  openDeviceExchange: (_input, result) => {
    const opened = (result ?? {}) as Json;
    const channel = str(opened.channel);
    if (channel === 'portal')
      return { text: `Mietpartei im Portal Termine der Technik angeboten (Terminanfrage Nr. ${String(num(opened.appointmentId) ?? '?')})` };
    if (channel === 'letter') return { text: 'Mietpartei ohne Portalzugang: Brief mit den Terminen erstellt und unter Nachweise abgelegt' };
    return { text: 'Keine Mietpartei erfasst: Verwaltung soll den Termin selbst vereinbaren', tone: 'warning' };
  },
  deviceExchangeAnswered: (_input, result) =>
    result === true
      ? { text: 'Mietpartei hat auf das Terminangebot geantwortet', tone: 'done' }
      : { text: 'Noch keine Antwort der Mietpartei' },
  remindDeviceExchange: (input, _result, ctx) => ({
    text: `Mietpartei an das Terminangebot erinnert (${people(ctx.recipients(String(input.dedupeKey)))})`,
  }),
  escalateDeviceExchange: (input, _result, ctx) => ({
    text: `Keine Antwort der Mietpartei in 14 Tagen: eskaliert an ${people(ctx.recipients(String(input.dedupeKey)))}`,
    tone: 'warning',
  }),
  withdrawDeviceExchange: (input, result) => ({
    text:
      asRecord(result).appointmentCancelled === true
        ? `Gerätetausch nicht mehr nötig: Terminanfrage Nr. ${String(num(input.appointmentId) ?? '?')} abgesagt, die Mietpartei ist informiert`
        : `Gerätetausch nicht mehr nötig: Verwaltung informiert`,
    tone: 'done',
  }),
  // Legionella sampling (workflows/legionella-sampling.ts)
  recordLegionellaRound: (input) => ({
    text: `${samplingLabel(input.phase)} fällig bis ${formatDate(str(input.dueAt))}`,
  }),
  sendLegionellaReminder: (input, _result, ctx) => ({
    text: `Erinnerung ${formatNumber(num(input.daysBefore))} Tage vor der ${samplingLabel(input.phase)} (${formatDate(str(input.dueAt))}) an ${people(ctx.recipients(String(input.dedupeKey)))} gesendet`,
  }),
  escalateLegionella: (input, _result, ctx) => ({
    text: `Frist der ${samplingLabel(input.phase)} ${formatDate(str(input.dueAt))} verpasst: eskaliert an ${people(ctx.recipients(String(input.dedupeKey)))}`,
    tone: 'warning',
  }),
  informLegionellaFinding: (input) => ({
    text: `Mieter über den Befund informiert (Laborergebnis Nr. ${String(num(input.resultId) ?? '?')})`,
    tone: 'warning',
  }),
  // Webhook delivery (no obligation, but its history reads the same way)
  attemptWebhookDelivery: () => ({ text: 'Webhook an den Empfänger zugestellt', tone: 'done' }),
  failWebhookDelivery: () => ({ text: 'Zustellung nach dem letzten Versuch aufgegeben und als fehlgeschlagen vermerkt', tone: 'error' }),
  finishMonthlyRun: (input) => ({
    text: `Monatlicher Lauf abgeschlossen (${String(input.status)})`,
    tone: input.status === 'failed' ? 'error' : 'done',
  }),
};

// ---- signals: what the workflow was told ----

type SignalPhrase = (input: Json, actor: string | null, ctx: NarrativeContext) => Phrase;

const SIGNAL_PHRASES: Readonly<Record<string, SignalPhrase>> = {
  startOverdueTracking: () => ({ text: 'Überfälligkeit wird ab jetzt im Suchindex geführt (nach einem Update)', detail: 'minor' }),
  deviceReplaced: (input, actor, ctx) => {
    const successor = num(input.successorId);
    return {
      text:
        `Gerät ${successor === null ? 'ausgebaut' : 'getauscht'}${actor ? ` durch ${actor}` : ''} am ${formatDate(str(input.replacedAt))}` +
        (successor === null ? '' : ` (neu: ${ctx.deviceLabel(successor) ?? `Gerät ${successor}`})`),
      tone: 'done',
    };
  },
  deviceRecalibrated: (input, actor) => {
    const what = [
      num(input.calibratedYear) === null ? null : `Eichjahr ${String(input.calibratedYear)}`,
      str(input.lastInspectionAt) ? `Wartung am ${formatDate(str(input.lastInspectionAt))}` : null,
      str(input.installedAt) ? `Einbau ${formatDate(str(input.installedAt))}` : null,
    ].filter(Boolean);
    return { text: `Nacheichung/Wartung erfasst${actor ? ` durch ${actor}` : ''}: ${what.join(', ') || 'neue Angaben'}`, tone: 'done' };
  },
  deviceHealth: (input) => {
    const parts = [
      num(input.batteryPercent) === null ? null : `Batterie ${String(input.batteryPercent)} %`,
      str(input.lastReadingAt) ? `letzte Ablesung ${formatDate(str(input.lastReadingAt))}` : null,
    ].filter(Boolean);
    return { text: `Funkmeldung: ${parts.join(', ') || 'ohne neue Angaben'}`, detail: 'minor' };
  },
  statementOpened: (input, _actor, ctx) => ({
    text: `Abrechnung ${input.via === 'download' ? 'heruntergeladen' : 'angesehen'} von ${actorName(input.actor)} (${unitText(ctx, input.unitId)})`,
  }),
  holdsChanged: () => ({ text: 'Aufbewahrungssperren geändert: wird neu geprüft' }),
  deviceExchangeWithdrawn: (input) => ({
    text: `Frist auf den ${formatDate(str(input.dueAt))} verschoben: Terminangebot zum Gerätetausch nicht mehr nötig`,
    tone: 'done',
  }),
  deviceExchangeLeadTime: (input, actor) => ({
    text: `Vorlauf für den Gerätetausch auf ${formatNumber(num(input.leadDays))} Tage geändert${actor ? ` von ${actor}` : ''}: Angebot neu geplant`,
  }),
  deviceExchanged: (input) => ({
    text: `Gerätetausch am ${formatDate(str(input.replacedAt))} erfasst: Terminangebot erledigt`,
    tone: 'done',
  }),
  costDataEntered: (input) => ({
    text: `Kosten erfasst: Abrechnung Nr. ${String(num(input.statementId) ?? '?')} gespeichert`,
    tone: 'done',
  }),
  labResultRecorded: (input) => {
    const cfu = num(input.cfuPer100ml);
    const finding = cfu !== null && isFinding(cfu);
    return {
      text:
        `Laborergebnis der Probe vom ${formatDate(str(input.sampledAt))}: ${formatNumber(cfu)} KBE/100 ml` +
        (finding ? ', technischer Maßnahmewert überschritten' : ', unauffällig'),
      tone: finding ? 'warning' : 'done',
    };
  },
  statementSuperseded: (input) => ({
    text: `Durch Version ${String(input.byVersion)} ersetzt (Korrektur) – ${actorName(input.actor)}`,
    tone: 'warning',
  }),
};

// ---- updates: what someone asked of the workflow, and its answer ----

function objectionReceived(input: Json, ctx: NarrativeContext): string {
  const positions = Array.isArray(input.positions) ? ` zu ${(input.positions as unknown[]).map(String).join(', ')}` : '';
  return `Einspruch eingegangen von ${actorName(input.actor)} (${unitText(ctx, input.unitId)})${positions}`;
}

type UpdatePhrase = (input: Json, result: unknown, at: string, ctx: NarrativeContext) => Phrase;

const UPDATE_PHRASES: Readonly<Record<string, UpdatePhrase>> = {
  approveStatement: (input) => ({ text: `Freigegeben durch ${actorName(input.actor)}`, tone: 'done' }),
  deliverStatement: (input) => ({
    text:
      input.channel === 'post'
        ? `Zustellung per Post erfasst durch ${actorName(input.actor)}: versandt ${formatDate(str(input.dispatchedOn))}` +
          (str(input.receivedOn) ? `, Zugang ${formatDate(str(input.receivedOn))}` : '')
        : `Im Portal zugestellt durch ${actorName(input.actor)}`,
    tone: 'done',
  }),
  correctReceipt: (input) => ({ text: `Zugangsdatum berichtigt auf ${formatDate(str(input.receivedOn))} durch ${actorName(input.actor)}` }),
  fileObjection: (input, result, at, ctx) => {
    const deadline = str(asRecord(asRecord(result).status).objectionDeadline);
    const inTime = deadline === null ? null : berlinDateOf(Date.parse(at)) <= deadline;
    return {
      text:
        objectionReceived(input, ctx) +
        (deadline === null
          ? ''
          : inTime
            ? `, Frist ${formatDate(deadline)} eingehalten`
            : `, nach Ablauf der Frist ${formatDate(deadline)}`),
      tone: inTime === false ? 'warning' : 'info',
    };
  },
  // The tenant's own workflow takes an objection only within the tenant's window.
  fileRecipientObjection: (input, _result, _at, ctx) => ({ text: `${objectionReceived(input, ctx)}, innerhalb der Einspruchsfrist` }),
  correctRecipientReceipt: (input) => ({
    text: `Zugangsdatum berichtigt auf ${formatDate(str(input.receivedOn))} durch ${actorName(input.actor)}: ${str(input.reason) ?? ''}`,
  }),
  assign: (input) => ({ text: `Zugewiesen an ${str(input.assigneeName) ?? 'jemanden'} durch ${actorName(input.actor)}`, detail: 'minor' }),
  reply: (input) => ({ text: `Antwort von ${actorName(input.actor)}`, detail: 'minor' }),
  askTenant: (input) => ({ text: `Rückfrage an den Mieter von ${actorName(input.actor)}`, detail: 'minor' }),
  resolve: (input) => ({ text: `Als gelöst markiert von ${actorName(input.actor)}`, detail: 'minor' }),
  reopen: (input) => ({ text: `Wieder geöffnet von ${actorName(input.actor)}`, detail: 'minor' }),
  close: (input) => ({ text: `Geschlossen von ${actorName(input.actor)}`, detail: 'minor' }),
  recategorise: (input) => ({ text: `Kategorie/Priorität geändert von ${actorName(input.actor)}`, detail: 'minor' }),
  chooseSlot: (input) => ({
    text: `Terminvorschlag Nr. ${String(num(input.position) ?? '?')} gewählt von ${actorName(input.actor)}`,
    detail: 'minor',
  }),
  proposeSlots: (input) => ({ text: `Andere Termine vorgeschlagen von ${actorName(input.actor)}`, detail: 'minor' }),
  cancel: (input) => ({ text: `Absage von ${actorName(input.actor)}`, detail: 'minor' }),
  approveDeletion: (input) => ({ text: `Löschung freigegeben von Benutzer Nr. ${String(num(input.userId) ?? '?')}` }),
  recordOutcome: (input) => ({
    text: `Ergebnis erfasst von ${actorName(input.actor)}: ${input.outcome === 'done' ? 'erledigt' : 'nicht angetroffen'}`,
    detail: 'minor',
  }),
};

// ---- the start: what the obligation is about ----

type StartPhrase = (input: Json, ctx: NarrativeContext) => string;

const START_PHRASES: Readonly<Record<string, StartPhrase>> = {
  deviceDeadline: (input, ctx) => {
    const device = num(input.deviceId);
    const facts = asRecord(input.facts);
    const label = device === null ? 'Gerät' : (ctx.deviceLabel(device) ?? `Gerät ${device}`);
    const installed = str(facts.installedAt);
    return `Fristüberwachung für ${label} begonnen${installed ? ` (eingebaut am ${formatDate(installed)})` : ''}`;
  },
  statementLifecycle: (input) =>
    `Heizkostenabrechnung Version ${String(input.version)} für ${formatDate(str(input.periodStart))}–${formatDate(str(input.periodEnd))} angelegt` +
    ` – ${actorName(input.createdBy)}`,
  statementRecipient: (input, ctx) => {
    const recipient = asRecord(input.recipient);
    const late = recipient.deadlineMissed === true ? '; Zugang nach der Frist des § 556 Abs. 3 BGB' : '';
    return (
      `Heizkostenabrechnung Version ${String(input.version)} zugestellt (${unitText(ctx, recipient.unitId)}), ` +
      `Zugang ${formatDate(str(recipient.receivedOn))}, Einspruchsfrist bis ${formatDate(str(recipient.objectionDeadline))}${late}`
    );
  },
  ticketWorkflow: (input) =>
    `Vorgang eröffnet (${TICKET_CATEGORY_LABELS[input.category as TicketCategory] ?? String(input.category)}, ` +
    `Priorität ${TICKET_PRIORITY_LABELS[input.priority as TicketPriority] ?? String(input.priority)})`,
  appointmentWorkflow: (input, ctx) => `Terminwunsch eingegangen (${unitText(ctx, input.unitId)})`,
  monthlyPropertyInformation: (input) => `Monatsinformation ${String(input.month)} für die Liegenschaft begonnen`,
  archiveRetention: (input) =>
    `Aufbewahrung von Nachweis Nr. ${String(num(input.documentId) ?? '?')} (Fassung ${String(num(input.versionId) ?? '?')}) bis ${formatDate(str(input.retentionUntil))} überwacht`,
  costDataDeadline: (input) =>
    `Kostenfrist ${formatDate(str(input.dueAt))} für den Abrechnungszeitraum ${formatDate(str(input.periodStart))}–${formatDate(str(input.periodEnd))} gesetzt`,
  deviceExchange: (input) => `Gerätetausch mit der Mietpartei zur Frist ${formatDate(str(input.dueAt))} begonnen`,
  legionellaSampling: (input) =>
    `Legionellen-Überwachung (TrinkwV § 31) begonnen${input.phase === 'finding' ? ', Nachprobe nach Befund offen' : ''}`,
  webhookDelivery: (input) => `Webhook-Zustellung Nr. ${String(num(input.deliveryId) ?? '?')} begonnen`,
  monthlyInformationRun: (input) => `Monatlicher Lauf ${str(input.month) ?? ''} begonnen`,
};

// ---- the search index ----

function searchAttributeText(fields: Json, workflowType: string, obligation: string | null): string {
  const kind = kindOf(str(fields[SEARCH_KEYS.obligation]) ?? obligation, workflowType);
  const parts: string[] = [];
  const state = str(fields[SEARCH_KEYS.state]);
  if (state) parts.push(`Status ${stateLabel(kind, state, '')}`);
  if (SEARCH_KEYS.dueAt in fields) {
    const due = str(fields[SEARCH_KEYS.dueAt]);
    parts.push(due ? `Frist ${formatDueAt(due)}` : 'keine Frist');
  }
  const light = str(fields[SEARCH_KEYS.light]);
  if (light) parts.push(`Ampel ${LIGHT_LABELS[light as Light] ?? light}`);
  if (fields[SEARCH_KEYS.late] === true) parts.push('Frist verpasst');
  if (fields[SEARCH_KEYS.overdue] === true) parts.push('überfällig');
  return parts.join(' · ');
}

function failureMessage(failure: unknown): string {
  const record = asRecord(failure);
  const cause = asRecord(record.cause);
  return str(cause.message) ?? str(record.message) ?? 'unbekannter Fehler';
}

/** The timeline of one run's events (in order); `workflowType` names the phrases' context. */
export function narrate(events: readonly HistoryEvent[], ctx: NarrativeContext = EMPTY_CONTEXT): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const activities = new Map<number, { type: string; input: Json; eventId: number; attempt: number }>();
  const updates = new Map<string, { name: string; input: Json; eventIds: number[]; at: string }>();
  const children = new Map<number, string>();
  let workflowType = '';
  let obligation: string | null = null;

  const push = (event: HistoryEvent, phrase: Phrase, eventIds: number[] = [event.id]) =>
    entries.push({ at: event.time, text: phrase.text, tone: phrase.tone ?? 'info', detail: phrase.detail ?? 'main', eventIds });

  for (const event of events) {
    const a = event.attributes;
    switch (event.type) {
      case 'WorkflowExecutionStarted': {
        workflowType = str(asRecord(a.workflowType).name) ?? '';
        const fields = asRecord(asRecord(a.searchAttributes).indexedFields);
        obligation = str(fields[SEARCH_KEYS.obligation]);
        const kind = kindOf(obligation, workflowType);
        const continued = str(a.continuedExecutionRunId);
        const parent = str(asRecord(a.parentWorkflowExecution).workflowId);
        const input = Array.isArray(a.input) ? asRecord(a.input[0]) : {};
        const begun = START_PHRASES[workflowType]?.(input, ctx) ?? `${kind?.label ?? workflowType} begonnen`;
        push(event, {
          text: continued
            ? `Fortsetzung des vorigen Laufs (${kind?.label ?? workflowType})`
            : `${begun}${parent ? ` (gestartet von ${parent})` : ''}`,
          detail: continued ? 'minor' : 'main',
        });
        break;
      }
      case 'ActivityTaskScheduled': {
        const input = Array.isArray(a.input) ? asRecord(a.input[0]) : {};
        activities.set(event.id, { type: str(asRecord(a.activityType).name) ?? '?', input, eventId: event.id, attempt: 1 });
        break;
      }
      case 'ActivityTaskStarted': {
        const activity = activities.get(Number(a.scheduledEventId));
        if (activity) activity.attempt = num(a.attempt) ?? activity.attempt;
        break;
      }
      case 'ActivityTaskCompleted': {
        const activity = activities.get(Number(a.scheduledEventId));
        if (!activity) break;
        const result = Array.isArray(a.result) ? a.result[0] : null;
        const phrase = ACTIVITY_PHRASES[activity.type]?.(activity.input, result, ctx) ?? { text: `Schritt „${activity.type}“ ausgeführt` };
        const retried = activity.attempt > 1 ? ` (im ${activity.attempt}. Versuch)` : '';
        push(event, { ...phrase, text: phrase.text + retried }, [activity.eventId, event.id]);
        activities.delete(activity.eventId);
        break;
      }
      case 'ActivityTaskFailed':
      case 'ActivityTaskTimedOut':
      case 'ActivityTaskCanceled': {
        const activity = activities.get(Number(a.scheduledEventId));
        if (!activity) break;
        const what =
          event.type === 'ActivityTaskFailed'
            ? `fehlgeschlagen: ${failureMessage(a.failure)}`
            : event.type === 'ActivityTaskTimedOut'
              ? 'Zeit überschritten'
              : 'abgebrochen';
        push(event, { text: `Schritt „${activity.type}“ ${what} (nach ${activity.attempt} Versuchen)`, tone: 'error' }, [
          activity.eventId,
          event.id,
        ]);
        activities.delete(activity.eventId);
        break;
      }
      case 'TimerStarted': {
        const seconds = durationSeconds(a.startToFireTimeout);
        const until = seconds === null ? null : new Date(Date.parse(event.time) + seconds * 1000).toISOString();
        push(event, { text: until ? `Wartet bis ${formatDateTime(until)}` : 'Wartet', detail: 'minor' });
        break;
      }
      case 'TimerFired':
        push(event, { text: 'Zeitpunkt erreicht', detail: 'minor' });
        break;
      case 'WorkflowExecutionSignaled': {
        const name = str(a.signalName) ?? '?';
        const input = Array.isArray(a.input) ? asRecord(a.input[0]) : {};
        const phrase = SIGNAL_PHRASES[name]?.(input, ctx.actorOfSignal(name, event.time), ctx) ?? { text: `Nachricht „${name}“ erhalten` };
        push(event, phrase);
        break;
      }
      case 'WorkflowExecutionUpdateAccepted': {
        const request = asRecord(a.acceptedRequest);
        const input = asRecord(request.input);
        const id = str(a.protocolInstanceId) ?? str(asRecord(request.meta).updateId) ?? String(event.id);
        const args = Array.isArray(input.args) ? asRecord(input.args[0]) : {};
        updates.set(id, { name: str(input.name) ?? '?', input: args, eventIds: [event.id], at: event.time });
        break;
      }
      case 'WorkflowExecutionUpdateCompleted': {
        const id = str(asRecord(a.meta).updateId) ?? '';
        const update = updates.get(id);
        if (!update) break;
        const outcome = asRecord(a.outcome);
        if (outcome.failure) {
          push(event, { text: `Anfrage „${update.name}“ abgelehnt: ${failureMessage(outcome.failure)}`, tone: 'warning' }, [
            ...update.eventIds,
            event.id,
          ]);
        } else {
          const result = Array.isArray(outcome.success) ? outcome.success[0] : null;
          const phrase = UPDATE_PHRASES[update.name]?.(update.input, result, update.at, ctx) ?? {
            text: `Anfrage „${update.name}“ ausgeführt`,
          };
          entries.push({
            at: update.at,
            text: phrase.text,
            tone: phrase.tone ?? 'info',
            detail: phrase.detail ?? 'main',
            eventIds: [...update.eventIds, event.id],
          });
        }
        updates.delete(id);
        break;
      }
      case 'UpsertWorkflowSearchAttributes': {
        const fields = asRecord(asRecord(a.searchAttributes).indexedFields);
        obligation = str(fields[SEARCH_KEYS.obligation]) ?? obligation;
        const text = searchAttributeText(fields, workflowType, obligation);
        if (text)
          push(event, {
            text: `Suchindex: ${text}`,
            detail: 'minor',
            tone: fields[SEARCH_KEYS.late] === true || fields[SEARCH_KEYS.overdue] === true ? 'warning' : 'info',
          });
        break;
      }
      case 'StartChildWorkflowExecutionInitiated':
        children.set(event.id, str(a.workflowId) ?? '?');
        push(event, { text: `Teil-Workflow ${str(a.workflowId) ?? ''} gestartet`, detail: 'minor' });
        break;
      case 'ChildWorkflowExecutionCompleted':
      case 'ChildWorkflowExecutionFailed':
      case 'ChildWorkflowExecutionTerminated':
      case 'ChildWorkflowExecutionCanceled':
      case 'ChildWorkflowExecutionTimedOut': {
        const child = str(asRecord(a.workflowExecution).workflowId) ?? children.get(Number(a.initiatedEventId)) ?? '?';
        const ok = event.type === 'ChildWorkflowExecutionCompleted';
        push(event, {
          text: `Teil-Workflow ${child} ${ok ? 'abgeschlossen' : 'nicht abgeschlossen'}`,
          tone: ok ? 'info' : 'error',
          detail: ok ? 'minor' : 'main',
        });
        break;
      }
      case 'WorkflowExecutionContinuedAsNew':
        push(event, { text: 'Als neuer Lauf fortgesetzt (der Verlauf wird in Läufe geteilt, damit er klein bleibt)', detail: 'minor' });
        break;
      case 'WorkflowExecutionCompleted': {
        const raw: unknown = Array.isArray(a.result) ? a.result[0] : null;
        const state = str(asRecord(raw).state);
        const kind = kindOf(obligation, workflowType);
        if (!kind) {
          // No obligation (a webhook delivery): its result is a plain word.
          const outcome = str(raw);
          push(event, {
            text: `Workflow beendet${outcome ? `: ${PLAIN_OUTCOMES[outcome] ?? outcome}` : ''}`,
            tone: outcome === 'failed' ? 'error' : 'done',
          });
          break;
        }
        push(event, { text: `Pflicht abgeschlossen${state ? `: ${stateLabel(kind, state, 'Completed')}` : ''}`, tone: 'done' });
        break;
      }
      case 'WorkflowExecutionFailed':
        push(event, { text: `Workflow fehlgeschlagen: ${failureMessage(a.failure)}`, tone: 'error' });
        break;
      case 'WorkflowExecutionTerminated':
        push(event, {
          text: `Von außen beendet${str(a.reason) ? `: ${str(a.reason)}` : ''}${str(a.identity) ? ` (${str(a.identity)})` : ''}`,
          tone: 'error',
        });
        break;
      case 'WorkflowExecutionCanceled':
        push(event, { text: 'Abgebrochen', tone: 'error' });
        break;
      case 'WorkflowExecutionTimedOut':
        push(event, { text: 'Zeitlimit des Workflows überschritten', tone: 'error' });
        break;
      case 'WorkflowTaskFailed':
        push(event, {
          text: `Verarbeitung fehlgeschlagen, wird wiederholt: ${failureMessage(a.failure)}`,
          tone: 'error',
          detail: 'technical',
        });
        break;
      case 'MarkerRecorded':
        push(event, { text: `Codeversion markiert (${str(a.markerName) ?? 'Marker'})`, detail: 'technical' });
        break;
      default:
        push(event, { text: event.type, detail: 'technical' });
    }
  }
  // Still outstanding at the end of the history: shown, so that nothing the workflow started is silent.
  for (const activity of activities.values()) {
    const event = events.find((e) => e.id === activity.eventId)!;
    push(event, { text: `Schritt „${activity.type}“ läuft (Versuch ${activity.attempt})`, detail: 'minor' }, [activity.eventId]);
  }
  return entries.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : (x.eventIds[0] ?? 0) - (y.eventIds[0] ?? 0)));
}
