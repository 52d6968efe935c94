// `cli audit verify [--full]`: verifies the audit log's hash chain and records a checkpoint when it
// is intact, so the compliance desk's page walks only the entries after it. Without --full the
// walk resumes at the furthest checkpoint (re-hashing that entry); --full walks from the first
// entry. Prints one JSON object; exit 0 when intact, 1 when broken, 2 on wrong arguments.
import type { Db } from '../../db';
import { write } from './io';

const USAGE = 'usage: cli audit verify [--full]';

export async function runAudit(args: string[], deps: { db?: Db; out?: NodeJS.WritableStream } = {}): Promise<number> {
  const out = deps.out ?? process.stdout;
  const [command, ...rest] = args;
  if (command !== 'verify') return usage(command === undefined ? 'command: missing' : `unknown command ${JSON.stringify(command)}`);
  let full = false;
  for (const arg of rest) {
    if (arg === '--full') full = true;
    else return usage(`unknown argument ${JSON.stringify(arg)}`);
  }
  const { recordAuditChainCheck } = await import('../../server/compliance-audit');
  const database = deps.db ?? (await import('../../server/db')).db();
  const started = performance.now();
  const verdict = await recordAuditChainCheck(database, { full });
  const seconds = Math.round(performance.now() - started) / 1000;
  await write(out, `${JSON.stringify({ ...verdict, full, seconds })}\n`);
  return verdict.ok ? 0 : 1;
}

function usage(problem: string): number {
  process.stderr.write(`${problem}\n${USAGE}\n`);
  return 2;
}
