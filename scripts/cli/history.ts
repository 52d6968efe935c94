// `cli history WORKFLOW_ID [--run RUN_ID] [--format text|json]`: one run's history from the
// Temporal server, as the compliance desk's timeline in German (text, with the minor steps) or as the raw
// JSON Temporal exports (what `cli replay --dir` takes). An operator's command: it reads the
// server directly, without the portal's organisation scope.
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { decodeHistory } from '../../domain/compliance/history-events';
import { narrate } from '../../domain/compliance/history-narrative';
import { formatDateTime } from '../../domain/format';
import { write } from './io';

const USAGE = 'usage: cli history WORKFLOW_ID [--run RUN_ID] [--format text|json]';

export async function runHistory(args: string[], deps: { client?: Client; out?: NodeJS.WritableStream } = {}): Promise<number> {
  const out = deps.out ?? process.stdout;
  let workflowId: string | undefined;
  let runId: string | undefined;
  let format = 'text';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--format' || arg === '--run') {
      const value = args[++i];
      if (!value) return usage(`${arg}: missing value`);
      if (arg === '--run') runId = value;
      else if (value === 'text' || value === 'json') format = value;
      else return usage(`--format: expected text or json, got ${JSON.stringify(value)}`);
    } else if (arg.startsWith('-')) return usage(`unknown option ${JSON.stringify(arg)}`);
    else if (workflowId === undefined) workflowId = arg;
    else return usage(`unexpected argument ${JSON.stringify(arg)}`);
  }
  if (!workflowId) return usage('WORKFLOW_ID: missing');
  const client = deps.client ?? (await import('../../server/temporal')).temporalClient();
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const json = historyToJSON(history);
  if (format === 'json') {
    await write(out, `${json}\n`);
    return 0;
  }
  const entries = narrate(decodeHistory(JSON.parse(json) as Parameters<typeof decodeHistory>[0]));
  // The engine's own book-keeping (workflow tasks, markers) stays in the JSON.
  await write(
    out,
    entries
      .filter((entry) => entry.detail !== 'technical')
      .map((entry) => `${formatDateTime(entry.at)}  ${entry.text}\n`)
      .join(''),
  );
  return 0;
}

function usage(message: string): number {
  process.stderr.write(`${message}; ${USAGE}\n`);
  return 2;
}
