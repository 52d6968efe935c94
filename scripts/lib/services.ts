// Local defaults shared by `npm start`, `npm run seed` and `npm run migrate`: PostgreSQL and Temporal
// from the environment when given, else embedded ones whose data lives in .data/.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres } from './postgres';
import { findTemporalCli, portOpen, startTemporalDevServer } from './temporal';
import { config } from '../../server/config';
import { generateProofKeyPair, privateKeyEnvString } from '../../server/proof/keys';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const DATA_DIR = path.join(ROOT, '.data');

export type Stop = () => Promise<void>;

/**
 * Development secrets, generated once into .data/ (outside git) so sessions, encrypted documents
 * and signed proofs survive restarts; a file from an older checkout gets the secrets it lacks, never
 * new values for those it has (that would orphan stored documents and heads). Production sets
 * SESSION_SECRET, DOCUMENT_KEY and PROOF_SIGNING_KEY itself.
 */
export function ensureDevSecrets(): void {
  mkdirSync(DATA_DIR, { recursive: true });
  const file = path.join(DATA_DIR, 'secrets.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const secrets: Record<string, string> = {
    SESSION_SECRET: randomBytes(32).toString('hex'),
    DOCUMENT_KEY: randomBytes(32).toString('hex'),
    // One line (base64 of the PKCS#8 DER), as an environment variable carries it.
    PROOF_SIGNING_KEY: privateKeyEnvString(generateProofKeyPair().privateKey),
    ...stored,
  };
  if (Object.keys(secrets).some((key) => !(key in stored))) writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  for (const [key, value] of Object.entries(secrets)) process.env[key] ??= value;
}

/** Sets DATABASE_URL, starting embedded PostgreSQL unless one is configured or already running. */
export async function ensureDatabase(log: (line: string) => void): Promise<Stop> {
  const { DATABASE_URL, EMBEDDED_PG_PORT } = config();
  if (DATABASE_URL) return async () => undefined;
  const url = `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PG_PORT}/klarmeter`;
  if (await portOpen(EMBEDDED_PG_PORT)) {
    // Another `npm start` owns it; use it, don't stop it.
    process.env.DATABASE_URL = url;
    return async () => undefined;
  }
  log(`PostgreSQL (embedded) starting, data in ${path.relative(ROOT, path.join(DATA_DIR, 'pg'))}/ …`);
  const pg = await startEmbeddedPostgres({ dataDir: path.join(DATA_DIR, 'pg'), port: EMBEDDED_PG_PORT, database: 'klarmeter' });
  process.env.DATABASE_URL = pg.url;
  return pg.stop;
}

/** Sets TEMPORAL_ADDRESS, starting the Temporal dev server (UI on) unless one is configured or running. */
export async function ensureTemporal(log: (line: string) => void): Promise<Stop> {
  // Only an explicitly set TEMPORAL_ADDRESS means an external server (config() has a default).
  if (process.env.TEMPORAL_ADDRESS) return async () => undefined;
  const { TEMPORAL_DEV_PORT: TEMPORAL_PORT, TEMPORAL_UI_PORT } = config();
  process.env.TEMPORAL_ADDRESS = `127.0.0.1:${TEMPORAL_PORT}`;
  process.env.TEMPORAL_UI_URL ??= `http://localhost:${TEMPORAL_UI_PORT}`;
  if (await portOpen(TEMPORAL_PORT)) return async () => undefined;
  log('Temporal dev server starting, history in .data/temporal.db …');
  const server = await startTemporalDevServer({
    cli: await findTemporalCli(log),
    port: TEMPORAL_PORT,
    uiPort: TEMPORAL_UI_PORT,
    dbFile: path.join(DATA_DIR, 'temporal.db'),
    // The dev server logs transient retries at WARN/ERROR under load; only a crash is worth showing.
    log: (line) => {
      if (/level=(fatal|panic)|panic:/i.test(line)) log(`[temporal] ${line}`);
    },
  });
  return server.stop;
}
