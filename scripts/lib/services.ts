// Local defaults shared by `npm start`, `npm run seed` and `npm run migrate`: PostgreSQL and Temporal
// from the environment when given, else embedded ones whose data lives in .data/.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres, superviseEmbeddedPostgres } from './postgres';
import type { Supervisor } from './supervisor';
import { findTemporalCli, portOpen, startTemporalDevServer, temporalDevServerSpec } from './temporal';
import { config, requireConfig } from '../../server/config';
import { ensureRoles, roleOfUrl, urlAs } from '../../db/roles';
import { generateProofKeyPair, privateKeyEnvString } from '../../server/proof/keys';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const DATA_DIR = path.join(ROOT, '.data');

export type Stop = () => Promise<void>;

/** The roles `npm start` creates in its embedded PostgreSQL (db/roles.ts). */
export const OWNER_ROLE = 'klarmeter_owner';
export const APP_ROLE = 'klarmeter_app';

interface DevSecrets {
  SESSION_SECRET: string;
  DOCUMENT_KEY: string;
  PROOF_SIGNING_KEY: string;
  ownerDbPassword: string;
  appDbPassword: string;
}

/** Settings the processes read from the environment; the role passwords stay in the file. */
const ENV_SECRETS = ['SESSION_SECRET', 'DOCUMENT_KEY', 'PROOF_SIGNING_KEY'] as const;

function generated(): DevSecrets {
  const hex = () => randomBytes(32).toString('hex');
  return {
    SESSION_SECRET: hex(),
    DOCUMENT_KEY: hex(),
    // One line (base64 of the PKCS#8 DER), as an environment variable would carry it.
    PROOF_SIGNING_KEY: privateKeyEnvString(generateProofKeyPair().privateKey),
    ownerDbPassword: hex(),
    appDbPassword: hex(),
  };
}

/**
 * Development secrets, generated once into .data/ so sessions, encrypted documents and signed proofs
 * survive restarts; a file from an older checkout gets the secrets it lacks (never new values for
 * those it has: that would orphan stored documents and heads). Production sets SESSION_SECRET,
 * DOCUMENT_KEY and PROOF_SIGNING_KEY itself.
 */
export function ensureDevSecrets(): DevSecrets {
  mkdirSync(DATA_DIR, { recursive: true });
  const file = path.join(DATA_DIR, 'secrets.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>) : {};
  const secrets: DevSecrets = { ...generated(), ...stored };
  if (Object.keys(secrets).some((key) => !(key in stored))) writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  for (const key of ENV_SECRETS) process.env[key] ??= secrets[key];
  return secrets;
}

/**
 * Where migrations run (the owner) and which role they grant the application's rights to: with
 * DATABASE_OWNER_URL the processes' DATABASE_URL is the application role; without it everything
 * runs on DATABASE_URL, as before roles were separated.
 */
export function migrationTarget(): { url: string; appRole?: string } {
  const { DATABASE_URL, DATABASE_OWNER_URL } = requireConfig('DATABASE_URL');
  if (!DATABASE_OWNER_URL) return { url: DATABASE_URL };
  const appRole = roleOfUrl(DATABASE_URL);
  return { url: DATABASE_OWNER_URL, ...(appRole === roleOfUrl(DATABASE_OWNER_URL) ? {} : { appRole }) };
}

/**
 * Sets DATABASE_URL (the application role) and DATABASE_OWNER_URL (the owner, for migrations),
 * starting embedded PostgreSQL unless one is configured or already running, and creating both roles
 * in it (db/roles.ts). With a supervisor (`npm start`) the server runs under it (see
 * superviseEmbeddedPostgres); one-off commands (seed, migrate, bench) start and stop it themselves.
 */
export async function ensureDatabase(log: (line: string) => void, supervisor?: Supervisor): Promise<Stop> {
  const { DATABASE_URL, EMBEDDED_PG_PORT } = config();
  if (DATABASE_URL) return async () => undefined;
  const secrets = ensureDevSecrets();
  const superuserUrl = `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PG_PORT}/postgres`;
  let stop: Stop = async () => undefined;
  // Another `npm start` may own it; then use it, don't stop it.
  if (!(await portOpen(EMBEDDED_PG_PORT))) {
    log(`PostgreSQL (embedded) starting, data in ${path.relative(ROOT, path.join(DATA_DIR, 'pg'))}/ …`);
    const server = { dataDir: path.join(DATA_DIR, 'pg'), port: EMBEDDED_PG_PORT, database: 'klarmeter' };
    // Supervised, the supervisor restarts it when it dies and stops it after everything else.
    if (supervisor) await superviseEmbeddedPostgres(supervisor, server);
    else stop = (await startEmbeddedPostgres(server)).stop;
  }
  const owner = { name: OWNER_ROLE, password: secrets.ownerDbPassword };
  const app = { name: APP_ROLE, password: secrets.appDbPassword };
  await ensureRoles(superuserUrl, 'klarmeter', owner, app);
  const database = `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PG_PORT}/klarmeter`;
  process.env.DATABASE_OWNER_URL = urlAs(database, owner);
  process.env.DATABASE_URL = urlAs(database, app);
  return stop;
}

/**
 * Sets TEMPORAL_ADDRESS, starting the Temporal dev server (UI on) unless one is configured or
 * running; under a supervisor (`npm start`) it is restarted when it dies.
 */
export async function ensureTemporal(log: (line: string) => void, supervisor?: Supervisor): Promise<Stop> {
  // Only an explicitly set TEMPORAL_ADDRESS means an external server (config() has a default).
  if (process.env.TEMPORAL_ADDRESS) return async () => undefined;
  const { TEMPORAL_DEV_PORT: TEMPORAL_PORT, TEMPORAL_UI_PORT } = config();
  process.env.TEMPORAL_ADDRESS = `127.0.0.1:${TEMPORAL_PORT}`;
  process.env.TEMPORAL_UI_URL ??= `http://localhost:${TEMPORAL_UI_PORT}`;
  if (await portOpen(TEMPORAL_PORT)) return async () => undefined;
  log('Temporal dev server starting, history in .data/temporal.db …');
  const options = {
    port: TEMPORAL_PORT,
    uiPort: TEMPORAL_UI_PORT,
    dbFile: path.join(DATA_DIR, 'temporal.db'),
    // The dev server logs transient retries at WARN/ERROR under load; only a crash is worth showing.
    log: (line: string) => {
      if (/level=(fatal|panic)|panic:/i.test(line)) log(`[temporal] ${line}`);
    },
  };
  const cli = await findTemporalCli(log);
  // Without a CLI the SDK's downloaded server runs in its own harness, unsupervised.
  if (supervisor && cli) {
    await supervisor.start(temporalDevServerSpec({ ...options, cli }));
    return async () => undefined;
  }
  return (await startTemporalDevServer({ ...options, cli })).stop;
}
