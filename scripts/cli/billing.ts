// `cli billing compute FILE` (docs/rules.md §2): one JSON result on stdout and exit 0, or a message naming
// the offending field on stderr, a non-zero exit and nothing on stdout.
import { computeBilling, parseBillingInput } from '../../domain/billing';
import { ValidationError } from '../../domain/validation';
import { JsonInputError, parseJson, readInput, write } from './io';

const USAGE = 'Usage: cli billing compute FILE   (FILE "-" reads standard input)';
const EXIT_INVALID_INPUT = 1;
const EXIT_USAGE = 2;

/** Reads and parses FILE; a failure is reported as an input error, not a crash. */
async function readJson(file: string): Promise<{ json: unknown } | { error: string }> {
  let text: string;
  try {
    text = await readInput(file);
  } catch (error) {
    return { error: `FILE: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}` };
  }
  try {
    return { json: parseJson(text) };
  } catch (error) {
    if (!(error instanceof JsonInputError)) throw error;
    return { error: `${error.field || 'input'}: ${error.problem}` };
  }
}

export async function runBilling(args: string[]): Promise<number> {
  const [subcommand, file, ...extra] = args;
  if (subcommand !== 'compute') {
    const problem = subcommand === undefined ? 'missing subcommand' : `unknown subcommand "${subcommand}"`;
    await write(process.stderr, `billing: ${problem}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (file === undefined || extra.length > 0) {
    await write(process.stderr, `billing compute: expected exactly one FILE argument\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const input = await readJson(file);
  if ('error' in input) {
    await write(process.stderr, `billing compute: ${input.error}\n`);
    return EXIT_INVALID_INPUT;
  }
  let output: string;
  try {
    output = `${JSON.stringify(computeBilling(parseBillingInput(input.json)), null, 2)}\n`;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    await write(process.stderr, `billing compute: ${error.message}\n`);
    return EXIT_INVALID_INPUT;
  }
  await write(process.stdout, output);
  return 0;
}
