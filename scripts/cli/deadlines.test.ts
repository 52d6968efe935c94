import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Runs the real entry point, as `npm run -s cli -- deadlines ...` does.
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'klarmeter-deadlines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], stdin?: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'deadlines', ...args], {
    cwd: root,
    input: stdin,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function fileWith(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const example = [
  { id: 'WZ-2021-01887', type: 'WZ-K', installedAt: '2021-06-01', calibratedYear: 2021, batteryPercent: 78, lastReadingAt: '2026-11-20' },
];
const exampleOutput = [{ id: 'WZ-2021-01887', deadline: 'calibration', dueAt: '2027-12-31', light: 'green' }];

describe('cli deadlines', { timeout: 300_000 }, () => {
  it('prints the docs/rules.md §4 example', () => {
    const { code, stdout, stderr } = cli(['--as-of', '2026-11-26', fileWith('example.json', JSON.stringify(example))]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.endsWith('\n')).toBe(true);
    expect(JSON.parse(stdout)).toEqual(exampleOutput);
  });

  it('reads standard input for "-", accepts --as-of=DATE and keeps input order', () => {
    const devices = [
      { id: 'rwm-1', type: 'RWM', installedAt: '2016-03-10', lastInspectionAt: '2026-03-01' },
      { id: 'hkv-1', type: 'HKV', installedAt: '2016-12-15', batteryPercent: 20, lastReadingAt: null },
      { id: 'rwm-2', type: 'RWM', installedAt: '2024-01-31' },
      ...example,
      { id: 'gz-1', type: 'GZ', installedAt: '2018-04-01' },
      { id: 'wmz-1', type: 'WMZ', installedAt: '2020-02-01', lastReadingAt: '2026-10-26' },
    ];
    const { code, stdout, stderr } = cli(['--as-of=2026-11-26', '-'], JSON.stringify(devices));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      { id: 'rwm-1', deadline: 'replacement', dueAt: '2026-09-10', light: 'red' },
      { id: 'hkv-1', deadline: 'replacement', dueAt: '2026-12-15', light: 'yellow' },
      { id: 'rwm-2', deadline: 'inspection', dueAt: '2025-04-30', light: 'red' },
      ...exampleOutput,
      { id: 'gz-1', deadline: 'calibration', dueAt: '2026-12-31', light: 'yellow' },
      { id: 'wmz-1', deadline: 'calibration', dueAt: '2026-12-31', light: 'red' }, // silent for 31 days
    ]);
  });

  it('prints [] for an empty list', () => {
    const { code, stdout } = cli(['--as-of', '2026-11-26', '-'], '[]');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it('defaults --as-of to today: a device installed a year from now is refused, one installed today is not', () => {
    const now = new Date();
    const day = (year: number) =>
      `${year}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(Math.min(now.getDate(), 28)).padStart(2, '0')}`;
    const device = (installedAt: string) => [{ ...example[0], installedAt, calibratedYear: null, lastReadingAt: undefined }];
    const future = cli(['-'], JSON.stringify(device(day(now.getFullYear() + 1))));
    expect(future.code).toBe(1);
    expect(future.stderr).toContain('[0].installedAt: ');
    const installedThisYear = cli(['-'], JSON.stringify(device(`${now.getFullYear()}-01-01`)));
    expect(installedThisYear.code).toBe(0);
    expect(JSON.parse(installedThisYear.stdout)).toEqual([
      { id: 'WZ-2021-01887', deadline: 'calibration', dueAt: `${now.getFullYear() + 6}-12-31`, light: 'green' },
    ]);
  });

  it('counts the calibration from calibratedYear, not from the installation (MessEV §34(2))', () => {
    const marked2020 = [{ ...example[0], installedAt: '2021-03-01', calibratedYear: 2020 }];
    const { code, stdout } = cli(['--as-of', '2026-11-26', '-'], JSON.stringify(marked2020));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([{ id: 'WZ-2021-01887', deadline: 'calibration', dueAt: '2026-12-31', light: 'yellow' }]);
  });

  const device = (patch: Record<string, unknown>) => JSON.stringify([example[0], { ...example[0], id: 'second', ...patch }]);

  it.each([
    ['invalid JSON', '[{"id": ', '<stdin>: invalid JSON'],
    ['not an array', '{"devices": []}', '<stdin>: expected a JSON array of devices, got a JSON object'],
    ['an element that is no object', '[1]', '[0]: expected a device object, got 1'],
    ['a missing id', device({ id: undefined }), '[1].id: missing'],
    ['an empty id', device({ id: '' }), '[1].id: expected a non-empty string'],
    ['an unknown type', device({ type: 'XY' }), '[1].type: unknown device type "XY" (expected HKV, WZ-K, WZ-W, WMZ, GZ, RWM)'],
    ['a missing type', device({ type: undefined }), '[1].type: missing'],
    ['a missing installedAt', device({ installedAt: undefined }), '[1].installedAt: missing (expected a date YYYY-MM-DD)'],
    ['an impossible installedAt', device({ installedAt: '2025-02-30' }), '[1].installedAt: expected a date YYYY-MM-DD'],
    ['a fractional calibratedYear', device({ calibratedYear: 2021.5 }), '[1].calibratedYear: expected an integer year'],
    ['a battery over 100 %', device({ batteryPercent: 101 }), '[1].batteryPercent: expected a number from 0 to 100'],
    ['a negative battery', device({ batteryPercent: -1 }), '[1].batteryPercent: expected a number from 0 to 100'],
    ['a bad lastReadingAt', device({ lastReadingAt: '26.11.2026' }), '[1].lastReadingAt: expected a date YYYY-MM-DD'],
    ['a bad lastInspectionAt', device({ type: 'RWM', lastInspectionAt: '2026-11-31' }), '[1].lastInspectionAt: expected a date YYYY-MM-DD'],
    ['an installation after --as-of', device({ installedAt: '2026-11-27' }), '[1].installedAt: 2026-11-27 is after --as-of 2026-11-26'],
    ['a duplicate id', device({ id: 'WZ-2021-01887' }), '[1].id: duplicate id "WZ-2021-01887" (also [0].id)'],
    [
      'a calibratedYear of 1e999',
      '[{"id":"a","type":"GZ","installedAt":"2020-01-01","calibratedYear":1e999}]',
      '[0].calibratedYear: 1e999 is not a finite number',
    ],
    ['100 000 nested brackets', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, '<stdin>: nested deeper than the limit of 64 levels'],
  ])('rejects %s: exit 1, one line on stderr, nothing on stdout', (_case, input, message) => {
    const { code, stdout, stderr } = cli(['--as-of', '2026-11-26', '-'], input);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('refuses a deadline beyond the year 9999', () => {
    const { code, stdout, stderr } = cli(['--as-of', '9999-01-01', '-'], device({ installedAt: '9995-01-01', calibratedYear: null }));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('[1]: cannot compute the deadline');
  });

  it('checks duplicate ids among 100 000 devices and names both places', () => {
    const devices = Array.from({ length: 100_000 }, (_, i) => ({
      id: `HKV-${i === 99_999 ? 3 : i}`,
      type: 'HKV',
      installedAt: '2020-01-01',
    }));
    const { code, stdout, stderr } = cli(['--as-of', '2026-11-26', fileWith('many.json', JSON.stringify(devices))]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('[99999].id: duplicate id "HKV-3" (also [3].id)\n');
  });

  it('names an unreadable file', () => {
    const missing = join(dir, 'missing.json');
    const { code, stdout, stderr } = cli(['--as-of', '2026-11-26', missing]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.startsWith(`${missing}: cannot read (ENOENT`)).toBe(true);
  });

  it.each([
    [['--as-of', '2026-02-30', '-'], '--as-of: expected a date YYYY-MM-DD, got "2026-02-30"'],
    [['--as-of=26.11.2026', '-'], '--as-of: expected a date YYYY-MM-DD, got "26.11.2026"'],
    [['-', '--as-of'], '--as-of: missing'],
    [['--as-of', '2026-11-26', '--as-of', '2026-11-27', '-'], '--as-of: given more than once'],
    [['--verbose', '-'], 'unknown option "--verbose"'],
    [['--as-of', '2026-11-26'], 'FILE: missing'],
    [['-', 'other.json'], 'unexpected argument "other.json"'],
  ])('rejects the arguments %j with exit 2', (args, message) => {
    const { code, stdout, stderr } = cli(args, JSON.stringify(example));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain('usage: cli deadlines');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
