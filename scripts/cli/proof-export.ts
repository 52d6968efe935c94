// `cli proof export <statementId|documentNumber> --unit <unit> [--version N] [--occupancy ID] --out DIR|FILE.zip`
// (shared/PROOF.md): writes one recipient's evidence bundle from the database, as a directory or a
// ZIP holding one folder. Prints {"written":…,"events":N,"keyFingerprint":"…"} and exits 0. Wrong
// arguments, an unknown statement, unit or recipient, a missing setting or an output that exists
// exit 2 with one line on stderr naming the argument; a stored chain that does not verify exits 1
// (nothing is written: the portal signs no bundle it cannot vouch for). Without DATABASE_URL it uses
// the embedded PostgreSQL and the secrets of `npm start` (.data/), started for the export if needed.
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { write } from './io';
import { writeBundle, zipBundle } from '../../server/proof/bundle';
import { ProofExportError, findRecipient, recipientBundle, type RecipientQuery } from '../../server/proof-export';
import { SigningKeyMissingError } from '../../server/proof/signing';
import { ConfigError, config } from '../../server/config';
import { db } from '../../server/db';
import { ensureDatabase } from '../lib/services';

const USAGE = 'usage: cli proof export <statementId|documentNumber> --unit <unit> [--version N] [--occupancy ID] --out DIR|FILE.zip';
const EXIT_REFUSED = 1;
const EXIT_INPUT = 2;

class ArgumentError extends Error {}

interface ExportArgs extends RecipientQuery {
  out: string;
}

function positiveInteger(option: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value)))
    throw new ArgumentError(`${option}: expected a whole number from 1, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function parseExportArgs(args: readonly string[]): ExportArgs {
  const options = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const match = /^(--(?:unit|version|occupancy|out))(?:=(.*))?$/.exec(arg);
    if (match) {
      const option = match[1] as string;
      const value = match[2] ?? args[++i];
      if (value === undefined || value === '') throw new ArgumentError(`${option}: missing value`);
      if (options.has(option)) throw new ArgumentError(`${option}: given more than once`);
      options.set(option, value);
    } else if (arg.startsWith('-')) throw new ArgumentError(`unknown option ${JSON.stringify(arg)}`);
    else positional.push(arg);
  }
  const [statement, ...more] = positional;
  if (statement === undefined) throw new ArgumentError('statement: missing (a statement id or a document number)');
  if (more.length > 0) throw new ArgumentError(`unexpected argument ${JSON.stringify(more[0])}: only one statement`);
  const unit = options.get('--unit');
  if (unit === undefined) throw new ArgumentError('--unit: missing (the unit label or id)');
  const out = options.get('--out');
  if (out === undefined) throw new ArgumentError('--out: missing (a new directory, or a file ending in .zip)');
  const version = options.get('--version');
  const occupancy = options.get('--occupancy');
  return {
    statement,
    unit,
    out,
    ...(version === undefined ? {} : { version: positiveInteger('--version', version) }),
    ...(occupancy === undefined ? {} : { occupancy: positiveInteger('--occupancy', occupancy) }),
  };
}

export async function runExport(args: string[]): Promise<number> {
  let summary: string;
  try {
    const parsed = parseExportArgs(args);
    // Beside `npm start` (or after it) without settings: its embedded PostgreSQL and .data/ secrets.
    const stopDatabase = await ensureDatabase((line) => process.stderr.write(`${line}\n`));
    const database = db();
    try {
      const ref = await findRecipient(database, parsed);
      const publicUrl = config().PUBLIC_URL;
      const { bundle, folder } = await recipientBundle(database, ref, publicUrl === undefined ? {} : { publicUrl });
      if (parsed.out.toLowerCase().endsWith('.zip')) {
        const zipFolder = basename(parsed.out).slice(0, -'.zip'.length) || folder;
        try {
          await writeFile(parsed.out, zipBundle(bundle, /^[^/\\]+$/.test(zipFolder) && !/^\.\.?$/.test(zipFolder) ? zipFolder : folder), {
            flag: 'wx',
          });
        } catch (error) {
          throw new ArgumentError(`--out: cannot write ${parsed.out} (${(error as Error).message})`);
        }
      } else {
        await writeBundle(parsed.out, bundle).catch((error: Error) => {
          throw new ArgumentError(`--out: ${error.message}`);
        });
      }
      const events = bundle.files.get('events.jsonl');
      const count = events ? Buffer.from(events).toString('utf8').split('\n').length - 1 : 0;
      summary = `${JSON.stringify({ written: parsed.out, events: count, keyFingerprint: bundle.keyFingerprint })}\n`;
    } finally {
      await database.close();
      await stopDatabase();
    }
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/[\r\n]+/g, ' ');
    const refused = error instanceof ProofExportError && /does not verify/.test(error.message);
    const input =
      error instanceof ArgumentError ||
      error instanceof ProofExportError ||
      error instanceof ConfigError ||
      error instanceof SigningKeyMissingError;
    await write(process.stderr, error instanceof ArgumentError ? `${message}; ${USAGE}\n` : `${message}\n`);
    return refused || !input ? EXIT_REFUSED : EXIT_INPUT;
  }
  await write(process.stdout, summary);
  return 0;
}
