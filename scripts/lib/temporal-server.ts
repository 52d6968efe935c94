// The real Temporal server (not the CLI's dev server) on PostgreSQL: its binaries built once from the
// Go module proxy, its schema set up by temporal-sql-tool from the schema files of the same module
// version, the namespace and Klarmeter's search attributes registered.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { requireGoBinary } from './go-tools';
import { SEARCH_ATTRIBUTE_DECLARATIONS } from '../../workflows/shared/search-attributes';

/** Also the image tag in docker-compose.yml (temporalio/server, temporalio/admin-tools). */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const MODULE = `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`;

export function temporalServerBinary(log?: (line: string) => void): string {
  return requireGoBinary(
    { name: `temporal-server-${TEMPORAL_SERVER_VERSION}`, target: `go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}` },
    log,
  );
}

export function temporalSqlTool(log?: (line: string) => void): string {
  return requireGoBinary(
    { name: `temporal-sql-tool-${TEMPORAL_SERVER_VERSION}`, target: `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}` },
    log,
  );
}

/** schema/postgresql/v12 of the server module in Go's module cache (downloaded when missing). */
export function postgresSchemaDir(): string {
  const modCache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const dir = path.join(modCache, MODULE, 'schema', 'postgresql', 'v12');
  if (!existsSync(dir)) {
    const downloaded = spawnSync('go', ['mod', 'download', MODULE], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (downloaded.status !== 0 || !existsSync(dir)) throw new Error(`Could not download ${MODULE} for its schema files (${dir})`);
  }
  return dir;
}

export interface SqlEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
}

/**
 * Creates the persistence and visibility databases and brings both schemas to this server version,
 * as temporalio/admin-tools does (create, setup-schema -v 0.0, update-schema). Safe to repeat:
 * existing databases are kept, setup-schema leaves a newer version alone and update-schema applies
 * only what is missing.
 */
export function setupTemporalSchema(opts: {
  sqlTool: string;
  endpoint: SqlEndpoint;
  databases: { temporal: string; visibility: string };
  existing: ReadonlySet<string>;
  log: (line: string) => void;
}): void {
  const schemaDir = postgresSchemaDir();
  const { host, port, user, password } = opts.endpoint;
  const run = (database: string, args: string[]) => {
    const result = spawnSync(
      opts.sqlTool,
      ['--plugin', 'postgres12', '--ep', host, '--port', String(port), '--user', user, '--db', database, ...args],
      { encoding: 'utf8', env: { ...process.env, SQL_PASSWORD: password } },
    );
    if (result.status !== 0) {
      throw new Error(
        `temporal-sql-tool ${args[0]} on ${database} failed: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`,
      );
    }
  };
  for (const [kind, database] of [
    ['temporal', opts.databases.temporal],
    ['visibility', opts.databases.visibility],
  ] as const) {
    if (!opts.existing.has(database)) run(database, ['create-database']);
    run(database, ['setup-schema', '-v', '0.0']);
    run(database, ['update-schema', '-d', path.join(schemaDir, kind, 'versioned')]);
    opts.log(`Temporal ${kind} schema of ${database} is up to date (${TEMPORAL_SERVER_VERSION}).`);
  }
}

/** temporal.api.enums.v1.IndexedValueType (the proto package is not a direct dependency). */
const INDEXED_VALUE_TYPE = { Keyword: 2, Datetime: 6, Bool: 5 } as const;

/**
 * The namespace (registered unless it exists) and Klarmeter's custom search attributes on it.
 * With SQL visibility, custom attributes belong to a namespace and map onto a fixed set of columns
 * (Keyword01…Keyword10, Datetime01…Datetime03, Bool01…Bool03 in 1.29): we use 8 keywords, 1 datetime
 * and 1 bool.
 */
export async function ensureNamespace(
  connection: Connection,
  namespace: string,
  opts: { retentionDays?: number; log?: (line: string) => void } = {},
): Promise<{ registered: boolean; attributesAdded: number }> {
  let registered = false;
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch (error) {
    if ((error as { code?: number }).code !== 5 /* NOT_FOUND */) throw error;
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(`${opts.retentionDays ?? 30} days`),
    });
    registered = true;
    opts.log?.(`Namespace ${namespace} registered.`);
  }
  return { registered, attributesAdded: await ensureSearchAttributes(connection, namespace) };
}

/** Adds the search attributes the namespace lacks; existing ones are left alone. Returns how many were added. */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<number> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTE_DECLARATIONS.filter(({ name }) => !(name in (existing.customAttributes ?? {})));
  if (missing.length) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(({ name, type }) => [name, INDEXED_VALUE_TYPE[type]])),
    });
  }
  return missing.length;
}
