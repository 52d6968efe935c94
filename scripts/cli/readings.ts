// `cli readings parse FILE` (shared/READINGS.md): reads wmbusmeters JSON lines from FILE (`-` =
// standard input) and prints the JSON array of readings and skipped lines in input order, exit 0.
// Lines that are not JSON are reported in the array, never fatal. A file that cannot be read exits
// 1 with one line on stderr; wrong arguments exit 2.
import { readInput, write } from './io';
import { parseWmbusLines } from '../../domain/readings-wmbus';

const USAGE = 'usage: cli readings parse FILE (FILE - reads standard input)';
const EXIT_UNREADABLE = 1;
const EXIT_USAGE = 2;

function parseArgs(args: readonly string[]): string | { error: string } {
  const [sub, ...rest] = args;
  if (sub !== 'parse') return { error: sub === undefined ? 'missing subcommand' : `unknown subcommand ${JSON.stringify(sub)}` };
  const files: string[] = [];
  let optionsEnded = false;
  for (const arg of rest) {
    if (!optionsEnded && arg === '--') optionsEnded = true;
    else if (!optionsEnded && arg.startsWith('-') && arg !== '-') return { error: `unknown option ${JSON.stringify(arg)}` };
    else files.push(arg);
  }
  const [file, extra] = files;
  if (file === undefined) return { error: 'FILE: missing' };
  if (extra !== undefined) return { error: `unexpected argument ${JSON.stringify(extra)}: only one FILE` };
  return file;
}

export async function runReadings(args: string[]): Promise<number> {
  const file = parseArgs(args);
  if (typeof file !== 'string') {
    await write(process.stderr, `${file.error}; ${USAGE}\n`);
    return EXIT_USAGE;
  }
  let text: string;
  try {
    text = await readInput(file);
  } catch (error) {
    const label = file === '-' ? '<stdin>' : file;
    const reason = (error instanceof Error ? error.message : String(error)).replace(/[\r\n]+/g, ' ');
    await write(process.stderr, `${label}: cannot read (${reason})\n`);
    return EXIT_UNREADABLE;
  }
  await write(process.stdout, `${JSON.stringify(parseWmbusLines(text), null, 2)}\n`);
  return 0;
}
