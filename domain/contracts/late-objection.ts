// The contract of the late-objection workflow (docs/decisions/0012): one small workflow per
// recipient whose objection came after its window and which the manager accepts (BGB §556(3) S.6).
// It works whether or not the version's own workflow still runs (its window may long have closed).
import { statementWorkflowId } from './statement';

export const LATE_OBJECTION_WORKFLOW_TYPE = 'lateObjectionAcceptance';

/** Business id: one acceptance per recipient of a version, under the version's own id. */
export function lateObjectionWorkflowId(statementId: number, version: number, occupancyId: number): string {
  return `${lateObjectionWorkflowIdPrefix(statementId, version)}${occupancyId}`;
}

/** What the ids of a version's late-objection workflows start with (a visibility query lists them). */
export function lateObjectionWorkflowIdPrefix(statementId: number, version: number): string {
  return `${statementWorkflowId(statementId, version)}-late-objection-`;
}

/** What the manager decided, for the recipient's proof, the acceptance's row and the ticket. */
export interface LateObjectionInput {
  statementId: number;
  version: number;
  occupancyId: number;
  /** YYYY-MM-DD: the day the tenant's objection reached the manager (after the window). */
  receivedOn: string;
  positions: string[];
  /** The tenant's objection as received. */
  objection: string;
  /** "Mieter hat die Verspätung nicht zu vertreten: …" */
  reason: string;
  actor: { userId: number; name: string };
  ip: string | null;
}

/** What the workflow recorded: the acceptance's row, its event in the version's chain and the ticket. */
export interface LateObjectionResult {
  lateObjectionId: number;
  seq: number;
  ticketId: number;
}
