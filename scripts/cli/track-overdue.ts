// `cli track-overdue`: run once after the upgrade that brought KlarOverdue (workflows/shared/overdue.ts).
// Obligation workflows started before it do not track their deadline for the desk's "überfällig"
// filter; each running one without KlarOverdue gets the signal that starts the tracking (one that
// tracks already ignores it, so running it twice does no harm). Prints how many were signalled.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { OVERDUE_TRACKING_WORKFLOW_TYPES } from '../../domain/compliance/obligation-kinds';
import { literal } from '../../domain/compliance/obligation-search';
import { SEARCH_KEYS } from '../../domain/search-attributes';
import { startOverdueTracking } from '../../workflows/shared/overdue';
import { write } from './io';

export async function signalUntracked(client: Client): Promise<string[]> {
  const types = OVERDUE_TRACKING_WORKFLOW_TYPES.map(literal).join(', ');
  const query = `WorkflowType IN (${types}) AND ExecutionStatus = 'Running' AND ${SEARCH_KEYS.overdue} IS NULL`;
  const signalled: string[] = [];
  for await (const execution of client.workflow.list({ query })) {
    try {
      await client.workflow.getHandle(execution.workflowId).signal(startOverdueTracking);
      signalled.push(execution.workflowId);
    } catch (error) {
      // Ended since it was listed: nothing left to track.
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }
  return signalled;
}

export async function runTrackOverdue(args: string[], deps: { client?: Client; out?: NodeJS.WritableStream } = {}): Promise<number> {
  const out = deps.out ?? process.stdout;
  if (args.length > 0) {
    process.stderr.write(`unexpected argument ${JSON.stringify(args[0])}; usage: cli track-overdue\n`);
    return 2;
  }
  const client = deps.client ?? (await import('../../server/temporal')).temporalClient();
  const signalled = await signalUntracked(client);
  await write(out, `signalled ${signalled.length} running obligation workflows without KlarOverdue\n`);
  return 0;
}
