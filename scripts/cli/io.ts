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
