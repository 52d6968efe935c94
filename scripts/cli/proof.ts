// `cli proof verify DIR [--key PEM]` (shared/PROOF.md, "Verification"): checks an evidence bundle
// offline and prints one JSON object: {"valid":true,"events":N,"keyFingerprint":"…"} with exit 0, or
// {"valid":false,"reason":"…"} naming the first failing line or file with exit 1. Input that
// cannot be read (no such directory, a missing chain file, a head that is not JSON, no usable key) and wrong
// arguments exit 2 with one line on stderr and nothing on stdout. --key names the public key to
// trust; without it the bundle's own public-key.pem is used and its fingerprint printed.
import { readFile } from 'node:fs/promises';
import { write } from './io';
import { runExport } from './proof-export';
import { ProofKeyError, loadPublicKey } from '../../server/proof/keys';
import { UnreadableBundleError, directorySource, verifyBundle } from '../../server/proof/verify';

const USAGE = 'usage: cli proof verify DIR [--key PEM] | cli proof export <statementId|documentNumber> --unit <unit> --out DIR|FILE.zip';
const EXIT_INVALID = 1;
const EXIT_UNREADABLE = 2;

class ArgumentError extends Error {}

function parseVerifyArgs(args: readonly string[]): { dir: string; key?: string } {
  let dir: string | undefined;
  let key: string | undefined;
  let optionsEnded = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!optionsEnded && arg === '--') {
      optionsEnded = true;
    } else if (!optionsEnded && (arg === '--key' || arg.startsWith('--key='))) {
      if (key !== undefined) throw new ArgumentError('--key: given more than once');
      const value = arg === '--key' ? args[++i] : arg.slice('--key='.length);
      if (value === undefined || value === '') throw new ArgumentError('--key: missing (expected a public key PEM file)');
      key = value;
    } else if (!optionsEnded && arg.startsWith('-')) {
      throw new ArgumentError(`unknown option ${JSON.stringify(arg)}`);
    } else if (dir !== undefined) {
      throw new ArgumentError(`unexpected argument ${JSON.stringify(arg)}: only one DIR`);
    } else {
      dir = arg;
    }
  }
  if (dir === undefined) throw new ArgumentError('DIR: missing');
  return key === undefined ? { dir } : { dir, key };
}

async function trustedKey(path: string) {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UnreadableBundleError(`${path}: cannot read (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return loadPublicKey(text, path);
  } catch (error) {
    if (error instanceof ProofKeyError) throw new UnreadableBundleError(error.message);
    throw error;
  }
}

async function runVerify(args: string[]): Promise<number> {
  let output: string;
  let code: number;
  try {
    const { dir, key } = parseVerifyArgs(args);
    const trusted = key === undefined ? undefined : await trustedKey(key);
    const result = await verifyBundle(await directorySource(dir), trusted);
    output = `${JSON.stringify(result)}\n`;
    code = result.valid ? 0 : EXIT_INVALID;
  } catch (error) {
    if (error instanceof ArgumentError) {
      await write(process.stderr, `${error.message}; ${USAGE}\n`);
      return EXIT_UNREADABLE;
    }
    // Anything else also means nothing was decided: never let it pass for "invalid" (exit 1).
    const message = error instanceof Error ? error.message : String(error);
    await write(process.stderr, `${message.replace(/[\r\n]+/g, ' ')}\n`);
    return EXIT_UNREADABLE;
  }
  await write(process.stdout, output);
  return code;
}

const subcommands: Record<string, (args: string[]) => Promise<number>> = { verify: runVerify, export: runExport };

export async function runProof(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const subcommand = name === undefined ? undefined : subcommands[name];
  if (subcommand === undefined) {
    await write(process.stderr, `${name === undefined ? 'missing subcommand' : `unknown subcommand ${JSON.stringify(name)}`}; ${USAGE}\n`);
    return EXIT_UNREADABLE;
  }
  return subcommand(rest);
}
