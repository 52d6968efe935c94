// `cli deadlines [--as-of YYYY-MM-DD] FILE` (docs/rules.md §4): reads a JSON array of devices from FILE
// (`-` = standard input) and prints, in input order, each device's next deadline and its traffic
// light as of the given day. Without --as-of the day is today in the process's local time zone
// (set TZ=Europe/Berlin for German calendar days). Any invalid input prints one line naming the
// offending field to stderr, nothing to stdout, and exits non-zero: 2 for wrong arguments, 1 for
// unreadable or invalid input, which includes an id listed twice and an installation after the
// --as-of day.
import { JsonInputError, parseJson, readInput, write } from './io';
import { compareDates, formatDate, isDate } from '../../domain/dates';
import { ValidationError, deadlineOf, lightForDue, parseDevice, type DeadlineKind, type Light } from '../../domain/deadlines';

const USAGE = 'usage: cli deadlines [--as-of YYYY-MM-DD] FILE (FILE - reads standard input)';
const EXIT_INVALID_INPUT = 1;
const EXIT_USAGE = 2;

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

function usageError(message: string): CliError {
  return new CliError(`${message}; ${USAGE}`, EXIT_USAGE);
}

interface Options {
  asOf: string;
  file: string;
}

function parseArgs(args: readonly string[]): Options {
  let asOf: string | undefined;
  let file: string | undefined;
  let optionsEnded = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!optionsEnded && arg === '--') {
      optionsEnded = true;
    } else if (!optionsEnded && (arg === '--as-of' || arg.startsWith('--as-of='))) {
      if (asOf !== undefined) throw usageError('--as-of: given more than once');
      const value = arg === '--as-of' ? args[++i] : arg.slice('--as-of='.length);
      if (value === undefined) throw usageError('--as-of: missing (expected a date YYYY-MM-DD)');
      if (!isDate(value)) throw usageError(`--as-of: expected a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
      asOf = value;
    } else if (!optionsEnded && arg.startsWith('-') && arg !== '-') {
      throw usageError(`unknown option ${JSON.stringify(arg)}`);
    } else if (file !== undefined) {
      throw usageError(`unexpected argument ${JSON.stringify(arg)}: only one FILE`);
    } else {
      file = arg;
    }
  }
  if (file === undefined) throw usageError('FILE: missing');
  return { asOf: asOf ?? today(), file };
}

function today(): string {
  const now = new Date();
  return formatDate({ year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() });
}

async function readSource(file: string, label: string): Promise<string> {
  try {
    return await readInput(file);
  } catch (error) {
    throw new CliError(`${label}: cannot read (${error instanceof Error ? error.message : String(error)})`, EXIT_INVALID_INPUT);
  }
}

function parseDeviceList(text: string, label: string): unknown[] {
  let data: unknown;
  try {
    data = parseJson(text);
  } catch (error) {
    if (!(error instanceof JsonInputError)) throw error;
    throw new ValidationError(error.field || label, error.field ? error.problem : error.problem.replace(/^not valid JSON/, 'invalid JSON'));
  }
  if (!Array.isArray(data)) {
    throw new ValidationError(label, `expected a JSON array of devices, got ${data === null ? 'null' : `a JSON ${typeof data}`}`);
  }
  return data;
}

interface DeadlineRow {
  id: string;
  deadline: DeadlineKind;
  dueAt: string;
  light: Light;
}

/**
 * One device's row. Refuses what cannot be true on the day of the report: an id listed before
 * (`ids` maps each id to its first index; a map keeps the check linear) and an installation after it.
 */
function deadlineRow(item: unknown, index: number, asOf: string, ids: Map<string, number>): DeadlineRow {
  const path = `[${index}]`;
  const { id, facts } = parseDevice(item, path);
  const first = ids.get(id);
  if (first !== undefined) throw new ValidationError(`${path}.id`, `duplicate id ${JSON.stringify(id)} (also [${first}].id)`);
  ids.set(id, index);
  if (compareDates(facts.installedAt, asOf) > 0) {
    throw new ValidationError(
      `${path}.installedAt`,
      `${facts.installedAt} is after --as-of ${asOf} (a device cannot be installed in the future)`,
    );
  }
  try {
    const { kind, dueAt } = deadlineOf(facts);
    return { id, deadline: kind, dueAt, light: lightForDue(dueAt, asOf, facts) };
  } catch (error) {
    // Date arithmetic leaves the years 1–9999 only for absurd inputs (installed in 9995, say).
    if (error instanceof RangeError) throw new ValidationError(path, `cannot compute the deadline (${error.message})`);
    throw error;
  }
}

export async function runDeadlines(args: string[]): Promise<number> {
  let output: string;
  try {
    const { asOf, file } = parseArgs(args);
    const label = file === '-' ? '<stdin>' : file;
    const devices = parseDeviceList(await readSource(file, label), label);
    const ids = new Map<string, number>();
    output = `${JSON.stringify(
      devices.map((item, index) => deadlineRow(item, index, asOf, ids)),
      null,
      2,
    )}\n`;
  } catch (error) {
    if (!(error instanceof CliError || error instanceof ValidationError)) throw error;
    const oneLine = error.message.replace(/[\r\n]+/g, ' ');
    await write(process.stderr, `${oneLine}\n`);
    return error instanceof CliError ? error.exitCode : EXIT_INVALID_INPUT;
  }
  await write(process.stdout, output);
  return 0;
}
