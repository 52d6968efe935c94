// One PostgreSQL and one Temporal dev server for the whole integration run (not one per file), the
// workflow bundle every test worker runs (bundled once: it takes seconds), and the path of the
// time-skipping test server that workflow tests start for themselves.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { startEmbeddedPostgres, type LocalPostgres } from '../../scripts/lib/postgres';
import { findTemporalCli, freePort, startTemporalDevServer, type DevServer } from '../../scripts/lib/temporal';
import { findTemporalTestServer } from '../../scripts/lib/temporal-test-server';
import { WORKFLOWS_PATH } from '../../scripts/lib/worker';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createDb } from '../../db';
import { migrate } from '../../db/migrate';
import { ensureRoles, urlAs } from '../../db/roles';
import { generateProofKeyPair, privateKeyEnvString } from '../../server/proof/keys';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The application role's connection (what the web and the worker use): no UPDATE/DELETE on evidence. */
    databaseUrl: string;
    /** The owner role's connection (migrations; tests that play the insider with triggers disabled). */
    ownerDatabaseUrl: string;
    /** The run's Ed25519 signing key (PROOF_SIGNING_KEY form). */
    proofSigningKey: string;
    temporalAddress: string;
    /** The wrapper that starts Temporal's time-skipping test server (scripts/temporal-test-server). */
    temporalTestServer: string;
    /** workflows/index.ts bundled once for the run (a file with the bundle's code). */
    workflowBundlePath: string;
  }
}

const root = path.resolve(import.meta.dirname, '../..');

const TEST_DATABASE = 'klarmeter_test';
// Roles of their own, so a run against a shared TEST_DATABASE_URL server leaves a developer's roles alone.
const TEST_OWNER = { name: 'klarmeter_test_owner', password: 'test-owner' };
const TEST_APP = { name: 'klarmeter_test_app', password: 'test-app' };

/** Clusters left behind by runs that were killed before their teardown. */
function removeStaleClusters(dataRoot: string) {
  if (!existsSync(dataRoot)) return;
  for (const name of readdirSync(dataRoot)) {
    const pid = Number(/^test-pg-(\d+)$/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(path.join(dataRoot, name), { recursive: true, force: true });
    }
  }
}

async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export default async function setup(project: TestProject) {
  let localPg: LocalPostgres | undefined;
  let dataDir: string | undefined;
  let temporal: DevServer | undefined;

  // TEST_DATABASE_URL points at any server where we may create and drop a test database.
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    // A cluster of its own per run, so parallel runs (two checkouts, two terminals) never collide.
    removeStaleClusters(path.join(root, '.data'));
    dataDir = path.join(root, '.data', `test-pg-${process.pid}`);
    rmSync(dataDir, { recursive: true, force: true });
    localPg = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'postgres' });
    adminUrl = localPg.url;
  }
  // As in production: the owner migrates, the tests (like the web and the worker) connect as the application role.
  const superuserDatabaseUrl = await freshDatabase(adminUrl, TEST_DATABASE);
  await ensureRoles(adminUrl, TEST_DATABASE, TEST_OWNER, TEST_APP);
  const ownerDatabaseUrl = urlAs(superuserDatabaseUrl, TEST_OWNER);
  const databaseUrl = urlAs(superuserDatabaseUrl, TEST_APP);
  const db = createDb(ownerDatabaseUrl);
  await migrate(db.sequelize, { appRole: TEST_APP.name });
  await db.close();
  const proofSigningKey = privateKeyEnvString(generateProofKeyPair().privateKey);

  let temporalAddress = process.env.TEST_TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    temporal = await startTemporalDevServer({ cli: await findTemporalCli(), port: await freePort() });
    temporalAddress = temporal.address;
  }

  const bundleDir = mkdtempSync(path.join(os.tmpdir(), 'klarmeter-test-workflows-'));
  const workflowBundlePath = path.join(bundleDir, 'workflows.js');
  const ignore = () => undefined;
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { trace: ignore, debug: ignore, info: ignore, warn: console.warn, error: console.error, log: ignore },
  });
  writeFileSync(workflowBundlePath, bundle.code);

  process.env.DATABASE_URL = databaseUrl;
  process.env.DATABASE_OWNER_URL = ownerDatabaseUrl;
  process.env.PROOF_SIGNING_KEY = proofSigningKey;
  process.env.TEMPORAL_ADDRESS = temporalAddress;
  project.provide('databaseUrl', databaseUrl);
  project.provide('ownerDatabaseUrl', ownerDatabaseUrl);
  project.provide('proofSigningKey', proofSigningKey);
  project.provide('temporalAddress', temporalAddress);
  project.provide('temporalTestServer', findTemporalTestServer());
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await temporal?.stop();
    await localPg?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    rmSync(bundleDir, { recursive: true, force: true });
  };
}
