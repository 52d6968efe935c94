// `npm run cli -- proof export` and `proof verify` as an outsider runs them, for tests that change a
// recipient's chain through the portal and then check that the exported bundle still verifies.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function proofCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/cli.ts', 'proof', ...args],
      { cwd: root, encoding: 'utf8', timeout: 150_000, env: process.env },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** Exports one recipient's bundle into `out`, verifies it offline, and returns its newest event line. */
export async function exportAndVerifyRecipient(recipient: {
  documentNumber: string;
  unitLabel: string;
  occupancyId: number;
  out: string;
}): Promise<Record<string, unknown>> {
  const { documentNumber, unitLabel, occupancyId, out } = recipient;
  const exported = await proofCli('export', documentNumber, '--unit', unitLabel, '--occupancy', String(occupancyId), '--out', out);
  expect(exported.stderr).toBe('');
  expect(exported.code).toBe(0);
  const verified = await proofCli('verify', out);
  expect(verified.code).toBe(0);
  expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true });
  const lines = readFileSync(join(out, 'events.jsonl'), 'utf8').split('\n').slice(0, -1);
  return JSON.parse(lines.at(-1)!) as Record<string, unknown>;
}
