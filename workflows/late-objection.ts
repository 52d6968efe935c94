// One workflow per late objection the manager accepts (id `statement-<id>-v<n>-late-objection-<occupancyId>`,
// docs/decisions/0012): the version's own workflow may have ended with the last window, so the
// acceptance gets its own. Its only activity writes the event, the row, the ticket and the audit
// entry in one transaction and returns the chain's signed head, which this history then anchors.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { STATEMENT_GONE } from '../domain/contracts/statement';
import type { LateObjectionInput, LateObjectionResult } from '../domain/contracts/late-objection';

const { recordLateObjection } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // No attempt limit: the accepted objection must be proven, however long the database is down.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [STATEMENT_GONE] },
});

export async function lateObjectionAcceptance(input: LateObjectionInput): Promise<LateObjectionResult> {
  const { lateObjectionId, seq, ticketId } = await recordLateObjection(input);
  return { lateObjectionId, seq, ticketId };
}
