// What the database benchmarks share: their own database `klarmeter_bench` (migrated), an isolated
// Temporal dev server, the generated portfolio of BENCH_UNITS units, and timing.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import pg from 'pg';
import { Op } from 'sequelize';
import { createDb, type Db } from '../../db';
import { migrate } from '../../db/migrate';
import { seedLargePortfolio } from '../../db/seed/demo';
import { calendarDate } from '../../domain/calendar';
import { ensureDatabase, ensureDevSecrets } from '../lib/services';
import { findTemporalCli, freePort, startTemporalDevServer, type DevServer } from '../lib/temporal';
import { config } from '../../server/config';
import { createPdfRenderer } from '../../server/pdf';
import { WORKFLOWS_PATH, buildWorker } from '../lib/worker';

export const log = (line: string) => console.error(`[bench] ${line}`);

/** Sets DATABASE_URL to `klarmeter_bench` on the configured (or embedded) server, creating it once. */
export async function benchDatabase(): Promise<{ url: string; stop: () => Promise<void> }> {
  const embedded = !config().DATABASE_URL;
  const stop = await ensureDatabase(log);
  // The bench database is its own and made by a role that may create databases: the embedded
  // server's superuser (the portal's own roles may not), or the configured DATABASE_URL as before.
  const base = embedded ? `postgres://postgres:postgres@127.0.0.1:${config().EMBEDDED_PG_PORT}/postgres` : process.env.DATABASE_URL!;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'klarmeter_bench'");
  if (exists.rowCount === 0) await admin.query('CREATE DATABASE klarmeter_bench');
  await admin.end();
  const url = new URL(base);
  url.pathname = '/klarmeter_bench';
  process.env.DATABASE_URL = url.toString();
  return { url: url.toString(), stop };
}

export interface BenchEnvironment {
  db: Db;
  /** The bench database's URL (for worker processes of their own). */
  databaseUrl: string;
  /** An isolated in-memory Temporal server, so earlier runs' workflows do not count. */
  temporal: DevServer;
  close(): Promise<void>;
}

/** The bench database (migrated) and a fresh Temporal dev server; TEMPORAL_ADDRESS points at it. */
export async function startBenchEnvironment(options: { poolMax?: number } = {}): Promise<BenchEnvironment> {
  ensureDevSecrets();
  const database = await benchDatabase();
  const db = createDb(database.url, { poolMax: options.poolMax ?? 20 });
  await migrate(db.sequelize);
  const temporal = await startTemporalDevServer({ cli: await findTemporalCli(log), port: await freePort() });
  process.env.TEMPORAL_ADDRESS = temporal.address;
  return {
    db,
    databaseUrl: database.url,
    temporal,
    async close() {
      await temporal.stop();
      await db.close();
      await database.stop();
    },
  };
}

/** The benchmark organisation of `units` units, seeded on first use. */
export async function benchPortfolio(db: Db, units: number): Promise<{ organisationId: number; propertyIds: number[] }> {
  const find = () => db.models.Organisation.findOne({ where: { name: { [Op.like]: `Benchmark Immobilien (${units} %` } } });
  let org = await find();
  if (!org) {
    log(`seeding ${units} units …`);
    await seedLargePortfolio(db, units, calendarDate(new Date()));
    org = await find();
  }
  const properties = await db.models.Property.findAll({
    where: { organisationId: org!.id },
    attributes: ['id'],
    order: [['id', 'ASC']],
    raw: true,
  });
  return { organisationId: org!.id, propertyIds: properties.map((p) => p.id) };
}

export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - started) / 1000 };
}

/** Native warnings (a slow workflow task on a busy machine) go through the logger to stderr: stdout carries only the JSON. */
export function quietTemporalRuntime(): void {
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
}

export interface BenchWorker {
  /** A client of the bench's Temporal server. */
  client: Client;
  stop(): Promise<void>;
}

/** The production worker in the bench process on `taskQueue` (one shared PDF renderer, as `npm run worker` has), and a client. */
export async function startBenchWorker(environment: BenchEnvironment, taskQueue: string): Promise<BenchWorker> {
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  const pdfRenderer = createPdfRenderer();
  const worker = await buildWorker({
    connection: await NativeConnection.connect({ address: environment.temporal.address }),
    taskQueue,
    db: environment.db,
    workflowBundle,
    pdfRenderer,
  });
  const running = worker.run();
  const client = new Client({ connection: await Connection.connect({ address: environment.temporal.address }) });
  return {
    client,
    async stop() {
      worker.shutdown();
      await running;
      await pdfRenderer.close();
      await client.connection.close();
    },
  };
}
