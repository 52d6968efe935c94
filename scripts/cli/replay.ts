// `cli replay [--since 7d] [--type TYPE]... [--limit N] [--dir DIR] [--workflows PATH]`: replays
// histories against the current workflow code with the SDK's replayer, so that a deployment whose
// code would take another path than running executions took (a change without patched()) is
// caught before it ships. By default the histories are fetched from the Temporal server: every
// execution still running or closed within --since; with --dir, the JSON histories under DIR
// (workflows/histories, or exports from /pruefung). Prints how many replayed and names every one
// that failed; exits 1 on any failure (nondeterminism or otherwise), 2 on wrong arguments.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { write } from './io';

const USAGE = 'usage: cli replay [--since 7d] [--type TYPE]... [--limit N] [--dir DIR] [--workflows PATH]';
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const DEFAULT_WORKFLOWS = path.resolve(import.meta.dirname, '../../workflows/index.ts');

export interface ReplayOptions {
  sinceMs: number;
  types: string[];
  limit: number;
  dir: string | null;
  workflowsPath: string;
}

class UsageError extends Error {}

const DURATION = /^(\d{1,5})([dhm])$/;
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;

export function parseReplayArgs(args: readonly string[]): ReplayOptions {
  const options: ReplayOptions = { sinceMs: 7 * UNIT_MS.d, types: [], limit: 1_000, dir: null, workflowsPath: DEFAULT_WORKFLOWS };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const given = inline ?? args[++i];
      if (given === undefined || given === '') throw new UsageError(`${name}: missing value`);
      return given;
    };
    switch (name) {
      case '--since': {
        const text = value();
        const match = DURATION.exec(text);
        if (!match) throw new UsageError(`--since: expected a duration like 7d, 12h or 30m, got ${JSON.stringify(text)}`);
        options.sinceMs = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
        break;
      }
      case '--type': {
        const text = value();
        if (!/^[A-Za-z][A-Za-z0-9_]{0,99}$/.test(text))
          throw new UsageError(`--type: expected a workflow type name, got ${JSON.stringify(text)}`);
        options.types.push(text);
        break;
      }
      case '--limit': {
        const text = value();
        if (!/^[1-9]\d{0,6}$/.test(text)) throw new UsageError(`--limit: expected a positive number, got ${JSON.stringify(text)}`);
        options.limit = Number(text);
        break;
      }
      case '--dir':
        options.dir = path.resolve(value());
        break;
      case '--workflows':
        options.workflowsPath = path.resolve(value());
        break;
      default:
        throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    }
  }
  return options;
}

type History = ReturnType<typeof historyFromJSON>;

interface NamedHistory {
  workflowId: string;
  history: History;
}

function workflowTypeOf(history: History): string | undefined {
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? undefined;
}

/** Every *.json under dir (one level of subdirectories, as workflows/histories is laid out). */
function* fileHistories(dir: string, options: ReplayOptions): Generator<NamedHistory> {
  const files = readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory()
      ? readdirSync(full)
          .filter((file) => file.endsWith('.json'))
          .map((file) => path.join(full, file))
      : entry.endsWith('.json')
        ? [full]
        : [];
  });
  let count = 0;
  for (const file of files.sort()) {
    const history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
    if (options.types.length > 0 && !options.types.includes(workflowTypeOf(history) ?? '')) continue;
    if (count++ >= options.limit) return;
    yield { workflowId: path.relative(dir, file), history };
  }
}

/** The visibility query of the executions a deployment must not break: still running, or closed recently. */
export function replayQuery(options: ReplayOptions, now: Date): string {
  const since = new Date(now.getTime() - options.sinceMs).toISOString();
  const clauses = [`(ExecutionStatus = 'Running' OR CloseTime >= '${since}')`];
  if (options.types.length > 0) clauses.push(`WorkflowType IN (${options.types.map((type) => `'${type}'`).join(', ')})`);
  return clauses.join(' AND ');
}

async function* serverHistories(client: Client, options: ReplayOptions, now: Date): AsyncGenerator<NamedHistory> {
  let count = 0;
  for await (const item of client.workflow.list({ query: replayQuery(options, now) }).intoHistories({ concurrency: 4 })) {
    if (count++ >= options.limit) return;
    yield { workflowId: item.workflowId, history: item.history as History };
  }
}

export interface ReplayReport {
  replayed: number;
  failures: Array<{ workflowId: string; nondeterministic: boolean; message: string }>;
}

export async function replayCheck(options: ReplayOptions, deps: { client?: Client; now?: Date } = {}): Promise<ReplayReport> {
  if (Runtime._instance === undefined) Runtime.install({ logger: new DefaultLogger('WARN') });
  const { code } = await bundleWorkflowCode({
    workflowsPath: options.workflowsPath,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
  });
  let histories: AsyncIterable<NamedHistory> | Iterable<NamedHistory>;
  if (options.dir) histories = fileHistories(options.dir, options);
  else {
    const client = deps.client ?? (await import('../../server/temporal')).temporalClient();
    histories = serverHistories(client, options, deps.now ?? new Date());
  }
  const report: ReplayReport = { replayed: 0, failures: [] };
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code }, replayName: 'klarmeter-replay-check' }, histories)) {
    report.replayed++;
    if (result.error) {
      report.failures.push({
        workflowId: result.workflowId,
        nondeterministic: result.error instanceof DeterminismViolationError,
        message: result.error instanceof Error ? result.error.message.split('\n')[0]! : String(result.error),
      });
    }
  }
  return report;
}

export async function runReplay(args: string[], deps: { client?: Client; now?: Date; out?: NodeJS.WritableStream } = {}): Promise<number> {
  const out = deps.out ?? process.stdout;
  let options: ReplayOptions;
  try {
    options = parseReplayArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}; ${USAGE}\n`);
    return EXIT_USAGE;
  }
  const report = await replayCheck(options, deps);
  const lines = [
    `replayed ${report.replayed} histor${report.replayed === 1 ? 'y' : 'ies'} against ${path.relative(process.cwd(), options.workflowsPath)}: ` +
      `${report.replayed - report.failures.length} ok, ${report.failures.length} failed`,
    ...report.failures.map((f) => `${f.nondeterministic ? 'NONDETERMINISTIC' : 'FAILED'} ${f.workflowId}: ${f.message}`),
  ];
  await write(out, `${lines.join('\n')}\n`);
  return report.failures.length > 0 ? EXIT_FAILED : 0;
}
