// The production topology on one machine, without Docker (`npm run cluster`): PostgreSQL with the
// app database and Temporal's persistence and visibility databases, the Temporal server (all
// services in one process), two workers, two web processes and HAProxy in front of them, each
// process supervised and restarted when it dies. The same environment variables as production.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { createDb, type Db } from '../../db';
import { ensureWebBuild } from './build';
import { migrateAndSeedDemo, triggerFirstMonthlyRun } from './demo';
import { checkHaproxyConfig, haproxyBinary, haproxyConfig } from './haproxy';
import { postgresServiceSpec, preparePostgresServer } from './postgres';
import { ROOT } from './services';
import { Supervisor, type Service, type ServiceSpec } from './supervisor';
import { portOpen, waitForPort } from './temporal';
import { ensureNamespace, setupTemporalSchema, temporalServerBinary, temporalSqlTool } from './temporal-server';
import { startAllDeviceWorkflows } from './workflow-starts';
import { config } from '../../server/config';
import { ensureRoles as ensureDatabaseRoles } from '../../db/roles';
import { generateProofKeyPair, privateKeyEnvString } from '../../server/proof/keys';
import { headSignerFor } from '../../server/proof/signing';

export interface ClusterOptions {
  dataDir: string;
  /** HAProxy, the portal's address. */
  httpPort: number;
  webPorts: number[];
  workers: number;
  postgresPort: number;
  /** The Temporal frontend's gRPC port; the other services use the ports above and 300 below it. */
  temporalPort: number;
  namespace: string;
  taskQueue: string;
  /** Start the demo's device workflows and a new demo's first monthly run, as `npm start` does. */
  demoWorkflows: boolean;
  log: (line: string) => void;
}

/** Defaults beside `npm start` (3000, 7233, 54329, 8233), each overridable by an environment variable. */
export function clusterOptionsFromEnv(log: (line: string) => void): ClusterOptions {
  const settings = config();
  const httpPort = settings.CLUSTER_HTTP_PORT;
  return {
    demoWorkflows: settings.CLUSTER_DEMO_WORKFLOWS === 'true',
    dataDir: path.resolve(settings.CLUSTER_DATA_DIR ?? path.join(ROOT, '.data', 'cluster')),
    httpPort,
    webPorts: settings.CLUSTER_WEB_PORTS ?? [httpPort + 1, httpPort + 2],
    workers: settings.CLUSTER_WORKERS,
    postgresPort: settings.CLUSTER_PG_PORT,
    temporalPort: temporalPort(settings.CLUSTER_TEMPORAL_PORT),
    namespace: settings.TEMPORAL_NAMESPACE,
    taskQueue: settings.TEMPORAL_TASK_QUEUE,
    log,
  };
}

/** Temporal stores its services' membership ports (300 below the gRPC ports) as smallint. */
function temporalPort(port: number): number {
  if (port < 1_324 || port > 32_757)
    throw new Error(`CLUSTER_TEMPORAL_PORT must lie between 1324 and 32757 (Temporal stores ports as smallint), got ${port}`);
  return port;
}

/** What a running cluster publishes in <dataDir>/cluster.json (tests and operators read it). */
export interface ClusterState {
  supervisorPid: number;
  ready: boolean;
  /** The start-up work after `ready` is done: device workflows ensured, a new demo's monthly run triggered. */
  bootstrapped: boolean;
  url: string;
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  logDir: string;
  /** Current pid of each service (null while it is down and waiting for its restart). */
  services: Record<string, { pid: number | null; restarts: number; url?: string; port?: number }>;
}

export function clusterStateFile(dataDir: string): string {
  return path.join(dataDir, 'cluster.json');
}

export function readClusterState(dataDir: string): ClusterState | null {
  const file = clusterStateFile(dataDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ClusterState) : null;
}

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A previous cluster from this data directory: refuse while its supervisor lives; otherwise its
 * services may have survived a killed supervisor, and would hold the ports and PostgreSQL's data.
 */
async function cleanUpPreviousRun(dataDir: string, log: (line: string) => void): Promise<void> {
  const previous = readClusterState(dataDir);
  if (!previous) return;
  if (previous.supervisorPid !== process.pid && alive(previous.supervisorPid)) {
    throw new Error(`A cluster from ${dataDir} is running already (pid ${previous.supervisorPid}); stop it first (Ctrl-C there).`);
  }
  const leftovers = Object.entries(previous.services).filter(([, { pid }]) => pid && alive(pid));
  for (const [name, { pid }] of leftovers) {
    log(`Stopping ${name} (pid ${pid}) left over from a previous run …`);
    try {
      process.kill(-pid!, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  // Gone means gone: PostgreSQL refuses its data directory while the old server still holds it.
  const deadline = Date.now() + 10_000;
  while (leftovers.some(([, { pid }]) => alive(pid!))) {
    if (Date.now() > deadline)
      throw new Error('Processes left over from a previous run do not end; stop them by hand (pids in cluster.json).');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Secrets {
  SESSION_SECRET: string;
  DOCUMENT_KEY: string;
  PROOF_SIGNING_KEY: string;
  /** The owner role `klarmeter` (migrations). */
  appDbPassword: string;
  /** The application role `klarmeter_app` (web and workers). */
  applicationDbPassword: string;
  temporalDbPassword: string;
}

/** The application role the web processes and workers connect as (db/roles.ts); `klarmeter` owns the schema. */
const APPLICATION_ROLE = 'klarmeter_app';

/**
 * Generated once per cluster, kept beside its data (as production keeps them in an env file); a file
 * from an older cluster gets the secrets it lacks.
 */
function clusterSecrets(dataDir: string): Secrets {
  const file = path.join(dataDir, 'secrets.json');
  const hex = () => randomBytes(32).toString('hex');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>) : {};
  const secrets: Secrets = {
    SESSION_SECRET: hex(),
    DOCUMENT_KEY: hex(),
    PROOF_SIGNING_KEY: privateKeyEnvString(generateProofKeyPair().privateKey),
    appDbPassword: hex(),
    applicationDbPassword: hex(),
    temporalDbPassword: hex(),
    ...stored,
  };
  if (Object.keys(secrets).some((key) => !(key in stored))) writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

/** Login roles for the app and for Temporal (CREATEDB: temporal-sql-tool creates its databases). */
async function ensureRoles(adminUrl: string, secrets: Secrets): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  let existing: Set<string>;
  try {
    for (const [role, password, extra] of [
      ['klarmeter', secrets.appDbPassword, ''],
      ['temporal', secrets.temporalDbPassword, ' CREATEDB'],
    ] as const) {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      const literal = client.escapeLiteral(password);
      await client.query(
        exists.rowCount
          ? `ALTER ROLE ${role} WITH LOGIN PASSWORD ${literal}`
          : `CREATE ROLE ${role} WITH LOGIN${extra} PASSWORD ${literal}`,
      );
    }
    const databases = await client.query<{ datname: string }>('SELECT datname FROM pg_database');
    if (!databases.rows.some((row) => row.datname === 'klarmeter')) await client.query('CREATE DATABASE klarmeter OWNER klarmeter');
    existing = new Set(databases.rows.map((row) => row.datname));
  } finally {
    await client.end();
  }
  // klarmeter owns the schema and migrates; the processes connect as the application role.
  await ensureDatabaseRoles(
    adminUrl,
    'klarmeter',
    { name: 'klarmeter', password: secrets.appDbPassword },
    { name: APPLICATION_ROLE, password: secrets.applicationDbPassword },
  );
  return existing;
}

async function until<T>(what: string, timeoutMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Seconds since `since`, one decimal. */
const secondsSince = (since: number) => Math.round((Date.now() - since) / 100) / 10;

export class Cluster {
  private readonly supervisor: Supervisor;
  private readonly extras: Record<string, { url?: string; port?: number }> = {};
  private readonly secrets: Secrets;
  private readonly log: (line: string) => void;
  private ready = false;
  private bootstrapped = false;
  private stopping: Promise<void> | undefined;
  private db: Db | undefined;
  readonly url: string;
  /** The application role's connection (web, workers). */
  readonly databaseUrl: string;
  /** The owner's connection (migrations, demo data). */
  readonly ownerDatabaseUrl: string;
  readonly temporalAddress: string;
  readonly logDir: string;

  constructor(readonly options: ClusterOptions) {
    this.log = options.log;
    mkdirSync(options.dataDir, { recursive: true });
    this.secrets = clusterSecrets(options.dataDir);
    this.logDir = path.join(options.dataDir, 'logs');
    this.url = `http://localhost:${options.httpPort}`;
    this.ownerDatabaseUrl = `postgres://klarmeter:${this.secrets.appDbPassword}@127.0.0.1:${options.postgresPort}/klarmeter`;
    this.databaseUrl = `postgres://${APPLICATION_ROLE}:${this.secrets.applicationDbPassword}@127.0.0.1:${options.postgresPort}/klarmeter`;
    this.temporalAddress = `127.0.0.1:${options.temporalPort}`;
    this.supervisor = new Supervisor(this.logDir, {
      onExit: (service, how, delay) => {
        this.log(`${service.name} exited (${how}); restarting in ${delay / 1000} s.`);
        this.writeState();
      },
      onRestart: (service) => {
        this.log(`${service.name} is back (pid ${service.pid}).`);
        this.writeState();
      },
      onRestartFailed: (service, error) => this.log(`${service.name} did not come back: ${error.message}`),
    });
  }

  /** The app database as its owner, once start() has opened it (one Sequelize per process: the models bind to it). */
  get ownerDatabase(): Db {
    if (!this.db) throw new Error('The cluster has not been started.');
    return this.db;
  }

  private writeState(): ClusterState {
    const services: ClusterState['services'] = {};
    for (const service of this.supervisor.list()) {
      services[service.name] = { ...this.extras[service.name], pid: service.pid ?? null, restarts: service.restarts };
    }
    const state: ClusterState = {
      supervisorPid: process.pid,
      ready: this.ready,
      bootstrapped: this.bootstrapped,
      url: this.url,
      databaseUrl: this.databaseUrl,
      temporalAddress: this.temporalAddress,
      namespace: this.options.namespace,
      taskQueue: this.options.taskQueue,
      logDir: this.logDir,
      services,
    };
    const file = clusterStateFile(this.options.dataDir);
    writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
    renameSync(`${file}.tmp`, file);
    return state;
  }

  private async service(spec: ServiceSpec, extra: { url?: string; port?: number } = {}): Promise<Service> {
    this.extras[spec.name] = extra;
    const service = await this.supervisor.start(spec);
    this.writeState();
    return service;
  }

  /** Brings every part up in order; resolves once the portal answers through HAProxy. */
  async start(): Promise<{ state: ClusterState; startSeconds: number }> {
    const started = Date.now();
    const { options, log, secrets } = this;
    await cleanUpPreviousRun(options.dataDir, log);
    for (const port of [options.httpPort, ...options.webPorts, options.postgresPort, options.temporalPort]) {
      if (await portOpen(port)) throw new Error(`Port ${port} is in use; choose others (CLUSTER_* variables, docs/operations/README.md).`);
    }
    // Binaries first: a missing one should fail before anything runs.
    const serverBinary = temporalServerBinary(log);
    const sqlTool = temporalSqlTool(log);
    const haproxy = haproxyBinary();
    ensureWebBuild(log);

    // PostgreSQL: the server process itself, so that the supervisor sees it die and restarts it.
    const postgres = await preparePostgresServer({
      dataDir: path.join(options.dataDir, 'pg'),
      port: options.postgresPort,
      // Temporal (a pool per service and store), 2 × web and 2 × worker pools, LISTEN connections.
      settings: { max_connections: 300 },
    });
    await this.service(postgresServiceSpec(postgres), { port: options.postgresPort });
    const existing = await ensureRoles(postgres.adminUrl, secrets);
    log(`PostgreSQL on 127.0.0.1:${options.postgresPort} (${secondsSince(started)} s).`);

    // The app database (migrations, demo) while the Temporal schema is set up and the server starts.
    // One Sequelize per process: the models bind to the first one created.
    const db = (this.db = createDb(this.ownerDatabaseUrl, { headSigner: headSignerFor(secrets.PROOF_SIGNING_KEY) }));
    const appDatabase = migrateAndSeedDemo(db, log, { appRole: APPLICATION_ROLE });
    appDatabase.catch(() => undefined);

    setupTemporalSchema({
      sqlTool,
      endpoint: { host: '127.0.0.1', port: options.postgresPort, user: 'temporal', password: secrets.temporalDbPassword },
      databases: { temporal: 'temporal', visibility: 'temporal_visibility' },
      existing,
      log,
    });
    await this.service(
      {
        name: 'temporal',
        command: serverBinary,
        args: ['--root', '/', '--config', path.join(ROOT, 'docs', 'operations'), '--env', 'temporal-server', '--allow-no-auth', 'start'],
        env: {
          ...process.env,
          TEMPORAL_GRPC_PORT: String(options.temporalPort),
          TEMPORAL_DB_HOST: '127.0.0.1',
          TEMPORAL_DB_PORT: String(options.postgresPort),
          TEMPORAL_DB_USER: 'temporal',
          TEMPORAL_DB_PASSWORD: secrets.temporalDbPassword,
          TEMPORAL_DB_MAX_CONNS: '10',
          TEMPORAL_DYNAMIC_CONFIG: path.join(ROOT, 'docs', 'operations', 'temporal-dynamicconfig.yaml'),
        },
        ready: () => this.temporalHealthy(),
      },
      { port: options.temporalPort },
    );
    const connection = await Connection.connect({ address: this.temporalAddress });
    try {
      await until('Namespace and search attributes', 60_000, () => ensureNamespace(connection, options.namespace, { log }));
    } finally {
      await connection.close();
    }
    log(`Temporal server on ${this.temporalAddress}, namespace ${options.namespace} (${secondsSince(started)} s).`);
    const freshDemo = await appDatabase;

    const appEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: this.databaseUrl,
      TEMPORAL_ADDRESS: this.temporalAddress,
      TEMPORAL_NAMESPACE: options.namespace,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      SESSION_SECRET: process.env.SESSION_SECRET ?? secrets.SESSION_SECRET,
      DOCUMENT_KEY: process.env.DOCUMENT_KEY ?? secrets.DOCUMENT_KEY,
      PROOF_SIGNING_KEY: process.env.PROOF_SIGNING_KEY ?? secrets.PROOF_SIGNING_KEY,
      PUBLIC_URL: process.env.PUBLIC_URL ?? this.url,
    };
    // No Temporal Web UI in this topology (docs/operations/README.md: put it behind authentication).
    delete appEnv.TEMPORAL_UI_URL;
    const node = (script: string) => ({
      command: process.execPath,
      args: ['--import', 'tsx', path.join(ROOT, 'scripts', script)],
      cwd: ROOT,
    });
    await Promise.all([
      ...Array.from({ length: options.workers }, (_, i) =>
        this.service({ name: `worker-${i + 1}`, ...node('worker.ts'), env: appEnv, readyLine: /Worker ready/ }),
      ),
      ...options.webPorts.map((port, i) =>
        this.service(
          {
            name: `web-${i + 1}`,
            ...node('web.ts'),
            // HAProxy on this machine forwards the client's address (option forwardfor): trust it, and only it.
            env: { ...appEnv, PORT: String(port), TRUST_PROXY: process.env.TRUST_PROXY ?? 'loopback' },
            ready: async () => {
              await waitForPort(port, 60_000);
              // Any answer (200, or 503 naming a part still coming up) means the process serves.
              await until(`web-${i + 1} /healthz`, 30_000, () => fetch(`http://127.0.0.1:${port}/healthz`));
            },
          },
          { port, url: `http://localhost:${port}` },
        ),
      ),
    ]);
    log(`${options.workers} workers and ${options.webPorts.length} web processes up (${secondsSince(started)} s).`);

    const haproxyFile = path.join(options.dataDir, 'haproxy.cfg');
    writeFileSync(
      haproxyFile,
      haproxyConfig({
        bind: '127.0.0.1',
        port: options.httpPort,
        backends: options.webPorts.map((port, i) => ({ name: `web-${i + 1}`, port })),
      }),
    );
    checkHaproxyConfig(haproxy, haproxyFile);
    await this.service(
      {
        name: 'haproxy',
        command: haproxy,
        args: ['-db', '-f', haproxyFile],
        ready: async () => {
          await waitForPort(options.httpPort, 10_000);
          await until('the portal through HAProxy', 30_000, async () => {
            const response = await fetch(`http://127.0.0.1:${options.httpPort}/healthz`);
            if (response.status !== 200) throw new Error(`/healthz answers ${response.status}: ${await response.text()}`);
          });
        },
      },
      { port: options.httpPort, url: this.url },
    );

    // Device workflows and a first monthly run for a new demo, as `npm start` does; in the background.
    Object.assign(process.env, {
      DATABASE_URL: this.databaseUrl,
      TEMPORAL_ADDRESS: this.temporalAddress,
      TEMPORAL_NAMESPACE: options.namespace,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
    });
    void (async () => {
      if (!options.demoWorkflows) return;
      try {
        await startAllDeviceWorkflows(db, log);
      } catch (error) {
        if (!this.stopping) log(`Starting device workflows failed: ${(error as Error).message}`);
      }
      if (freshDemo && !this.stopping) {
        await triggerFirstMonthlyRun(log).catch((error: Error) => log(`Monthly information run not started: ${error.message}`));
      }
    })().finally(() => {
      this.bootstrapped = true;
      if (!this.stopping) this.writeState();
    });

    this.ready = true;
    return { state: this.writeState(), startSeconds: secondsSince(started) };
  }

  private async temporalHealthy(): Promise<void> {
    await waitForPort(this.options.temporalPort, 60_000);
    const connection = await Connection.connect({ address: this.temporalAddress });
    try {
      await until('Temporal server health', 60_000, () => connection.healthService.check({}));
    } finally {
      await connection.close();
    }
  }

  /** Stops every service started so far in reverse order (also while the start is under way). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.ready = false;
      await this.supervisor.stopAll();
      await this.db?.close().catch(() => undefined);
      this.writeState();
    })();
    return this.stopping;
  }
}

/** The lines `npm run cluster` prints once everything answers. */
export function clusterSummary(state: ClusterState, startSeconds: number): string {
  const line = (name: string, value: string) => `  ${name.padEnd(20)}${value}`;
  const services = Object.entries(state.services).map(([name, s]) => line(name, `pid ${s.pid}${s.url ? `  ${s.url}` : ''}`));
  return [
    '',
    line('Klarmeter (HAProxy):', state.url),
    line('Health:', `${state.url}/healthz`),
    line('Temporal:', `${state.temporalAddress} (namespace ${state.namespace}; no Web UI, see docs/operations/README.md)`),
    line('PostgreSQL:', state.databaseUrl.replace(/:[^:@/]+@/, ':***@')),
    line('Logs:', state.logDir),
    ...services,
    '',
    `  Up in ${startSeconds.toFixed(1)} s on ${os.hostname()}. Ctrl-C stops everything.`,
    '',
  ].join('\n');
}
