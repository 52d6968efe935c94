// One workflow per statement version (id `statement-<id>-v<n>`): draft → approved → delivered →
// opened → objection window → final, or superseded by a correction. It watches the BGB §556(3)
// delivery deadline (reminders before, escalation when missed) and the tenant's objection window
// (docs/rules.md §3), and proves every step in the version's hash chain through its activities.
//
// Deterministic code only: time comes from the workflow clock, side effects happen in activities.
// VERSIONING: guard changes to the command sequence with patched(). Patches so far:
// - 'render-documents-at-approval': the approval renders and stores every PDF first; from then on
//   the proof's documentSha256 is the hash of their manifest instead of the computed content's.
// - LATE_ATTRIBUTE_PATCH: publishes KlarLate (the §556(3) delivery deadline was missed), also at the miss.
// - PER_RECIPIENT_PATCH ('per-recipient-delivery'): the delivery goes to each tenant by its own
//   channel (the portal only with an active account, else a letter) with its own receipt date,
//   §556(3) check and objection window; an opening counts per tenant and no longer moves the
//   version to "opened"; the version ends when the last tenant's window has closed.
// - RECIPIENT_WORKFLOWS_PATCH ('recipient-workflows'): after the delivery each tenant gets its own
//   child workflow (workflows/statement-recipient.ts) for its opening, objection, receipt correction
//   and window; this one keeps the version-wide steps, and its end (superseded, or after the last
//   window) closes them.
// - RECIPIENTS_NAMED_AT_DELIVERY_PATCH ('recipients-named-at-delivery'): decided before the delivery
//   activity and passed to it, which names each recipient's workflow on its row in the row's own
//   transaction; so the web sends a tenant's opening to the tenant's workflow even before it has
//   started (it waits for the start), and the version's workflow no longer proves it meanwhile.
// - OVERDUE_ATTRIBUTE_PATCH: tracks KlarOverdue beside the workflow (workflows/shared/overdue.ts).
import {
  ApplicationFailure,
  ParentClosePolicy,
  condition,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import { addDays, isDate } from '../domain/dates';
import { berlinDateOf } from '../domain/business-hours';
import { deliveryDeadline, objectionDeadline } from '../domain/statement-deadlines';
import {
  DELIVERY_REMINDER_DAYS,
  LIFECYCLE_STATE_LABELS,
  POSTAL_DELIVERY_DAYS,
  canTransition,
  endOfGermanDayMs,
  isEnded,
  mayApprove,
  objectionWindowRuns,
  type LifecycleState,
  type ProofStep,
} from '../domain/statement-lifecycle';
import {
  approveStatement,
  correctReceipt,
  correctRecipientReceipt,
  deliverStatement,
  fileObjection,
  getStatus,
  statementOpened,
  statementSuperseded,
} from './shared/statement';
import {
  PER_RECIPIENT_PATCH,
  STATEMENT_GONE,
  statementDedupeKey,
  type DeliveredRecipient,
  type DeliveryRecord,
  type LifecycleActor,
  type OpenedSignal,
  type StatementLifecycleInput,
  type StatementLifecycleStatus,
  type SupersededSignal,
} from '../domain/contracts/statement';
import { LATE_ATTRIBUTE_PATCH, SA } from './shared/search-attributes';
import { trackOverdue } from './shared/overdue';
import {
  RECIPIENTS_NAMED_AT_DELIVERY_PATCH,
  RECIPIENT_WORKFLOWS_PATCH,
  recipientWorkflowId,
} from '../domain/contracts/statement-recipient';
import { recipientCorrected } from './shared/statement-recipient';
import {
  objectionRecord,
  objectionRefusal,
  oneAtATime,
  receiptCorrectionRecord,
  receiptCorrectionRefusal,
  windowClosedMessage,
} from './tenant-steps';
import { statementRecipient } from './statement-recipient';

/** Recipient workflows started per workflow task: a page's start commands and their events stay small. */
const RECIPIENT_PAGE = 500;

const {
  recordStatementStep,
  sendDeliveryNotice,
  alertStatementDeadline,
  recordObjection,
  recordReceiptCorrection,
  registerRecipientWorkflows,
} = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // No attempt limit: a proof must eventually be written, however long the database is down.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [STATEMENT_GONE] },
});

// Rendering a whole property's PDFs, and delivering to each of its tenants, take longer than one
// database write; retried like the proofs. They heartbeat per PDF and per batch of recipients: a
// worker that dies mid-way is noticed within 15 s, not 10 minutes, and the retry goes on from there.
// (Moving the delivery here from the group above changes its timeouts only, no command: no patch.)
// Closing every recipient workflow of the version heartbeats per workflow alike.
const { renderStatementDocuments, deliverToRecipients, closeRecipientWorkflows } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [STATEMENT_GONE] },
});

interface ReminderPoint {
  key: string;
  daysBefore: number;
  atMs: number;
}

function refuse(message: string): never {
  throw ApplicationFailure.nonRetryable(message, 'StatementLifecycleRefused');
}

export async function statementLifecycle(input: StatementLifecycleInput): Promise<StatementLifecycleStatus> {
  trackOverdue();
  const { statementId, version } = input;
  const dueOn = deliveryDeadline(input.periodEnd);
  const deliveryDueMs = endOfGermanDayMs(dueOn);
  const reminders: ReminderPoint[] = DELIVERY_REMINDER_DAYS.map((daysBefore) => ({
    key: statementDedupeKey(statementId, version, `reminder-${daysBefore}`),
    daysBefore,
    atMs: deliveryDueMs - daysBefore * 86_400_000,
  })).sort((a, b) => a.atMs - b.atMs);
  const escalationKey = statementDedupeKey(statementId, version, 'escalation');

  // Casts keep TypeScript from narrowing what the handlers change behind its back.
  let state = 'draft' as LifecycleState;
  let delivery: DeliveryRecord | null = null;
  let windowEndMs: number | null = null;
  let openedAt: string | null = null;
  let objections = 0;
  let deadlineMissed = false;
  const remindersHandled = new Set<string>();
  const openings: OpenedSignal[] = [];
  const openedUnits = new Set<string>();
  let superseded = null as SupersededSignal | null;
  let woken = false;
  /** Set when the version was delivered per recipient (PER_RECIPIENT_PATCH). */
  let recipients = null as DeliveredRecipient[] | null;
  /** Delivered tenants whose own workflow is still to be started (RECIPIENT_WORKFLOWS_PATCH). */
  const recipientsToStart: DeliveredRecipient[] = [];
  /** The started recipient workflows' results: the version ends only after they have. */
  const recipientResults: Array<Promise<unknown>> = [];
  /** What the proof events refer to: the computed content until approval, then the PDFs' manifest. */
  let documentSha256 = input.documentSha256;

  const objectionLastDay = () => (delivery && windowEndMs !== null ? berlinDateOf(windowEndMs - 1) : null);

  function status(): StatementLifecycleStatus {
    return {
      statementId,
      version,
      state,
      deliveryDueAt: new Date(deliveryDueMs).toISOString(),
      deliveryDeadlineMissed: deadlineMissed,
      remindersSent: [...remindersHandled],
      delivery,
      openedAt,
      objectionDeadline: objectionLastDay(),
      objectionWindowEndsAt: windowEndMs === null ? null : new Date(windowEndMs).toISOString(),
      objections,
      supersededByVersion: superseded?.byVersion ?? null,
      ...(recipients ? { recipients } : {}),
    };
  }

  /**
   * What an update answers and the execution returns: the status without the recipients, which stay
   * in the query. Both are written into the history, where a list of thousands of tenants in every
   * answer would fill it; changing a result adds no command, so it needs no patch.
   */
  function answer(): StatementLifecycleStatus {
    const { recipients: _inQuery, ...rest } = status();
    return rest;
  }

  /** The window of the tenant who objects: its own recipient's, else (no such recipient) the unit's latest. */
  function windowOf(unitId: number, userId: number | null): { endMs: number; lastDay: string } | null {
    const ofUnit = (recipients ?? []).filter((r) => r.unitId === unitId);
    const own = ofUnit.filter((r) => r.userId !== null && r.userId === userId);
    const candidates = own.length > 0 ? own : ofUnit;
    if (candidates.length === 0) return null;
    const lastDay = candidates
      .map((r) => r.objectionDeadline)
      .sort()
      .at(-1)!;
    return { endMs: endOfGermanDayMs(lastDay), lastDay };
  }

  function publishSearchAttributes() {
    const pairs: SearchAttributeUpdatePair[] = [
      { key: SA.obligation, value: 'statement' },
      { key: SA.property, value: String(input.propertyId) },
      { key: SA.period, value: `${input.periodStart}/${input.periodEnd}` },
      { key: SA.state, value: state },
      { key: SA.dueAt, value: new Date(windowEndMs ?? deliveryDueMs) },
    ];
    if (patched(LATE_ATTRIBUTE_PATCH)) pairs.push({ key: SA.late, value: deadlineMissed });
    upsertSearchAttributes(pairs);
  }

  async function prove(
    step: ProofStep,
    idempotencyKey: string,
    actor: LifecycleActor | { userId: number | null; name: string; ip?: string | null },
    details: Record<string, unknown> = {},
    next?: LifecycleState,
    documentHash = documentSha256,
  ) {
    const proven = await recordStatementStep({
      statementId,
      version,
      step,
      idempotencyKey,
      actor: { userId: actor.userId, name: actor.name },
      ip: actor.ip ?? null,
      documentSha256: documentHash,
      details,
      status: next === undefined || next === 'opened' ? undefined : next,
    });
    if (next) state = next;
    publishSearchAttributes();
    return proven;
  }

  // An update is writing its proof: others wait for their turn (two approvals cannot both write).
  const updates = oneAtATime(() => (woken = true));
  const exclusively = updates.run;

  function requireState(allowed: (s: LifecycleState) => boolean, message: string) {
    if (updates.busy() || !allowed(state))
      refuse(`${message} (aktueller Stand: ${LIFECYCLE_STATE_LABELS[state]}${updates.busy() ? ', ein anderer Schritt läuft' : ''}).`);
  }

  /** The version stays open until the last tenant's window has closed. */
  function setRecipients(all: DeliveredRecipient[]) {
    recipients = all;
    const lastDay = all
      .map((r) => r.objectionDeadline)
      .sort()
      .at(-1);
    if (lastDay !== undefined) windowEndMs = endOfGermanDayMs(lastDay);
  }

  function setWindow(receivedOn: string) {
    windowEndMs = endOfGermanDayMs(objectionDeadline(receivedOn, input.objectionMode));
  }

  setHandler(getStatus, status);

  setHandler(
    approveStatement,
    ({ actor }) =>
      exclusively(async () => {
        const details: Record<string, unknown> = { role: actor.role, delegated: actor.delegated ?? false };
        if (patched('render-documents-at-approval')) {
          // What is approved is the PDFs the tenants will get: rendered and stored now, their manifest proven.
          const manifest = await renderStatementDocuments({ statementId, version, createdBy: actor.userId });
          documentSha256 = manifest.sha256;
          details.documents = manifest.documents;
        }
        await prove('approved', 'approval', actor, details, 'approved');
        return answer();
      }),
    {
      validator: ({ actor }) => {
        requireState((s) => s === 'draft', 'Nur ein Entwurf kann freigegeben werden');
        if (!mayApprove(actor)) refuse('Freigeben dürfen die Verwaltung und von ihr beauftragte Eigentümer.');
      },
    },
  );

  setHandler(
    deliverStatement,
    (request) =>
      exclusively(async () => {
        const nowMs = Date.now();
        const today = berlinDateOf(nowMs);
        const dispatchedOn = request.channel === 'post' ? request.dispatchedOn : null;
        const receivedOn = request.channel === 'post' ? (request.receivedOn ?? addDays(request.dispatchedOn, POSTAL_DELIVERY_DAYS)) : today;
        if (patched(PER_RECIPIENT_PATCH)) {
          // Its executions start the recipient workflows below too: a named row never waits in vain.
          const namedAtDelivery = patched(RECIPIENTS_NAMED_AT_DELIVERY_PATCH);
          const delivered = await deliverToRecipients({
            statementId,
            version,
            channel: request.channel,
            ...(request.channel === 'post' ? { dispatchedOn: request.dispatchedOn } : {}),
            ...(request.channel === 'post' && request.receivedOn !== undefined ? { receivedOn: request.receivedOn } : {}),
            today,
            periodEnd: input.periodEnd,
            objectionMode: input.objectionMode,
            actor: { userId: request.actor.userId, name: request.actor.name },
            ip: request.actor.ip ?? null,
            documentSha256,
            ...(namedAtDelivery ? { recipientWorkflows: true } : {}),
          });
          const portal = delivered.filter((r) => r.channel === 'portal').length;
          const proven = await prove(
            'delivered',
            'delivery',
            request.actor,
            { channel: request.channel, dispatchedOn, recipients: delivered.length, portal, post: delivered.length - portal },
            'delivered',
          );
          recipients = delivered;
          delivery = { channel: request.channel, deliveredAt: proven.at, dispatchedOn, receivedOn };
          // The version stays open until the last tenant's window has closed.
          const lastDays = delivered.map((r) => r.objectionDeadline).sort();
          windowEndMs = endOfGermanDayMs(lastDays.at(-1) ?? objectionDeadline(receivedOn, input.objectionMode));
          publishSearchAttributes();
          if (portal > 0)
            await sendDeliveryNotice({ statementId, version, dedupeKey: statementDedupeKey(statementId, version, 'delivery-notice') });
          // Started by the main loop, page by page, once this update has answered.
          if (patched(RECIPIENT_WORKFLOWS_PATCH)) recipientsToStart.push(...delivered);
          return answer();
        }
        const proven = await prove(
          'delivered',
          'delivery',
          request.actor,
          { channel: request.channel, dispatchedOn, receivedOn },
          'delivered',
        );
        delivery = { channel: request.channel, deliveredAt: proven.at, dispatchedOn, receivedOn };
        setWindow(receivedOn);
        publishSearchAttributes();
        if (request.channel === 'portal')
          await sendDeliveryNotice({ statementId, version, dedupeKey: statementDedupeKey(statementId, version, 'delivery-notice') });
        return answer();
      }),
    {
      validator: (request) => {
        requireState((s) => s === 'approved', 'Zustellen lässt sich nur eine freigegebene Abrechnung');
        if (request.actor.role !== 'manager') refuse('Zustellen darf nur die Verwaltung.');
        if (request.channel === 'post') {
          if (!isDate(request.dispatchedOn)) refuse('Bitte ein gültiges Versanddatum angeben.');
          if (request.receivedOn !== undefined && (!isDate(request.receivedOn) || request.receivedOn < request.dispatchedOn)) {
            refuse('Das Zugangsdatum muss ein gültiges Datum nach dem Versand sein.');
          }
        }
      },
    },
  );

  setHandler(
    correctReceipt,
    ({ actor, receivedOn }) =>
      exclusively(async () => {
        await prove('receipt_corrected', `receipt-${receivedOn}`, actor, { previous: delivery!.receivedOn, receivedOn });
        delivery = { ...delivery!, receivedOn };
        setWindow(receivedOn);
        publishSearchAttributes();
        return answer();
      }),
    {
      validator: ({ actor, receivedOn }) => {
        requireState(objectionWindowRuns, 'Das Zugangsdatum lässt sich nur während der Einspruchsfrist berichtigen');
        if (recipients)
          refuse('Diese Abrechnung wurde je Mieter zugestellt; ihr Zugangsdatum lässt sich hier nicht gemeinsam berichtigen.');
        if (actor.role !== 'manager') refuse('Das Zugangsdatum berichtigt nur die Verwaltung.');
        if (delivery?.channel !== 'post') refuse('Nur bei Zustellung per Post gibt es ein Zugangsdatum zu berichtigen.');
        if (!isDate(receivedOn) || (delivery.dispatchedOn !== null && receivedOn < delivery.dispatchedOn))
          refuse('Das Zugangsdatum muss ein gültiges Datum nach dem Versand sein.');
      },
    },
  );

  // One recipient's receipt date (a letter), corrected with a reason: its window and §556(3) check
  // move with it. A new update adds no command to what a running execution has done, so it needs no
  // patch; its idempotency key numbers the recipient's corrections, which replay deterministically.
  const receiptCorrections = new Map<number, number>();
  setHandler(
    correctRecipientReceipt,
    (request) =>
      exclusively(async () => {
        const n = (receiptCorrections.get(request.occupancyId) ?? 0) + 1;
        receiptCorrections.set(request.occupancyId, n);
        const corrected = await recordReceiptCorrection(
          receiptCorrectionRecord({ ...input, documentSha256 }, request, `receipt-${request.occupancyId}-${n}`),
        );
        setRecipients((recipients ?? []).map((r) => (r.occupancyId === request.occupancyId ? corrected : r)));
        publishSearchAttributes();
        return corrected;
      }),
    {
      validator: (request) => {
        requireState(objectionWindowRuns, 'Das Zugangsdatum lässt sich nur während der Einspruchsfrist berichtigen');
        const refusal = receiptCorrectionRefusal(
          request,
          recipients?.find((r) => r.occupancyId === request.occupancyId),
        );
        if (refusal) refuse(refusal);
      },
    },
  );

  setHandler(
    fileObjection,
    (request) =>
      exclusively(async () => {
        const { objectionId } = await recordObjection(objectionRecord(input, request, documentSha256));
        objections += 1;
        publishSearchAttributes();
        return { objectionId, status: answer() };
      }),
    {
      validator: (request) => {
        if (recipients && objectionWindowRuns(state)) {
          // Each tenant objects within its own window, counted from its own receipt.
          const own = windowOf(request.unitId, request.actor.userId);
          if (!own) refuse('Diese Abrechnung wurde für Ihre Wohnung nicht zugestellt.');
          if (Date.now() >= own.endMs) refuse(windowClosedMessage(own.lastDay));
        }
        if (state === 'final' || (windowEndMs !== null && Date.now() >= windowEndMs)) refuse(windowClosedMessage(objectionLastDay()));
        requireState(objectionWindowRuns, 'Einspruch ist erst nach der Zustellung möglich');
        const refusal = objectionRefusal(request);
        if (refusal) refuse(refusal);
      },
    },
  );

  setHandler(statementOpened, (signal) => {
    openings.push(signal);
    woken = true;
  });
  setHandler(statementSuperseded, (signal) => {
    superseded ??= signal;
    woken = true;
  });
  // A recipient workflow corrected its receipt date: the version ends after the last window.
  setHandler(recipientCorrected, ({ recipient }) => {
    setRecipients((recipients ?? []).map((r) => (r.occupancyId === recipient.occupancyId ? recipient : r)));
    woken = true;
  });

  /**
   * Starts the next page of recipient workflows and names them on their rows, so the web sends there
   * (a delivery since RECIPIENTS_NAMED_AT_DELIVERY_PATCH named them already: the same ids again).
   */
  async function startRecipientWorkflows() {
    const page = recipientsToStart.splice(0, RECIPIENT_PAGE);
    const handles = await Promise.all(
      page.map((recipient) =>
        startChild(statementRecipient, {
          workflowId: recipientWorkflowId(statementId, version, recipient.occupancyId),
          // They outlive their windows until this execution ends (endRecipientWorkflows; the policy
          // is the server's backstop), so that no tenant's window adds a completion event before.
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          args: [
            {
              statementId,
              version,
              organisationId: input.organisationId,
              propertyId: input.propertyId,
              periodEnd: input.periodEnd,
              objectionMode: input.objectionMode,
              documentSha256,
              recipient,
            },
          ],
        }),
      ),
    );
    recipientResults.push(...handles.map((handle) => handle.result()));
    await registerRecipientWorkflows({ statementId, version, occupancyIds: page.map((r) => r.occupancyId) });
  }

  /**
   * Closes the recipient workflows and waits for them, so that none ends after this execution (its
   * end would then be an event of a closed execution).
   */
  async function endRecipientWorkflows() {
    if (recipientResults.length === 0) return;
    await closeRecipientWorkflows({ statementId, version });
    await Promise.allSettled(recipientResults);
  }

  await prove('created', 'created', input.createdBy, {
    propertyId: input.propertyId,
    periodStart: input.periodStart,
    periodEnd: input.periodEnd,
  });

  while (!isEnded(state)) {
    await condition(() => !updates.busy());
    if (recipientsToStart.length > 0) {
      await startRecipientWorkflows();
      continue;
    }
    if (superseded && canTransition(state, 'superseded')) {
      const by = superseded;
      await prove('corrected', 'superseded', by.actor, { byStatementId: by.byStatementId, byVersion: by.byVersion }, 'superseded');
      await endRecipientWorkflows();
      break;
    }
    for (const opening of openings.splice(0)) {
      // Opening counts once per flat (per recipient since PER_RECIPIENT_PATCH): the first view or download after delivery is the proof.
      const openingKey = recipients ? `unit-${opening.unitId}-user-${opening.actor.userId ?? 0}` : `unit-${opening.unitId}`;
      if (!objectionWindowRuns(state) || openedUnits.has(openingKey)) continue;
      const proven = await prove(
        'opened',
        openingKey,
        opening.actor,
        { unitId: opening.unitId, via: opening.via },
        state === 'delivered' && !recipients ? 'opened' : undefined,
        opening.documentSha256 ?? documentSha256,
      );
      openedUnits.add(openingKey);
      openedAt ??= proven.at;
    }
    const nowMs = Date.now();
    let wakeAtMs: number | null = null;
    if (state === 'draft' || state === 'approved') {
      // Only the latest reminder that is due is sent: a statement created 20 days before its deadline gets no "60 days" notice.
      const due = reminders.filter((r) => r.atMs <= nowMs && !remindersHandled.has(r.key));
      if (due.length > 0 && !deadlineMissed) {
        const latest = due[due.length - 1]!;
        await alertStatementDeadline({
          statementId,
          version,
          organisationId: input.organisationId,
          propertyId: input.propertyId,
          dedupeKey: latest.key,
          kind: 'reminder',
          dueOn,
          daysBefore: latest.daysBefore,
        });
      }
      for (const r of due) remindersHandled.add(r.key);
      if (!deadlineMissed && nowMs >= deliveryDueMs) {
        await alertStatementDeadline({
          statementId,
          version,
          organisationId: input.organisationId,
          propertyId: input.propertyId,
          dedupeKey: escalationKey,
          kind: 'escalation',
          dueOn,
          daysBefore: null,
        });
        deadlineMissed = true;
        if (patched(LATE_ATTRIBUTE_PATCH)) publishSearchAttributes();
      }
      const ahead = [
        ...reminders.filter((r) => !remindersHandled.has(r.key)).map((r) => r.atMs),
        ...(deadlineMissed ? [] : [deliveryDueMs]),
      ];
      wakeAtMs = ahead.length > 0 ? Math.min(...ahead) : null;
    } else if (objectionWindowRuns(state) && windowEndMs !== null) {
      if (nowMs >= windowEndMs) {
        await prove('final', 'final', { userId: null, name: 'system' }, { objectionDeadline: objectionLastDay(), objections }, 'final');
        await endRecipientWorkflows();
        break;
      }
      wakeAtMs = windowEndMs;
    }
    if (updates.busy() || openings.length > 0 || superseded) continue;
    woken = false;
    if (wakeAtMs === null) await condition(() => woken);
    else await condition(() => woken, Math.max(1, wakeAtMs - Date.now()));
  }
  // Answer updates and signals that raced with the end, then finish; the version's history stays queryable.
  await condition(() => !updates.busy());
  return answer();
}
