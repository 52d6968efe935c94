// One workflow per tenant a statement version was delivered to (id
// `statement-<id>-v<n>-recipient-<occupancyId>`, docs/decisions/0013), a child of the version's
// workflow. It owns this tenant's opening, objection, receipt correction and objection window and
// proves each in the version's chain through the version workflow's activities; the signed heads
// they return stay in this history. The version's workflow keeps the version-wide steps (approval,
// delivery, supersession, the end after the last window), so its history no longer grows with the
// number of tenants: once this tenant's window has closed, this workflow waits for the version's to
// end (which cancels it) instead of completing before it, as each completion would add an event to
// the version's history. Cancelled while its window still runs, the version was superseded by a
// correction.
//
// Since RECIPIENT_CHAIN_PATCH it also appends the tenant's own stored chain after the delivery, after
// each of its steps and at its end (supersession, or the window's close), through
// recordRecipientChain, whose results keep that chain's signed heads in this history.
//
// Deterministic code only: time comes from the workflow clock, side effects happen in activities.
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { endOfGermanDayMs } from '../domain/statement-lifecycle';
import { STATEMENT_GONE, type DeliveredRecipient, type OpenedSignal } from '../domain/contracts/statement';
import {
  RECIPIENT_CHAIN_PATCH,
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
import {
  objectionRecord,
  objectionRefusal,
  oneAtATime,
  receiptCorrectionRecord,
  receiptCorrectionRefusal,
  windowClosedMessage,
} from './tenant-steps';

const { recordStatementStep, recordObjection, recordReceiptCorrection, recordRecipientChain } = proxyActivities<Activities>({
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
  let woken = false;
  const openings: OpenedSignal[] = [];
  const chained = patched(RECIPIENT_CHAIN_PATCH);
  /** Brings the tenant's stored chain up to the version's newest event; its signed head stays in this history. */
  const recordChain = async () => {
    if (chained) await recordRecipientChain({ statementId, version, occupancyId: recipient.occupancyId });
  };

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

  const updates = oneAtATime(() => (woken = true));
  const busy = updates.busy;

  setHandler(getRecipientStatus, status);

  setHandler(
    fileRecipientObjection,
    (request) =>
      updates.run(async () => {
        const { objectionId } = await recordObjection(objectionRecord(input, request, input.documentSha256));
        objections += 1;
        await recordChain();
        return { objectionId };
      }),
    {
      validator: (request) => {
        if (!windowRuns()) refuse(windowClosedMessage(recipient.objectionDeadline));
        if (request.unitId !== recipient.unitId) refuse('Diese Abrechnung wurde für Ihre Wohnung nicht zugestellt.');
        const refusal = objectionRefusal(request);
        if (refusal) refuse(refusal);
      },
    },
  );

  // The letter's receipt date, corrected with a reason: the window and the §556(3) check move with
  // it, and the version's workflow learns of the correction (it ends after the last one).
  setHandler(
    correctRecipientReceipt,
    (request) =>
      updates.run(async () => {
        corrections += 1;
        // Not the version workflow's `receipt-…` keys: each correction is its own event.
        recipient = await recordReceiptCorrection(
          receiptCorrectionRecord(input, request, `recipient-receipt-${recipient.occupancyId}-${corrections}`),
        );
        windowEndMs = endOfGermanDayMs(recipient.objectionDeadline);
        publishSearchAttributes();
        await recordChain();
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
      validator: (request) => {
        if (busy() || !windowRuns()) refuse('Das Zugangsdatum lässt sich nur während der Einspruchsfrist berichtigen.');
        const refusal = receiptCorrectionRefusal(request, request.occupancyId === recipient.occupancyId ? recipient : undefined);
        if (refusal) refuse(refusal);
      },
    },
  );

  setHandler(statementOpened, (signal) => {
    openings.push(signal);
    woken = true;
  });
  publishSearchAttributes();
  try {
    await recordChain();
    await untilWindowCloses();
    publishSearchAttributes();
    await condition(() => false);
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // The version ends at the last window's end too: a window that has run out closed, not superseded.
    if (state !== 'final') state = Date.now() >= windowEndMs ? 'final' : 'superseded';
    publishSearchAttributes();
    // The version proved its end (superseded, or the last window closed) before it cancelled this one.
    await CancellationScope.nonCancellable(recordChain);
  }
  return status();

  async function untilWindowCloses() {
    for (;;) {
      await condition(() => !busy());
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
        await recordChain();
      }
      if (Date.now() >= windowEndMs && !busy()) {
        state = 'final';
        return;
      }
      if (busy() || openings.length > 0) continue;
      woken = false;
      await condition(() => woken, Math.max(1, windowEndMs - Date.now()));
    }
  }
}
