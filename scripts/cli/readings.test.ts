import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Runs the real entry point, as `npm run -s cli -- readings parse ...` does.
const root = fileURLToPath(new URL('../..', import.meta.url));
const corpusPath = join(root, 'tests/fixtures/wmbusmeters/corpus.jsonl');
const dir = mkdtempSync(join(tmpdir(), 'klarmeter-readings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], stdin?: string | Buffer) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'readings', ...args], {
    cwd: root,
    input: stdin,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function fileWith(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const water = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ _: 'telegram', media: 'water', id, total_m3: 1.5, ...extra });

describe('cli readings parse', { timeout: 300_000 }, () => {
  it('maps the whole corpus, one object per telegram in input order', () => {
    const { code, stdout, stderr } = cli(['parse', corpusPath]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.endsWith('\n')).toBe(true);
    const results = JSON.parse(stdout) as { line: number; skipped?: string; serial?: string }[];
    const telegrams = readFileSync(corpusPath, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { id: string });
    expect(results).toHaveLength(216);
    results.forEach((result, i) => {
      expect(result.line).toBe(i + 1);
      if (result.skipped === undefined) expect(result.serial).toBe(telegrams[i]?.id);
    });
    // Read off the first telegram by hand: caltose allocator, current consumption and target pair.
    expect(results[0]).toEqual({
      line: 1,
      serial: '80081812',
      kind: 'HKV',
      value: 339,
      unit: 'hca',
      setDate: '2026-01-01',
      setDateValue: 627,
      status: 'MODE_2F',
    });
    expect(Object.keys(results[1] ?? {})).toEqual(['line', 'serial', 'kind', 'value', 'unit', 'setDate', 'setDateValue', 'status']);
    expect(results.filter((result) => result.skipped !== undefined)).toHaveLength(19);
  });

  it('reads standard input for "-", with a BOM, CRLF, blank lines and lines that are not JSON', () => {
    const input = `\uFEFF${water('1')}\r\n\r\n{"media": "water", "id":\r\n  \r\n${water('2', { status: 'POWER_LOW' })}\r\n[]\r\n`;
    const { code, stdout, stderr } = cli(['parse', '-'], input);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      { line: 1, serial: '1', kind: 'WZ', value: 1.5, unit: 'm3', setDate: null, setDateValue: null, status: 'ok' },
      { line: 2, skipped: 'not JSON' },
      { line: 3, serial: '2', kind: 'WZ', value: 1.5, unit: 'm3', setDate: null, setDateValue: null, status: 'POWER_LOW' },
      { line: 4, skipped: 'not JSON' },
    ]);
  });

  it('prints [] for an empty file', () => {
    const { code, stdout } = cli(['parse', fileWith('empty.jsonl', '')]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it('names a file it cannot read: exit 1, one line on stderr, nothing on stdout', () => {
    const missing = join(dir, 'missing.jsonl');
    const { code, stdout, stderr } = cli(['parse', missing]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.startsWith(`${missing}: cannot read (ENOENT`)).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    const directory = cli(['parse', dir]);
    expect(directory.code).toBe(1);
    expect(directory.stderr).toContain('EISDIR');
  });

  it.each([
    [[], 'missing subcommand'],
    [['import', '-'], 'unknown subcommand "import"'],
    [['parse'], 'FILE: missing'],
    [['parse', '-', 'other.jsonl'], 'unexpected argument "other.jsonl"'],
    [['parse', '--strict', '-'], 'unknown option "--strict"'],
  ])('rejects the arguments %j with exit 2', (args, message) => {
    const { code, stdout, stderr } = cli(args, water('1'));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain('usage: cli readings parse FILE');
  });
});
