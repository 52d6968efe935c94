import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CONTRACT_OUTPUT, combinedPlant, contractInput } from '../../domain/billing/test-fixtures';
import { runBilling } from './billing';

// Runs the real entry point, as `npm run -s cli -- billing compute FILE` does.
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'klarmeter-billing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], stdin?: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'billing', ...args], {
    cwd: root,
    input: stdin,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let fileCount = 0;
function fileWith(content: string): string {
  const path = join(dir, `input-${fileCount++}.json`);
  writeFileSync(path, content);
  return path;
}

/** The result with the extra keys (derivation, occupancy cut) removed, to compare with the contract. */
function contractKeysOf(output: Record<string, unknown>) {
  const units = output.units as Record<string, unknown>[];
  return {
    ...output,
    units: units.map(({ derivation: _derivation, ...unit }) => ({
      ...unit,
      ...(unit.occupancies
        ? { occupancies: (unit.occupancies as Record<string, unknown>[]).map(({ cut: _cut, ...occupancy }) => occupancy) }
        : {}),
    })),
  };
}

function withChange(change: (input: Record<string, unknown>) => void): string {
  const input = contractInput();
  change(input);
  return JSON.stringify(input);
}
const unit = (input: Record<string, unknown>, index: number) => (input.units as Record<string, unknown>[])[index]!;

describe('cli billing compute', { timeout: 300_000 }, () => {
  it('prints exactly the docs/rules.md §2 contract output for its example', () => {
    const { code, stdout, stderr } = cli(['compute', fileWith(JSON.stringify(contractInput()))]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const output = JSON.parse(stdout);
    expect(contractKeysOf(output)).toEqual(CONTRACT_OUTPUT);
    expect(Object.keys(output)).toEqual(['methods', 'units', 'warnings']);
    expect(Object.keys(output.units[0])).toEqual(['id', 'heating', 'hotWater', 'coldWater', 'cut', 'total', 'occupancies', 'derivation']);
  });

  it('reads standard input for "-" and adds combined and co2 after warnings', () => {
    const input = {
      ...contractInput(),
      heating: { consumptionShare: 0.7 },
      hotWater: { cost: 0, consumptionShare: 0.5 },
      combined: combinedPlant(),
      co2: { kg: 20000, cost: 900, area: 700 },
    };
    const { code, stdout, stderr } = cli(['compute', '-'], JSON.stringify(input));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const output = JSON.parse(stdout);
    expect(Object.keys(output)).toEqual(['methods', 'units', 'warnings', 'combined', 'co2']);
    expect(output.combined).toMatchObject({ hotWaterKwh: 5900, hotWaterShare: 0.173529, heatingCost: 2688.92, hotWaterCost: 564.58 });
    expect(output.co2).toEqual({ kgPerM2: 28.57, landlordShare: 0.4, landlordCost: 360, tenantCost: 540 });
  });

  it.each<[string, string[], RegExp]>([
    ['an unknown subcommand', ['estimate', '-'], /unknown subcommand "estimate"/],
    ['no subcommand', [], /missing subcommand/],
    ['no FILE', ['compute'], /expected exactly one FILE argument/],
    ['two FILEs', ['compute', 'a.json', 'b.json'], /expected exactly one FILE argument/],
  ])('refuses %s as a bad command line: exit 2, usage on stderr, nothing on stdout', (_, args, message) => {
    const { code, stdout, stderr } = cli(args, '{}');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toContain('Usage: cli billing compute FILE');
  });

  it('refuses 100 000 nested brackets with a message naming the nesting limit (no stack overflow)', () => {
    const { code, stdout, stderr } = cli(['compute', fileWith(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^billing compute: input: nested deeper than the limit of 64 levels/);
    expect(stderr).not.toMatch(/call stack/i);
  });

  it('names a number too large for a double by its field and literal (1e999 is not "null")', () => {
    const text = JSON.stringify(contractInput()).replace('"area":80', '"area":1e999');
    const { code, stdout, stderr } = cli(['compute', fileWith(text)]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('billing compute: units[1].area: 1e999 is not a finite number (a double reaches only about 1.8e308)\n');
  });

  // Speed is the bench's business; here the 100 000 units only show the check names both places at scale.
  it('finds a duplicate among 100 000 units and names both places', () => {
    const units = Array.from({ length: 100_000 }, (_, i) => ({ id: `U${i === 99_999 ? 17 : i}`, area: 50, heating: 1, hotWater: 1 }));
    const { code, stdout, stderr } = cli(['compute', fileWith(JSON.stringify({ ...contractInput(), units }))]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('billing compute: units[99999].id: duplicate id "U17" (also units[17].id)\n');
  });

  it.each<[string, () => { args: string[]; stdin?: string }, RegExp]>([
    ['invalid JSON', () => ({ args: ['compute', fileWith('{"period": ')] }), /input: not valid JSON/],
    ['a missing file', () => ({ args: ['compute', join(dir, 'missing.json')] }), /FILE: cannot read .*missing\.json/],
    [
      'a type mismatch deep in an occupancy',
      () => ({
        args: ['compute', '-'],
        stdin: withChange((input) => {
          ((unit(input, 0).occupancies as Record<string, unknown>[])[1] as Record<string, unknown>).hotWater = 'twelve';
        }),
      }),
      /^billing compute: units\[0\]\.occupancies\[1\]\.hotWater: must be a non-negative number \(got a string\)$/m,
    ],
    [
      'a share out of range',
      () => ({
        args: ['compute', '-'],
        stdin: withChange((input) => {
          input.heating = { cost: 1, consumptionShare: 0.8 };
        }),
      }),
      /heating\.consumptionShare: must be between 0\.5 and 0\.7/,
    ],
    [
      'a negative area',
      () => ({
        args: ['compute', '-'],
        stdin: withChange((input) => {
          unit(input, 1).area = -80;
        }),
      }),
      /units\[1\]\.area: must be a positive number/,
    ],
    [
      'a negative cost',
      () => ({
        args: ['compute', '-'],
        stdin: withChange((input) => {
          input.hotWater = { cost: -1, consumptionShare: 0.5 };
        }),
      }),
      /hotWater\.cost: must be a non-negative amount/,
    ],
    [
      'duplicate unit ids',
      () => ({
        args: ['compute', '-'],
        stdin: withChange((input) => {
          unit(input, 1).id = 'A';
        }),
      }),
      /units\[1\]\.id: duplicate id "A"/,
    ],
    [
      'occupancy readings that do not sum to the unit',
      () => ({
        args: ['compute', '-'],
        stdin: withChange((input) => {
          unit(input, 0).hotWater = 21;
        }),
      }),
      /units\[0\]\.occupancies: hotWater readings sum to 20, but units\[0\]\.hotWater is 21/,
    ],
    [
      'an unknown estimated value',
      () => ({
        args: ['compute', '-'],
        stdin: withChange((input) => {
          unit(input, 2).estimated = ['water'];
        }),
      }),
      /units\[2\]\.estimated\[0\]: must be one of/,
    ],
    [
      'an unknown cut',
      () => ({
        args: ['compute', '-'],
        stdin: withChange((input) => {
          unit(input, 2).cuts = ['too-expensive'];
        }),
      }),
      /units\[2\]\.cuts\[0\]: must be one of/,
    ],
    [
      'a bad date',
      () => ({
        args: ['compute', '-'],
        stdin: withChange((input) => {
          input.period = { start: '2025-13-01', end: '2025-12-31' };
        }),
      }),
      /period\.start: must be a date YYYY-MM-DD/,
    ],
    [
      'a period ending before it starts',
      () => ({
        args: ['compute', '-'],
        stdin: withChange((input) => {
          input.period = { start: '2025-12-31', end: '2025-01-01' };
        }),
      }),
      /period\.end: must not be before period\.start/,
    ],
    [
      'combined together with heating.cost',
      () => ({
        args: ['compute', '-'],
        stdin: withChange((input) => {
          input.combined = combinedPlant();
        }),
      }),
      /heating\.cost: must be omitted or 0 when combined is given/,
    ],
  ])('rejects %s: exit 1, the field on stderr, nothing on stdout', (_, make, message) => {
    const { args, stdin } = make();
    const { code, stdout, stderr } = cli(args, stdin);
    expect(stdout).toBe('');
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
  });
});

describe('runBilling', () => {
  afterEach(() => vi.restoreAllMocks());

  /** Captures what runBilling writes; the streams' write callbacks are called at once. */
  function capture(stream: NodeJS.WriteStream): string[] {
    const chunks: string[] = [];
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string, callback?: (error?: Error | null) => void) => {
      chunks.push(chunk);
      callback?.();
      return true;
    }) as typeof stream.write);
    return chunks;
  }

  it('never writes to stdout when it rejects the input', async () => {
    const anyValue = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), anyValue, async (unitSeed, keySeed, value) => {
        const input = contractInput();
        const target = unit(input, unitSeed % 3);
        const keys = Object.keys(target);
        target[keys[keySeed % keys.length]!] = value;
        const stdout = capture(process.stdout);
        const stderr = capture(process.stderr);
        const code = await runBilling(['compute', fileWith(JSON.stringify(input))]);
        vi.restoreAllMocks();
        if (code === 0) {
          expect(stdout).toHaveLength(1);
          expect(stderr).toEqual([]);
        } else {
          expect(stdout).toEqual([]);
          expect(stderr.join('')).toMatch(/^billing compute: units\[\d\]\./);
        }
      }),
      { numRuns: 100 },
    );
  });
});
