// Input and output shared by the commands.
import { readFile } from 'node:fs/promises';

/** FILE's text, or standard input for "-", without a leading byte-order mark (Windows editors add one). */
export async function readInput(file: string): Promise<string> {
  const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  return text.replace(/^\uFEFF/, '');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

// Resolves once the text is handed to the OS, so the dispatcher's process.exit cannot cut it off.
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

/** Deeper nesting than any command's input needs (billing: 4 levels) is refused before parsing. */
export const MAX_JSON_DEPTH = 64;

/** Input that is no usable JSON; `field` is the path of the offending value, or '' for the text as a whole. */
export class JsonInputError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(field ? `${field}: ${problem}` : problem);
    this.name = 'JsonInputError';
  }
}

interface Frame {
  array: boolean;
  /** Array: index of the current element. Object: the current key's token in the text. */
  index: number;
  keyStart: number;
  keyEnd: number;
  /** Object: the next string is a key. */
  expectKey: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function pathOf(text: string, stack: readonly Frame[]): string {
  let path = '';
  for (const frame of stack) {
    if (frame.array) path += `[${frame.index}]`;
    else if (frame.keyStart >= 0) {
      const key = JSON.parse(text.slice(frame.keyStart, frame.keyEnd)) as string;
      path += /^[A-Za-z_$][\w$]*$/.test(key) ? `${path ? '.' : ''}${key}` : `[${JSON.stringify(key)}]`;
    }
  }
  return path;
}

/** The index of the quote that closes the string opened at `start`. */
function stringEnd(text: string, start: number): number {
  let at = start + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/**
 * Walks the text once, without recursion: refuses nesting deeper than MAX_JSON_DEPTH (JSON.parse
 * and any recursive reader would overflow the stack on 100 000 nested brackets), and finds the
 * first number literal too large for a double (1e999 parses as Infinity, which would later read as
 * "null"). The walk trusts the text to be JSON; JSON.parse judges that.
 */
function scan(text: string): { nonFinite: { path: string; literal: string } | null } {
  const stack: Frame[] = [];
  let nonFinite: { path: string; literal: string } | null = null;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (code === QUOTE) {
      const end = stringEnd(text, i);
      if (top && !top.array && top.expectKey) {
        top.keyStart = i;
        top.keyEnd = end + 1;
        top.expectKey = false;
      }
      i = end;
    } else if (code === 0x7b || code === 0x5b) {
      // { or [
      if (stack.length >= MAX_JSON_DEPTH) {
        throw new JsonInputError('', `nested deeper than the limit of ${MAX_JSON_DEPTH} levels (at character ${i + 1})`);
      }
      stack.push({ array: code === 0x5b, index: 0, keyStart: -1, keyEnd: -1, expectKey: code === 0x7b });
    } else if (code === 0x7d || code === 0x5d) {
      stack.pop();
    } else if (code === 0x2c) {
      // ,
      if (top?.array) top.index++;
      else if (top) top.expectKey = true;
    } else if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
      let end = i + 1;
      let exponent = false;
      for (; end < text.length; end++) {
        const c = text.charCodeAt(end);
        if (c === 0x65 || c === 0x45) exponent = true;
        else if (!(c === 0x2e || c === 0x2b || c === 0x2d || (c >= 0x30 && c <= 0x39))) break;
      }
      // Without an exponent only a literal of more than 308 digits can overflow.
      if (nonFinite === null && (exponent || end - i > 308)) {
        const literal = text.slice(i, end);
        if (!Number.isFinite(Number(literal))) nonFinite = { path: pathOf(text, stack), literal };
      }
      i = end - 1;
    }
  }
  return { nonFinite };
}

/**
 * JSON.parse with bounded nesting and a clear message for numbers beyond a double's range. Errors
 * name the path of the offending value (`units[2].area`, `[0].calibratedYear`).
 */
export function parseJson(text: string): unknown {
  const { nonFinite } = scan(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new JsonInputError('', `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (nonFinite) {
    throw new JsonInputError(nonFinite.path, `${nonFinite.literal} is not a finite number (a double reaches only about 1.8e308)`);
  }
  return value;
}
