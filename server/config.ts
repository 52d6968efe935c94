// Every environment variable the portal reads, in one validated place. Entry points call
// `config()` (or the role's `requireConfig`) at start-up, so a wrong value stops the process with a
// message naming the variable; code reads settings from here, never from process.env directly.
// Not cached: tests and the start script set variables after this module is loaded.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65_535);
/** A duration in milliseconds; 0 means "no limit" (PostgreSQL's own meaning of 0). */
const millis = z.coerce.number().int('muss eine ganze Zahl (Millisekunden) sein').min(0).max(86_400_000);
/** A deadline in milliseconds: at least 1 (a call without any time fails at once), at most 10 minutes. */
const deadline = z.coerce.number().int('muss eine ganze Zahl (Millisekunden) sein').min(1).max(600_000);
const optionalText = z
  .string()
  .trim()
  .transform((value) => value || undefined)
  .optional();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** The application role's connection: owns nothing, reads and appends. */
  DATABASE_URL: z.string().url({ message: 'muss eine postgres://-URL sein' }).optional(),
  /**
   * The owner role's connection, for migrations only (it owns the tables and grants the application
   * role its rights); absent: migrations run on DATABASE_URL.
   */
  DATABASE_OWNER_URL: z.string().url({ message: 'muss eine postgres://-URL sein' }).optional(),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('klarmeter'),
  TEMPORAL_UI_URL: optionalText,
  SESSION_SECRET: z.string().min(16, 'muss mindestens 16 Zeichen haben').optional(),
  DOCUMENT_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'muss 32 Bytes als Hex (64 Zeichen) sein')
    .optional(),
  /**
   * The installation's Ed25519 key that signs every proof head and the audit log's head (PKCS#8 PEM,
   * or base64 of its DER). Never stored in the database or in git; in development generated into
   * .data/secrets.json by `npm start`.
   */
  PROOF_SIGNING_KEY: optionalText,
  /** Public keys of earlier signing keys (after a rotation): SPKI PEMs, or base64 DER separated by commas. */
  PROOF_PREVIOUS_PUBLIC_KEYS: optionalText,
  SMTP_URL: optionalText,
  MAIL_FROM: z.string().default('Klarmeter <noreply@klarmeter.local>'),
  PORT: port.default(3000),
  PUBLIC_URL: z.string().url({ message: 'muss eine URL sein' }).optional(),
  PUPPETEER_EXECUTABLE_PATH: z.string().default('/usr/bin/chromium'),
  COOKIE_SECURE: z.enum(['true', 'false', 'auto']).default('auto'),
  /** Express `trust proxy`: unset trusts no proxy (the socket's address is the client's). */
  TRUST_PROXY: optionalText,
  // Database limits in milliseconds (0 disables one); see docs/operations/README.md "Timeouts".
  DB_STATEMENT_TIMEOUT_MS: millis.default(15_000),
  DB_LOCK_TIMEOUT_MS: millis.default(5_000),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: millis.default(60_000),
  DB_POOL_ACQUIRE_TIMEOUT_MS: millis.default(5_000),
  DB_CONNECT_TIMEOUT_MS: millis.default(5_000),
  /** `npm run migrate` and `npm run seed`: long maintenance work gets a larger statement limit. */
  DB_MAINTENANCE_STATEMENT_TIMEOUT_MS: millis.default(600_000),
  DB_MAINTENANCE_LOCK_TIMEOUT_MS: millis.default(60_000),
  // Deadlines of the Temporal calls web requests make, in milliseconds; see docs/operations/README.md
  // "Outages and crashes": an outage is known (503 page, "wird bearbeitet") within these.
  /** Whether Temporal answers at all, asked before an update (a short one). */
  TEMPORAL_REACHABLE_WITHIN_MS: deadline.default(2_000),
  /** An update (approve, deliver, objection …): it may run activities, so it may take a while. */
  TEMPORAL_UPDATE_TIMEOUT_MS: deadline.default(20_000),
  /** A detail page's live status query; past it the page shows what the database knows. */
  TEMPORAL_QUERY_TIMEOUT_MS: deadline.default(2_000),
  /** Delivering a user action's outbox entry right after its commit; past it the relay takes over. */
  OUTBOX_DELIVERY_DEADLINE_MS: deadline.default(5_000),
  // Local services of `npm start` (development defaults).
  EMBEDDED_PG_PORT: port.default(54329),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI: optionalText,
  XDG_CACHE_HOME: optionalText,
  // `npm run cluster` (the production topology on one machine).
  CLUSTER_HTTP_PORT: port.default(3100),
  /** Comma-separated ports of the web processes; default the two after CLUSTER_HTTP_PORT. */
  CLUSTER_WEB_PORTS: z
    .string()
    .regex(/^\s*\d+\s*(,\s*\d+\s*)*$/, 'eine Liste von Portnummern, durch Kommas getrennt')
    .transform((value) => value.split(',').map((p) => port.parse(p.trim())))
    .optional(),
  CLUSTER_WORKERS: z.coerce.number().int().min(1).default(2),
  CLUSTER_DEMO_WORKFLOWS: z.enum(['true', 'false']).default('true'),
  CLUSTER_DATA_DIR: optionalText,
  CLUSTER_PG_PORT: port.default(54339),
  CLUSTER_TEMPORAL_PORT: port.default(7333),
  // Test services.
  TEST_DATABASE_URL: optionalText,
  TEST_TEMPORAL_ADDRESS: optionalText,
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function configFrom(env: NodeJS.ProcessEnv): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`Ungültige Umgebung: ${problems}`);
  }
  return parsed.data;
}

export function config(): Config {
  return configFrom(process.env);
}

type Required<K extends keyof Config> = Config & { [P in K]-?: NonNullable<Config[P]> };

/** The settings a process cannot run without (the web needs SESSION_SECRET, everyone DATABASE_URL). */
export function requireConfig<K extends keyof Config>(...keys: K[]): Required<K> {
  const settings = config();
  const missing = keys.filter((key) => settings[key] === undefined || settings[key] === '');
  if (missing.length > 0) throw new ConfigError(`Ungültige Umgebung: ${missing.map((key) => `${key}: fehlt`).join('; ')}`);
  return settings as Required<K>;
}

/** Where binaries built once per machine (Temporal CLI and server) are kept, outside any checkout. */
export function machineCacheBin(settings: Config = config()): string {
  return path.join(settings.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'klarmeter', 'bin');
}

/**
 * The database limits of a process: `service` for web and worker (a request or activity fails fast),
 * `maintenance` for migrate and seed (long statements and waiting for locks are expected there).
 */
export function databaseTimeouts(role: 'service' | 'maintenance', settings: Config = config()) {
  return {
    statementMs: role === 'service' ? settings.DB_STATEMENT_TIMEOUT_MS : settings.DB_MAINTENANCE_STATEMENT_TIMEOUT_MS,
    lockMs: role === 'service' ? settings.DB_LOCK_TIMEOUT_MS : settings.DB_MAINTENANCE_LOCK_TIMEOUT_MS,
    idleInTransactionMs: settings.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    acquireMs: settings.DB_POOL_ACQUIRE_TIMEOUT_MS,
    connectMs: settings.DB_CONNECT_TIMEOUT_MS,
  };
}

/** The deadlines of the Temporal calls a web request makes (see the settings above). */
export function temporalDeadlines(settings: Config = config()) {
  return {
    reachableWithinMs: settings.TEMPORAL_REACHABLE_WITHIN_MS,
    updateMs: settings.TEMPORAL_UPDATE_TIMEOUT_MS,
    queryMs: settings.TEMPORAL_QUERY_TIMEOUT_MS,
    outboxDeliveryMs: settings.OUTBOX_DELIVERY_DEADLINE_MS,
  };
}
