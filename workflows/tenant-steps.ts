// What the version's workflow and a recipient's workflow both do for one tenant: one update at a
// time, the checks of an objection and of a receipt correction, and the inputs of the activities
// that prove them. Pure workflow code: no command of its own.
import { condition } from '@temporalio/workflow';
import { formatDate } from '../domain/format';
import { receiptCorrectionErrors } from '../domain/statement-recipients';
import type {
  CorrectRecipientReceiptRequest,
  DeliveredRecipient,
  ObjectionRequest,
  RecipientReceiptCorrectionInput,
} from '../domain/contracts/statement';
import type { ObjectionDeadlineMode } from '../domain/statement-deadlines';
import type { Activities } from '../activities';

type ObjectionInput = Parameters<Activities['recordObjection']>[0];

/** Runs updates' writes one at a time, so two cannot both pass their validators and write; `done` after each. */
export function oneAtATime(done: () => void) {
  let busy = false;
  return {
    busy: () => busy,
    async run<T>(work: () => Promise<T>): Promise<T> {
      await condition(() => !busy);
      busy = true;
      try {
        return await work();
      } finally {
        busy = false;
        done();
      }
    },
  };
}

export interface VersionRef {
  statementId: number;
  version: number;
}

export function windowClosedMessage(lastDay: string | null): string {
  return `Die Einspruchsfrist ist am ${formatDate(lastDay)} abgelaufen; ein Einspruch ist nicht mehr möglich.`;
}

/** Who may object and what an objection needs, whichever workflow takes it; null: nothing to refuse. */
export function objectionRefusal(request: ObjectionRequest): string | null {
  if (request.actor.role !== 'tenant' || request.actor.userId === null) return 'Einspruch erheben Mieter über ihr Portal.';
  if (request.positions.length === 0) return 'Bitte mindestens eine beanstandete Position nennen.';
  if (request.reason.trim().length === 0) return 'Bitte den Einspruch begründen.';
  return null;
}

export function objectionRecord(ref: VersionRef, request: ObjectionRequest, documentSha256: string): ObjectionInput {
  return {
    statementId: ref.statementId,
    version: ref.version,
    unitId: request.unitId,
    filedBy: { userId: request.actor.userId, name: request.actor.name },
    ip: request.actor.ip ?? null,
    positions: request.positions,
    reason: request.reason,
    idempotencyKey: request.idempotencyKey,
    documentSha256,
  };
}

/** Who may correct a receipt date and what it needs (the recipient's own checks); null: nothing to refuse. */
export function receiptCorrectionRefusal(
  request: CorrectRecipientReceiptRequest,
  recipient: DeliveredRecipient | undefined,
): string | null {
  if (request.actor.role !== 'manager') return 'Das Zugangsdatum berichtigt nur die Verwaltung.';
  if (!recipient) return 'Diese Abrechnung wurde diesem Empfänger nicht zugestellt.';
  const errors = receiptCorrectionErrors({ receivedOn: request.receivedOn, reason: request.reason }, recipient);
  return errors.receivedOn ?? errors.reason ?? null;
}

export function receiptCorrectionRecord(
  ref: VersionRef & { periodEnd: string; objectionMode: ObjectionDeadlineMode; documentSha256: string },
  request: CorrectRecipientReceiptRequest,
  idempotencyKey: string,
): RecipientReceiptCorrectionInput {
  return {
    statementId: ref.statementId,
    version: ref.version,
    occupancyId: request.occupancyId,
    receivedOn: request.receivedOn,
    reason: request.reason.trim(),
    periodEnd: ref.periodEnd,
    objectionMode: ref.objectionMode,
    actor: { userId: request.actor.userId, name: request.actor.name },
    ip: request.actor.ip ?? null,
    documentSha256: ref.documentSha256,
    idempotencyKey,
  };
}
