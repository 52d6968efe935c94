// `npm run bench -- billing`: the HKVO engine for 1,000 and 10,000 units, the integer engine against
// the rational reference engine on the same input in the same run (median of several runs each,
// interleaved; target: at least 10× faster, about 90 ms for 10,000 units), also the whole assembly
// from readings against the assembly as it was when issue 13 was filed, taken from git (the "1.5 s"
// the issue measured; it must give the same amounts; target also 10×), and, not a target, today's
// assembly with the rational engine swapped in, which shows the engine's share. Each as wall and CPU time
// with the load average, since the machine is shared; and statement PDFs per second against raw Chromium
// printing of a trivial page in the same browser, same count, same concurrency, same print options
// (A4, running footer with page numbers). Target: the statement rate is at least 80 % of the raw
// rate. For reference also the rate of a bare A4 print without the footer. Synthetic data: no
// database needed. BENCH_PDFS=0 leaves the PDF series out.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { computeBilling, computeBillingRational } from '../../domain/billing';
import { addDays } from '../../domain/dates';
import {
  assembleStatement,
  type BillingFacts,
  type DeviceFacts,
  type ReadingPoint,
  type StatementData,
  type StatementRequest,
  type UnitFacts,
} from '../../domain/billing/statement';
import { exampleStatementRequest } from '../../domain/billing/example-request';
import { createPdfRenderer, launchChromium, pdfOptions, printPage } from '../../server/pdf';
import { renderStatementPdf, statementDocumentModel } from '../../server/statement-documents';
import { seededRandom } from '../../db/seed/random';
import { pool, round } from './stats';

const PERIOD = { start: '2025-01-01', end: '2025-12-31' };
const ENGINE_SIZES = [1_000, 10_000];
const PDF_COUNT = Number(process.env.BENCH_PDFS ?? 40);
const PDF_CONCURRENCY = Number(process.env.BENCH_PDF_CONCURRENCY ?? Math.max(1, Math.min(4, cpus().length)));
const TARGET_RATIO = 0.8;
/** Issue 13: the integer engine at least 10× faster than the rational one. */
const TARGET_SPEED_UP = 10;
const log = (line: string) => console.error(`[bench] ${line}`);

const point = (day: string, value: number): ReadingPoint => ({ day, at: Date.parse(`${day}T04:00:00Z`), value, setDateValue: null });

/**
 * A property of `size` flats, four HKVs and two water meters each, read at the period's start and
 * end: one flat in 20 changed tenant mid-year (with an intermediate reading), one in 50 lacks its
 * end reading (substitute value).
 */
export function syntheticFacts(size: number, seed = size): BillingFacts {
  const random = seededRandom(seed);
  const end = addDays(PERIOD.end, 1);
  let deviceId = 0;
  const units: UnitFacts[] = Array.from({ length: size }, (_, i) => {
    const id = i + 1;
    const change = i % 20 === 7 ? '2025-06-16' : null;
    const missing = i % 50 === 13;
    const device = (type: DeviceFacts['type'], perYear: number, decimals: number): DeviceFacts => {
      const start = random.int(0, 5000);
      const round3 = (v: number) => Number(v.toFixed(decimals));
      const readings = [point(PERIOD.start, start)];
      if (change) readings.push(point(change, round3(start + perYear * 0.6)));
      if (!missing || type !== 'HKV') readings.push(point(end, round3(start + perYear)));
      return {
        id: ++deviceId,
        serial: `${type}-${deviceId}`,
        type,
        location: null,
        installedAt: '2020-01-01',
        remoteReadable: true,
        readings,
      };
    };
    const area = random.int(38, 118);
    return {
      id,
      label: `Whg. ${Math.floor(i / 8)}.${String((i % 8) + 1).padStart(2, '0')}`,
      floor: null,
      areaM2: area,
      devices: [
        ...Array.from({ length: 4 }, () => device('HKV', random.int(150, 900), 0)),
        device('WZ-W', area * (0.2 + random.next() * 0.2), 3),
        device('WZ-K', area * (0.4 + random.next() * 0.4), 3),
      ],
      tenancies: change
        ? [
            { id: id * 2, tenantName: `Mieter ${id}a`, startsOn: '2015-01-01', endsOn: addDays(change, -1) },
            { id: id * 2 + 1, tenantName: `Mieter ${id}b`, startsOn: change, endsOn: null },
          ]
        : [{ id: id * 2, tenantName: `Mieter ${id}`, startsOn: '2015-01-01', endsOn: null }],
    };
  });
  return {
    organisationName: 'Benchmark Immobilien',
    property: {
      id: 1,
      organisationId: 1,
      name: 'Benchmarkstraße 1',
      street: 'Benchmarkstraße 1',
      postalCode: '10115',
      city: 'Berlin',
      federalState: 'BE',
    },
    period: PERIOD,
    units,
  };
}

/** The fixture's costs, scaled so that a large house has plausible totals. */
export function requestFor(size: number): StatementRequest {
  const request = exampleStatementRequest(1);
  const scale = Math.max(1, Math.round(size / 4));
  return {
    ...request,
    costs: request.costs.map((line) => ({
      ...line,
      amount: line.amount * scale,
      taxesAndLevies: line.taxesAndLevies && line.taxesAndLevies * scale,
      kwh: line.kwh && line.kwh * scale,
    })),
    parameters: {
      ...request.parameters,
      coldWaterCost: request.parameters.coldWaterCost * scale,
      co2Kg: request.parameters.co2Kg! * scale,
      co2Cost: request.parameters.co2Cost! * scale,
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

interface Timing {
  medianMs: number;
  /** This process's CPU time (all its threads, garbage collection included): less skewed by other load. */
  medianCpuMs: number;
  runs: number;
}

function time(work: () => unknown): { ms: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  work();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * Median milliseconds of each piece of work, the pieces run alternately sample by sample, so that
 * the load of a shared machine hits all of them alike. One warm-up run each first (JIT, lazy
 * initialisation). A piece given as undefined is left out and has no timing.
 */
function interleavedMedians<W extends Record<string, (() => unknown) | undefined>>(
  runs: number,
  work: W,
): { [K in keyof W]: W[K] extends () => unknown ? Timing : Timing | undefined } {
  const pieces = Object.entries(work).filter((entry): entry is [string, () => unknown] => entry[1] !== undefined);
  const samples = pieces.map(() => [] as Array<{ ms: number; cpuMs: number }>);
  for (const [, piece] of pieces) piece();
  for (let run = 0; run < runs; run++) pieces.forEach(([, piece], i) => samples[i]!.push(time(piece)));
  const timing = (list: Array<{ ms: number; cpuMs: number }>): Timing => ({
    medianMs: round(median(list.map((s) => s.ms)), 1),
    medianCpuMs: round(median(list.map((s) => s.cpuMs)), 1),
    runs,
  });
  return Object.fromEntries(pieces.map(([name], i) => [name, timing(samples[i]!)])) as {
    [K in keyof W]: W[K] extends () => unknown ? Timing : Timing | undefined;
  };
}

/** The reference's time over the new one's, by wall and by CPU time. */
function ratio(reference: Timing, measured: Timing) {
  return { wall: round(reference.medianMs / measured.medianMs, 1), cpu: round(reference.medianCpuMs / measured.medianCpuMs, 1) };
}

/** The same against issue 13's target: met when both wall and CPU time are at least 10× below the reference. */
function speedUp(reference: Timing, measured: Timing) {
  const { wall, cpu } = ratio(reference, measured);
  const met = Math.min(reference.medianMs / measured.medianMs, reference.medianCpuMs / measured.medianCpuMs) >= TARGET_SPEED_UP;
  return { wall, cpu, target: TARGET_SPEED_UP, met };
}

const load = () => loadavg().map((value) => round(value, 2));

type Assembly = (facts: BillingFacts, request: StatementRequest) => { statement: StatementData };

/**
 * Issue 13's starting point: the commit that made the statement assembly pure (a verbatim move,
 * before any of the issue's changes), with the rational engine of its day.
 */
const ASSEMBLY_BEFORE_ISSUE_13 = '0f65427e46abe6efb36a09859aa69aa4605845ff';

/**
 * That commit's `domain/` from git, unpacked once into node_modules/.cache (outside every check's
 * reach) and loaded by tsx like our own sources; where the clone has no history, why not.
 */
async function assemblyBeforeIssue13(): Promise<{ assemble: Assembly } | { unavailable: string }> {
  const dir = join(process.cwd(), 'node_modules', '.cache', 'klarmeter-bench', ASSEMBLY_BEFORE_ISSUE_13.slice(0, 12));
  const entry = join(dir, 'domain', 'billing', 'statement.ts');
  try {
    if (!existsSync(entry)) {
      const archive = execFileSync('git', ['archive', '--format=tar', ASSEMBLY_BEFORE_ISSUE_13, 'domain'], {
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const unpacking = `${dir}.partial`;
      rmSync(unpacking, { recursive: true, force: true });
      mkdirSync(unpacking, { recursive: true });
      execFileSync('tar', ['-x', '-C', unpacking], { input: archive });
      renameSync(unpacking, dir);
    }
    const module = (await import(pathToFileURL(entry).href)) as { assembleStatement: Assembly };
    return { assemble: module.assembleStatement };
  } catch (error) {
    return {
      unavailable: `commit ${ASSEMBLY_BEFORE_ISSUE_13.slice(0, 7)} not readable from git: ${(error as Error).message.split('\n')[0]}`,
    };
  }
}

/** The money of every unit and occupancy: what two assemblies must agree on to be compared. */
const amountsOf = (statement: StatementData) =>
  JSON.stringify(statement.units.map((unit) => [unit.amounts, unit.occupancies.map((o) => o.amounts)]));

async function benchEngine() {
  const before = await assemblyBeforeIssue13();
  if ('unavailable' in before) log(`assembly before issue 13 left out: ${before.unavailable}`);
  return ENGINE_SIZES.map((units) => {
    const facts = syntheticFacts(units);
    const request = requestFor(units);
    const { input } = assembleStatement(facts, request);
    // The same input gives the same statement in both engines; only then is the timing a comparison.
    if (JSON.stringify(computeBilling(input)) !== JSON.stringify(computeBillingRational(input))) {
      throw new Error(`the engines disagree on ${units} units`);
    }
    const reference = 'assemble' in before ? before.assemble : null;
    if (reference && amountsOf(reference(facts, request).statement) !== amountsOf(assembleStatement(facts, request).statement)) {
      throw new Error(`the assembly before issue 13 gives other amounts on ${units} units`);
    }
    const runs = units >= 10_000 ? 7 : 21;
    log(`engine: ${units} units, integer and rational engine, assembly on each${reference ? ' and before issue 13' : ''} …`);
    const loadBefore = load();
    const timings = interleavedMedians(runs, {
      integer: () => computeBilling(input),
      rational: () => computeBillingRational(input),
      // From readings to the statement: boundary values, substitutes, occupancies, engine, CO2 credits.
      assembly: () => assembleStatement(facts, request),
      rationalAssembly: () => assembleStatement(facts, request, computeBillingRational),
      assemblyBeforeIssue13: reference ? () => reference(facts, request) : undefined,
    });
    const beforeIssue13 = timings.assemblyBeforeIssue13;
    return {
      units,
      engine: timings.integer,
      rationalEngine: timings.rational,
      engineSpeedUp: speedUp(timings.rational, timings.integer),
      assembly: timings.assembly,
      // Issue 13's measure: the assembly as it was when the issue was filed against today's, same
      // facts, same amounts.
      assemblyBeforeIssue13: beforeIssue13 ?? { unavailable: 'unavailable' in before ? before.unavailable : '' },
      ...(beforeIssue13 && { assemblySpeedUp: speedUp(beforeIssue13, timings.assembly) }),
      // Not a target: today's assembly with only the engine swapped back shows the engine's share of
      // it (the rest, boundary values, substitutes, cuts and the statement's objects, is the same code
      // in both, so this ratio cannot exceed total ÷ non-engine time).
      rationalAssembly: timings.rationalAssembly,
      engineSwapRatio: ratio(timings.rationalAssembly, timings.assembly),
      loadAverage: { before: loadBefore, after: load() },
    };
  });
}

type PdfKind = 'raw' | 'bare' | 'statement';

/**
 * Renders `count` PDFs of each kind with `concurrency` in flight, the kinds interleaved PDF by PDF,
 * so that the load of a shared machine hits all of them alike; a kind's rate (PDFs per second) is
 * its count over its summed render time divided by the concurrency. Also the delivery bench's
 * measure of the renderer (scripts/bench/delivery.ts).
 */
export async function interleavedRates<K extends string>(
  count: number,
  concurrency: number,
  render: Record<K, (index: number) => Promise<Buffer>>,
): Promise<Record<K, number>> {
  const kinds = Object.keys(render) as K[];
  const busyMs = Object.fromEntries(kinds.map((kind) => [kind, 0])) as Record<K, number>;
  const tasks = Array.from({ length: count * kinds.length }, (_, i) => i);
  await pool(tasks, concurrency, async (i) => {
    const kind = kinds[i % kinds.length]!;
    const started = performance.now();
    await render[kind](Math.floor(i / kinds.length));
    busyMs[kind] += performance.now() - started;
  });
  return Object.fromEntries(kinds.map((kind) => [kind, count / (busyMs[kind] / 1000 / concurrency)])) as Record<K, number>;
}

async function benchPdf(browser: Browser) {
  const { statement } = assembleStatement(syntheticFacts(48, 20261126), requestFor(48));
  const renderer = createPdfRenderer({ browser });
  const trivialPage = '<!DOCTYPE html><html lang="de"><body><p>Hallo</p></body></html>';
  const render: Record<PdfKind, (index: number) => Promise<Buffer>> = {
    // The whole pipeline: view model, Handlebars, Chromium with the renderer's print options.
    statement: (i) => {
      const unit = statement.units[i % statement.units.length]!;
      return renderStatementPdf(
        renderer,
        statementDocumentModel(statement, { unitId: unit.unitId, occupancyKey: null }, { standalone: true })!,
      );
    },
    // Raw Chromium printing of a trivial page: same browser, a page per PDF, same print options.
    raw: () => printPage(browser, trivialPage, pdfOptions({ footer: 'Heizkostenabrechnung 01.01.2025 – 31.12.2025 · Klarmeter' })),
    // For reference: the bare minimum, A4 without the running footer.
    bare: () => printPage(browser, trivialPage, { format: 'A4' }),
  };
  const sample = await render.statement(0);
  const pages = sample.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
  await interleavedRates(2, PDF_CONCURRENCY, render); // warm-up
  log(`pdf: ${PDF_COUNT} each of raw, bare and statement, interleaved, concurrency ${PDF_CONCURRENCY} …`);
  const rates = await interleavedRates(PDF_COUNT, PDF_CONCURRENCY, render);
  return {
    count: PDF_COUNT,
    concurrency: PDF_CONCURRENCY,
    statementPages: pages,
    statementsPerSecond: round(rates.statement, 2),
    rawPerSecond: round(rates.raw, 2),
    ratio: round(rates.statement / rates.raw, 3),
    target: TARGET_RATIO,
    met: rates.statement / rates.raw >= TARGET_RATIO,
    bareRawPerSecond: round(rates.bare, 2),
    ratioToBarePrint: round(rates.statement / rates.bare, 3),
  };
}

export async function benchBilling() {
  const engine = await benchEngine();
  if (PDF_COUNT === 0) return { engine };
  log('launching Chromium once for both PDF series …');
  const browser = await launchChromium();
  try {
    return { engine, pdf: await benchPdf(browser) };
  } finally {
    await browser.close();
  }
}
