// One workflow per tenant a statement version was delivered to (id
// `statement-<id>-v<n>-recipient-<occupancyId>`, docs/decisions/0013), a child of the version's
// workflow. It owns this tenant's opening, objection, receipt correction and objection window and
// proves each in the version's chain through the version workflow's activities; the signed heads
// they return stay in this history. The version's workflow keeps the version-wide steps (approval,
// delivery, supersession, the end after the last window), so its history no longer grows with the
// number of tenants: once this tenant's window has closed, this workflow waits for the version's to
// end (which cancels it, ParentClosePolicy.REQUEST_CANCEL) instead of completing before it, as each
// completion would add an event to the version's history. Cancelled while its window still runs,
// the version was superseded by a correction.
//
// Deterministic code only: time comes from the workflow clock, side effects happen in activities.
import {
  ApplicationFailure,
  condition,
  isCancellation,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { endOfGermanDayMs } from '../domain/statement-lifecycle';
import { receiptCorrectionErrors } from '../domain/statement-recipients';
import { formatDate } from '../domain/format';
import { STATEMENT_GONE, type DeliveredRecipient, type OpenedSignal } from '../domain/contracts/statement';
import {
  RECIPIENT_OBLIGATION,
  type RecipientState,
  type StatementRecipientInput,
  type StatementRecipientStatus,
} from '../domain/contracts/statement-recipient';
import {
  correctRecipientReceipt,
  fileRecipientObjection,
  getRecipientStatus,
  recipientCorrected,
  statementOpened,
} from './shared/statement-recipient';
import { SA } from './shared/search-attributes';

const { recordStatementStep, recordObjection, recordReceiptCorrection } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // No attempt limit: a proof must eventually be written, however long the database is down.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [STATEMENT_GONE] },
});

function refuse(message: string): never {
  throw ApplicationFailure.nonRetryable(message, 'StatementRecipientRefused');
}

export async function statementRecipient(input: StatementRecipientInput): Promise<StatementRecipientStatus> {
  const { statementId, version } = input;
  let recipient: DeliveredRecipient = input.recipient;
  let state = 'delivered' as RecipientState;
  let windowEndMs = endOfGermanDayMs(recipient.objectionDeadline);
  let openedAt: string | null = null;
  let objections = 0;
  let corrections = 0;
  let busy = false;
  let woken = false;
  const openings: OpenedSignal[] = [];

  const status = (): StatementRecipientStatus => ({
    statementId,
    version,
    state,
    recipient,
    openedAt,
    objections,
  });

  function publishSearchAttributes() {
    upsertSearchAttributes([
      { key: SA.obligation, value: RECIPIENT_OBLIGATION },
      { key: SA.organisation, value: String(input.organisationId) },
      { key: SA.property, value: String(input.propertyId) },
      { key: SA.unit, value: String(recipient.unitId) },
      { key: SA.state, value: state },
      { key: SA.dueAt, value: new Date(windowEndMs) },
      // Received after the BGB §556(3) deadline: delivered, but too late to claim arrears.
      { key: SA.late, value: recipient.deadlineMissed },
    ]);
  }

  const windowRuns = () => (state === 'delivered' || state === 'opened') && Date.now() < windowEndMs;

  async function exclusively<T>(work: () => Promise<T>): Promise<T> {
    await condition(() => !busy);
    busy = true;
    try {
      return await work();
    } finally {
      busy = false;
      woken = true;
    }
  }

  setHandler(getRecipientStatus, status);

  setHandler(
    fileRecipientObjection,
    (request) =>
      exclusively(async () => {
        const { objectionId } = await recordObjection({
          statementId,
          version,
          unitId: request.unitId,
          filedBy: { userId: request.actor.userId, name: request.actor.name },
          ip: request.actor.ip ?? null,
          positions: request.positions,
          reason: request.reason,
          idempotencyKey: request.idempotencyKey,
          documentSha256: input.documentSha256,
        });
        objections += 1;
        return { objectionId };
      }),
    {
      validator: (request) => {
        if (!windowRuns())
          refuse(`Die Einspruchsfrist ist am ${formatDate(recipient.objectionDeadline)} abgelaufen; ein Einspruch ist nicht mehr möglich.`);
        if (request.actor.role !== 'tenant' || request.actor.userId === null) refuse('Einspruch erheben Mieter über ihr Portal.');
        if (request.unitId !== recipient.unitId) refuse('Diese Abrechnung wurde für Ihre Wohnung nicht zugestellt.');
        if (request.positions.length === 0) refuse('Bitte mindestens eine beanstandete Position nennen.');
        if (request.reason.trim().length === 0) refuse('Bitte den Einspruch begründen.');
      },
    },
  );

  // The letter's receipt date, corrected with a reason: the window and the §556(3) check move with
  // it, and the version's workflow learns of the correction (it ends after the last one).
  setHandler(
    correctRecipientReceipt,
    ({ actor, receivedOn, reason }) =>
      exclusively(async () => {
        corrections += 1;
        recipient = await recordReceiptCorrection({
          statementId,
          version,
          occupancyId: recipient.occupancyId,
          receivedOn,
          reason: reason.trim(),
          periodEnd: input.periodEnd,
          objectionMode: input.objectionMode,
          actor: { userId: actor.userId, name: actor.name },
          ip: actor.ip ?? null,
          documentSha256: input.documentSha256,
          // Not the version workflow's `receipt-…` keys: each correction is its own event.
          idempotencyKey: `recipient-receipt-${recipient.occupancyId}-${corrections}`,
        });
        windowEndMs = endOfGermanDayMs(recipient.objectionDeadline);
        publishSearchAttributes();
        const parent = workflowInfo().parent;
        if (parent) {
          await getExternalWorkflowHandle(parent.workflowId)
            .signal(recipientCorrected, { recipient })
            // A version that has ended (superseded) has no window left to extend.
            .catch(() => undefined);
        }
        return recipient;
      }),
    {
      validator: ({ actor, occupancyId, receivedOn, reason }) => {
        if (busy || !windowRuns()) refuse('Das Zugangsdatum lässt sich nur während der Einspruchsfrist berichtigen.');
        if (actor.role !== 'manager') refuse('Das Zugangsdatum berichtigt nur die Verwaltung.');
        if (occupancyId !== recipient.occupancyId) refuse('Diese Abrechnung wurde diesem Empfänger nicht zugestellt.');
        const errors = receiptCorrectionErrors({ receivedOn, reason }, recipient);
        const first = errors.receivedOn ?? errors.reason;
        if (first !== undefined) refuse(first);
      },
    },
  );

  setHandler(statementOpened, (signal) => {
    openings.push(signal);
    woken = true;
  });
  publishSearchAttributes();
  try {
    await untilWindowCloses();
    publishSearchAttributes();
    await condition(() => false);
  } catch (error) {
    if (!isCancellation(error)) throw error;
    if (state !== 'final') state = 'superseded';
    publishSearchAttributes();
  }
  return status();

  async function untilWindowCloses() {
    for (;;) {
      await condition(() => !busy);
      for (const opening of openings.splice(0)) {
        if (openedAt !== null || !windowRuns()) continue;
        // The version workflow's key: an opening it proved before this workflow was named stays the one.
        const proven = await recordStatementStep({
          statementId,
          version,
          step: 'opened',
          idempotencyKey: `unit-${opening.unitId}-user-${opening.actor.userId ?? 0}`,
          actor: { userId: opening.actor.userId, name: opening.actor.name },
          ip: opening.actor.ip ?? null,
          documentSha256: opening.documentSha256 ?? input.documentSha256,
          details: { unitId: opening.unitId, occupancyId: recipient.occupancyId, via: opening.via },
        });
        openedAt = proven.at;
        state = 'opened';
        publishSearchAttributes();
      }
      if (Date.now() >= windowEndMs && !busy) {
        state = 'final';
        return;
      }
      if (busy || openings.length > 0) continue;
      woken = false;
      await condition(() => woken, Math.max(1, windowEndMs - Date.now()));
    }
  }
}
