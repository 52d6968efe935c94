// One workflow per late objection the manager accepts (id `statement-<id>-v<n>-late-objection-<occupancyId>`,
// docs/decisions/0012): the version's own workflow may have ended with the last window, so the
// acceptance gets its own. Its only activity writes the event, the row, the ticket and the audit
// entry in one transaction and returns the chain's signed head, which this history then anchors.
// Since RECIPIENT_CHAIN_PATCH it then appends the tenant's own stored chain, whose signed head this
// history anchors too (the tenant's workflow may have ended).
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { STATEMENT_GONE } from '../domain/contracts/statement';
import type { LateObjectionInput, LateObjectionResult } from '../domain/contracts/late-objection';
import { RECIPIENT_CHAIN_PATCH } from '../domain/contracts/statement-recipient';

const { recordLateObjection, recordRecipientChain } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // No attempt limit: the accepted objection must be proven, however long the database is down.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [STATEMENT_GONE] },
});

export async function lateObjectionAcceptance(input: LateObjectionInput): Promise<LateObjectionResult> {
  const { lateObjectionId, seq, ticketId } = await recordLateObjection(input);
  if (patched(RECIPIENT_CHAIN_PATCH)) {
    await recordRecipientChain({ statementId: input.statementId, version: input.version, occupancyId: input.occupancyId });
  }
  return { lateObjectionId, seq, ticketId };
}
