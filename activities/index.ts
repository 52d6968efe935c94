// The worker's activities: the services' workflow side effects (server/*-obligation.ts) adapted to
// Temporal. The adapter is the only place that knows Temporal here: a GoneError (the row was
// deleted) becomes a non-retryable failure of its type, and the device's successor starts on the
// calling worker's task queue.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from '../db';
import { GoneError } from '../server/errors';
import type { Mailer } from '../server/mail';
import type { PdfRenderer } from '../server/pdf';
import { createDeviceObligation } from '../server/device-obligation';
import { createDeviceFaultObligation } from '../server/device-faults';
import { createTicketObligation } from '../server/ticket-obligation';
import { createWebhookObligation } from '../server/webhook-obligation';
import { emitWebhookEvent } from '../server/webhooks';
import { QueryTypes } from 'sequelize';
import { createAppointmentObligation } from '../server/appointment-obligation';
import { createMonthlyObligation } from '../server/monthly-obligation';
import { emitMonthlyDelivered } from '../server/monthly-webhooks';
import { createStatementObligation } from '../server/statement-obligation';
import { createLateObjectionObligation } from '../server/late-objection-obligation';
import type { LateObjectionInput } from '../domain/contracts/late-objection';
import { createArchiveObligation } from '../server/archive-obligation';
import { createLegionellaObligation } from '../server/legionella-obligation';
import { createCostDeadlineObligation } from '../server/cost-deadline-obligation';
import { createDeviceExchangeObligation, type OpenExchangeInput } from '../server/device-exchange-obligation';
import type { DeviceExchangeEnd, DeviceExchangeOffer, WithdrawExchangeInput } from '../domain/contracts/device-exchange';
import { createMailDigestObligation } from '../server/mail-digest';
import { createProofVerificationObligation } from '../server/proof-verification-run';
import type { DeviceReplacementInput, RecordDeadlineInput } from '../server/device-obligation';
import type { ObjectionInput, ProofStepInput } from '../server/statement-obligation';
import type { Progress, ProgressSource } from '../server/progress';
import type { WebhookDeliveryInput } from '../domain/contracts/webhook';
import { ticketDedupeKey, type TicketEventRecord } from '../domain/contracts/ticket';
import type { DeviceFaultReport } from '../domain/contracts/device';
import type { MonthlyBatchInput } from '../domain/contracts/monthly';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  /** Base URL for links in e-mails (PUBLIC_URL); without it e-mails carry the bare path. */
  publicUrl?: string;
  /**
   * The worker's PDF renderer, shared by all activities: lazy (Chromium starts on the first render)
   * and closed by whoever created it when the worker shuts down. Without it, an activity that
   * renders launches Chromium for that call only.
   */
  pdfRenderer?: PdfRenderer;
  /** Recipients a statement's delivery records per transaction (default RECIPIENT_BATCH_SIZE). */
  recipientBatchSize?: number;
}

/** While a step of unknown length runs, the last details are repeated this often (well inside every heartbeat timeout). */
const KEEP_ALIVE_MS = 3_000;

/** Progress as activity heartbeats; the previous attempt's last heartbeat is what a retry resumes from. */
const heartbeats: ProgressSource = <D>(): Progress<D> => {
  const context = Context.current();
  const resumed = context.info.heartbeatDetails as D | undefined;
  let last: D | undefined = resumed;
  return {
    resumed,
    report(details) {
      last = details;
      context.heartbeat(details);
    },
    async keepAlive(step) {
      const timer = setInterval(() => context.heartbeat(last), KEEP_ALIVE_MS);
      try {
        return await step();
      } finally {
        clearInterval(timer);
      }
    },
  };
};

type AsyncFunctions = Record<string, (...args: never[]) => Promise<unknown>>;

function failingFast<T extends AsyncFunctions>(service: T): T {
  const adapted: Record<string, unknown> = {};
  for (const [name, run] of Object.entries(service)) {
    adapted[name] = async (...args: never[]) => {
      try {
        return await run(...args);
      } catch (error) {
        if (error instanceof GoneError) throw ApplicationFailure.nonRetryable(error.message, error.type);
        throw error;
      }
    };
  }
  return adapted as T;
}

async function statementOrganisation(db: Db, statementId: number): Promise<number | null> {
  const [row] = await db.sequelize.query<{ organisationId: number }>(
    'SELECT p.organisation_id AS "organisationId" FROM statements s JOIN properties p ON p.id = s.property_id WHERE s.id = $1',
    { bind: [statementId], type: QueryTypes.SELECT },
  );
  return row?.organisationId ?? null;
}

/** What a receiver may learn of a delivery or opening: channels and counts, the unit; never a person's name. */
function statementEventDetails(input: ProofStepInput): Record<string, unknown> {
  const details = input.details ?? {};
  const keep = input.step === 'delivered' ? ['channel', 'dispatchedOn', 'receivedOn', 'recipients', 'portal', 'post'] : ['unitId', 'via'];
  return Object.fromEntries(keep.filter((k) => details[k] !== undefined).map((k) => [k, details[k]]));
}

export function createActivities(deps: ActivityDeps) {
  const devices = createDeviceObligation(deps);
  const faults = createDeviceFaultObligation(deps);
  const webhooks = createWebhookObligation(deps);
  const tickets = createTicketObligation(deps);
  const statements = createStatementObligation({ ...deps, progress: heartbeats });
  const monthly = createMonthlyObligation({ ...deps, progress: heartbeats });
  const exchanges = createDeviceExchangeObligation(deps);
  const lateObjections = createLateObjectionObligation(deps);
  // Workflows started by an activity run on the calling worker's client and task queue.
  const here = () => ({ client: Context.current().client, taskQueue: Context.current().info.taskQueue });
  // The obligations' activities; the ones below them add a webhook event or the worker's client.
  return failingFast({
    ...devices,
    ...tickets,
    ...createAppointmentObligation(deps),
    ...monthly,
    ...statements,
    ...createArchiveObligation(deps),
    ...createLegionellaObligation(deps),
    ...createCostDeadlineObligation(deps),
    ...createMailDigestObligation({ ...deps, progress: heartbeats }),
    // The verification reads the anchored heads from the histories of the worker's own Temporal.
    ...createProofVerificationObligation({ ...deps, progress: heartbeats, temporal: () => Context.current().client }),
    linkDeviceReplacement: (input: DeviceReplacementInput) => devices.linkDeviceReplacement(input, here()),
    reportDeviceFault: (input: DeviceFaultReport) => faults.reportDeviceFault(input, here()),
    deviceExchangeAnswered: exchanges.deviceExchangeAnswered,
    remindDeviceExchange: exchanges.remindDeviceExchange,
    escalateDeviceExchange: exchanges.escalateDeviceExchange,
    openDeviceExchange: (input: OpenExchangeInput) => exchanges.openDeviceExchange(input, here()),
    recordLateObjection: (input: LateObjectionInput) => lateObjections.recordLateObjection(input, here()),
    closeRecipientWorkflows: (input: { statementId: number; version: number }) => statements.closeRecipientWorkflows(input, here()),
    offerDeviceExchange: (offer: DeviceExchangeOffer) => exchanges.offerDeviceExchange(offer, here()),
    endDeviceExchange: (end: DeviceExchangeEnd) => exchanges.endDeviceExchange(end, here()),
    withdrawDeviceExchange: (input: WithdrawExchangeInput) => exchanges.withdrawDeviceExchange(input, here()),
    // A changed light is a webhook event; its key makes a retried activity deliver nothing twice.
    recordDeviceDeadline: async (input: RecordDeadlineInput) => {
      const change = await devices.recordDeviceDeadline(input);
      if (change) {
        const { organisationId, changedAt, ...data } = change;
        const key = `device-${change.deviceId}:light:${changedAt.toISOString()}`;
        await emitWebhookEvent(deps.db, { organisationId, kind: 'device.light_changed', key, data, occurredAt: changedAt }, here);
      }
      return change;
    },
    // SLA warnings and breaches of tickets, and filed objections, are webhook events; keys per step.
    recordTicketEvent: async (record: TicketEventRecord) => {
      await tickets.recordTicketEvent(record);
      const kind = record.kind === 'sla_warning' ? 'ticket.sla_at_risk' : record.kind === 'sla_breached' ? 'ticket.sla_breached' : null;
      if (kind === null) return;
      const [ticket] = await deps.db.sequelize.query<{ organisationId: number }>(
        'SELECT organisation_id AS "organisationId" FROM tickets WHERE id = $1',
        {
          bind: [record.ticketId],
          type: QueryTypes.SELECT,
        },
      );
      if (!ticket) return;
      const data = { ticketId: record.ticketId, at: record.at, details: record.details };
      await emitWebhookEvent(
        deps.db,
        { organisationId: ticket.organisationId, kind, key: ticketDedupeKey(record.ticketId, record.seq), data },
        here,
      );
    },
    // A version's delivery and each recipient's first opening are webhook events; the proof event's key is theirs.
    recordStatementStep: async (input: ProofStepInput) => {
      const proven = await statements.recordStatementStep(input);
      const kind = input.step === 'delivered' ? 'statement.delivered' : input.step === 'opened' ? 'statement.opened' : null;
      const organisationId = kind === null ? null : await statementOrganisation(deps.db, input.statementId);
      if (kind !== null && organisationId !== null) {
        const key = `statement-${input.statementId}-v${input.version}:${input.step}:${input.idempotencyKey}`;
        const data = { statementId: input.statementId, version: input.version, at: proven.at, ...statementEventDetails(input) };
        await emitWebhookEvent(deps.db, { organisationId, kind, key, data, occurredAt: new Date(proven.at) }, here);
      }
      return proven;
    },
    // Each monthly information the batch published into a portal account is a webhook event.
    processMonthlyBatch: async (input: MonthlyBatchInput) => {
      const totals = await monthly.processMonthlyBatch(input);
      await emitMonthlyDelivered(deps.db, input, here);
      return totals;
    },
    recordObjection: async (input: ObjectionInput) => {
      const result = await statements.recordObjection(input);
      const organisationId = await statementOrganisation(deps.db, input.statementId);
      if (organisationId !== null) {
        const data = { objectionId: result.objectionId, statementId: input.statementId, version: input.version, unitId: input.unitId };
        await emitWebhookEvent(deps.db, { organisationId, kind: 'objection.filed', key: `objection-${result.objectionId}`, data }, here);
      }
      return result;
    },
    attemptWebhookDelivery: (input: WebhookDeliveryInput) => webhooks.attemptWebhookDelivery(input, Context.current().info.attempt),
    failWebhookDelivery: (input: WebhookDeliveryInput) => webhooks.failWebhookDelivery(input),
  });
}

export type Activities = ReturnType<typeof createActivities>;
