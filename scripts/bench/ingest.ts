// `npm run bench -- ingest` (issue 17, item 5): BENCH_TELEGRAMS (default 100,000) wmbusmeters
// telegrams posted through the web process's POST /api/v1/readings/wmbusmeters in batches of
// BENCH_BATCH (1,000), BENCH_CONCURRENCY (2) requests in flight, as a gateway of BENCH_DEVICES
// (2,000) water meters would send them: every device once per round, a minute apart. Compared with
// a trivial authenticated endpoint of the same server in the same run (GET /api/v1/token, the same
// concurrency): telegrams per second ÷ its requests per second, target ≥ 0.5. The devices start
// silent for 45 days (red); measured too: the time from the first post until every device
// workflow has seen its reading (every row green, the light the workflow projects). A batch answered
// 503/429 is sent again after Retry-After, as a gateway would; the retries are part of the report.
// Sized for two shared cores; everything (web, worker, PostgreSQL, Temporal) runs on this machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import type { Db } from '../../db';
import { API_RATE_LIMIT_MAX } from '../../domain/api-tokens';
import { createApiToken } from '../../server/api-tokens';
import { temporalSettings } from '../../server/temporal';
import { ensureDeviceWorkflows } from '../../server/device-obligation';
import { startWebServer } from '../web';
import { log, quietTemporalRuntime, startBenchEnvironment, startBenchWorker, timed } from './setup';
import { round } from './stats';

const TELEGRAMS = Number(process.env.BENCH_TELEGRAMS ?? 100_000);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 2_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);
const TRIVIAL_REQUESTS = Number(process.env.BENCH_TRIVIAL_REQUESTS ?? 2_000);
const TARGET_RATIO = 0.5;
const SILENT_DAYS = 45;
const POLL_MS = 500;

async function seedGateway(db: Db): Promise<{ organisationId: number; managerId: number; deviceIds: number[]; serials: string[] }> {
  const suffix = Date.now().toString(36);
  const { Organisation, Property, User } = db.models;
  const organisation = await Organisation.create({ name: `Benchmark Gateway ${suffix}` });
  const manager = await User.create({
    organisationId: organisation.id,
    role: 'manager',
    name: 'Bench',
    email: `bench-${suffix}@bench.klarmeter.de`,
    passwordHash: 'bench-without-password',
  });
  const property = await Property.create({
    organisationId: organisation.id,
    name: `Funkstraße ${suffix}`,
    street: 'Funkstraße 1',
    postalCode: '10115',
    city: 'Berlin',
    ownerId: null,
    technicianId: null,
  });
  const year = new Date().getUTCFullYear();
  const rows = await db.sequelize.query<{ id: number; serial: string }>(
    `INSERT INTO devices (property_id, type, serial, location, installed_at, calibrated_year, last_reading_at, last_reading_value)
     SELECT $1, 'WZ-K', 'GW-' || $2 || '-' || g, 'Keller', make_date($3, 1, 2), $3, now() - make_interval(days => $4), 0
       FROM generate_series(1, $5) g
     RETURNING id, serial`,
    { bind: [property.id, suffix, year, SILENT_DAYS, DEVICES], type: QueryTypes.SELECT },
  );
  return { organisationId: organisation.id, managerId: manager.id, deviceIds: rows.map((r) => r.id), serials: rows.map((r) => r.serial) };
}

async function lights(db: Db, deviceIds: number[]): Promise<Record<string, number>> {
  const rows = await db.sequelize.query<{ light: string | null; n: string }>(
    'SELECT light, count(*) AS n FROM devices WHERE id = ANY($1::int[]) GROUP BY light',
    { bind: [deviceIds], type: QueryTypes.SELECT },
  );
  return Object.fromEntries(rows.map((r) => [r.light ?? 'none', Number(r.n)]));
}

/** Waits until every device shows `light`; a shared two-core machine under load may take minutes. */
async function waitForLights(db: Db, deviceIds: number[], light: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let logged = Date.now();
  for (;;) {
    const counts = await lights(db, deviceIds);
    if ((counts[light] ?? 0) === deviceIds.length) return;
    if (Date.now() - logged > 30_000) {
      log(`waiting for ${light}: ${JSON.stringify(counts)}`);
      logged = Date.now();
    }
    if (Date.now() > deadline) throw new Error(`devices not all ${light} after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Runs `count` jobs, `concurrency` at a time; returns each job's latency (ms). */
async function inFlight(count: number, concurrency: number, job: (index: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        const started = performance.now();
        await job(index);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

const MAX_RETRIES = 5;
const retries = { count: 0, waitedSeconds: 0 };

/**
 * Posts as a gateway does: a 503 or 429 is "come back later", so it waits the server's Retry-After
 * and sends the same batch again (idempotent per serial and time). Counted and reported, not hidden.
 */
async function postAsGateway(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, init);
    if ((response.status !== 503 && response.status !== 429) || attempt >= MAX_RETRIES) return response;
    await response.arrayBuffer();
    const seconds = Math.max(1, Number(response.headers.get('Retry-After')) || 1);
    retries.count++;
    retries.waitedSeconds += seconds;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  }
}

const percentile = (sorted: number[], p: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0, 1);

export async function benchIngest() {
  quietTemporalRuntime();
  const environment = await startBenchEnvironment({ poolMax: 20 });
  const { db, close } = environment;
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'klarmeter-bench-vite-'));
  try {
    const { organisationId, managerId, deviceIds, serials } = await seedGateway(db);
    const manager = { id: managerId, email: 'bench', organisationId, role: 'manager' as const };
    // The highest rate limit a token can have: the bench measures throughput, not the limit.
    const { token } = await createApiToken(
      manager,
      { name: 'Bench-Gateway', scopes: ['readings:write'], ratePerMinute: API_RATE_LIMIT_MAX },
      { db },
    );
    const taskQueue = temporalSettings().taskQueue;
    log(`${DEVICES} devices; bundling workflows, starting the worker and the web process …`);
    const worker = await startBenchWorker(environment, taskQueue);
    const { client } = worker;
    const web = await startWebServer({ dev: true, hmr: false, vite: { cacheDir, logLevel: 'error' } });
    try {
      await ensureDeviceWorkflows(client, deviceIds, { db, taskQueue });
      await waitForLights(db, deviceIds, 'red', 1_800_000);
      log('device workflows running, every device red (silent); the trivial endpoint …');
      const headers = { Authorization: `Bearer ${token}` };
      await fetch(`${web.url}/api/v1/token`, { headers }); // warm-up
      const trivial = await timed(() =>
        inFlight(TRIVIAL_REQUESTS, CONCURRENCY, async () => {
          const response = await fetch(`${web.url}/api/v1/token`, { headers });
          if (response.status !== 200) throw new Error(`GET /api/v1/token: ${response.status}`);
          await response.arrayBuffer();
        }),
      );

      const rounds = Math.ceil(TELEGRAMS / DEVICES);
      const start = Date.now() - rounds * 60_000;
      const telegramAt = (i: number) => ({
        _: 'telegram',
        media: 'cold water',
        meter: 'multical21',
        id: serials[i % DEVICES],
        total_m3: round(1 + Math.floor(i / DEVICES) * 0.01 + (i % DEVICES) * 0.001, 3),
        status: 'OK',
        timestamp: new Date(start + Math.floor(i / DEVICES) * 60_000).toISOString(),
      });
      const batches = Math.ceil(TELEGRAMS / BATCH);
      const totals = { accepted: 0, duplicates: 0, errors: 0, signalled: 0, unsent: 0 };
      log(`${TELEGRAMS} telegrams in ${batches} batches of ${BATCH}, ${CONCURRENCY} in flight …`);
      const ingestStarted = performance.now();
      const ingest = await timed(() =>
        inFlight(batches, CONCURRENCY, async (b) => {
          const telegrams = Array.from({ length: Math.min(BATCH, TELEGRAMS - b * BATCH) }, (_, k) => telegramAt(b * BATCH + k));
          const response = await postAsGateway(`${web.url}/api/v1/readings/wmbusmeters`, {
            method: 'POST',
            headers: { ...headers, 'Content-Type': 'application/json' },
            body: JSON.stringify(telegrams),
          });
          if (response.status !== 200) throw new Error(`POST batch ${b}: ${response.status} ${await response.text()}`);
          const report = (await response.json()) as {
            accepted: number;
            duplicates: number;
            errors: unknown[];
            workflows: { signalled: number; unsent: number };
          };
          totals.accepted += report.accepted;
          totals.duplicates += report.duplicates;
          totals.errors += report.errors.length;
          totals.signalled += report.workflows.signalled;
          totals.unsent += report.workflows.unsent;
        }),
      );
      await waitForLights(db, deviceIds, 'green', 1_800_000);
      const seenSeconds = (performance.now() - ingestStarted) / 1000;
      const [stored] = await db.sequelize.query<{ n: string }>('SELECT count(*) AS n FROM readings WHERE device_id = ANY($1::int[])', {
        bind: [deviceIds],
        type: QueryTypes.SELECT,
      });

      const trivialPerSecond = TRIVIAL_REQUESTS / trivial.seconds;
      const telegramsPerSecond = TELEGRAMS / ingest.seconds;
      return {
        cpus: cpus().length,
        loadAverageAtEnd: round(loadavg()[0] ?? 0, 2),
        devices: DEVICES,
        concurrency: CONCURRENCY,
        trivialEndpoint: {
          requests: TRIVIAL_REQUESTS,
          seconds: round(trivial.seconds, 2),
          requestsPerSecond: round(trivialPerSecond),
          p50Ms: percentile(trivial.result, 0.5),
          p95Ms: percentile(trivial.result, 0.95),
        },
        ingest: {
          telegrams: TELEGRAMS,
          batchSize: BATCH,
          seconds: round(ingest.seconds, 2),
          telegramsPerSecond: round(telegramsPerSecond),
          batchP50Ms: percentile(ingest.result, 0.5),
          batchP95Ms: percentile(ingest.result, 0.95),
          ...totals,
          readingsStored: Number(stored?.n ?? 0),
          retriesAfterUnavailable: retries.count,
          retryWaitSeconds: retries.waitedSeconds,
        },
        workflowsSawAllSeconds: round(seenSeconds, 2),
        target: {
          ratio: TARGET_RATIO,
          measured: round(telegramsPerSecond / trivialPerSecond, 2),
          met: telegramsPerSecond / trivialPerSecond >= TARGET_RATIO,
        },
      };
    } finally {
      await web.close();
      await worker.stop();
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
    await close();
  }
}
