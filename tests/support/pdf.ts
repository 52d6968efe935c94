// A PDF's text as pdftotext lays it out (poppler-utils), for asserting what a rendered document says.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export async function pdfText(pdf: Uint8Array): Promise<string> {
  if (Buffer.from(pdf.subarray(0, 5)).toString() !== '%PDF-') throw new Error('not a PDF');
  const child = promisify(execFile)('pdftotext', ['-layout', '-enc', 'UTF-8', '-', '-'], { maxBuffer: 10 * 1024 * 1024 });
  child.child.stdin!.end(pdf);
  // Layout mode separates columns with spaces; no-break spaces become plain ones.
  return (await child).stdout.replace(/\u00a0/g, ' ');
}
