// Least privilege in PostgreSQL (issue 10): an owner role owns the schema and runs the
// migrations; the web and worker processes connect as an application role that owns nothing, holds
// no superuser or replication rights (so it cannot set session_replication_role, ALTER a table or
// disable its triggers), is never granted TRUNCATE, and may only INSERT and SELECT on the
// append-only tables. `ensureRoles` needs a superuser (or CREATEROLE) connection and is run by
// `npm start`, `npm run cluster` and the test setup; `grantApplicationRole` runs as the owner after
// every migration, so new tables get their grants too.
import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * Tables whose rows are evidence: the application role may add and read rows, nothing else. The
 * statements table is append-only except for its two status columns (the lifecycle's projection).
 */
export const APPEND_ONLY_TABLES = [
  'audit_log',
  'audit_heads',
  'statement_proof_events',
  'statement_proof_head_log',
  'recipient_proof_lines',
  'recipient_proof_head_log',
  'documents',
  'statements',
  'statement_costs',
  'statement_keys',
  'statement_unit_results',
  'statement_occupancies',
] as const;

/** The status projection the statement lifecycle writes (a trigger refuses changes to anything else). */
const STATEMENT_STATUS_COLUMNS = ['status', 'status_changed_at'] as const;

export interface RoleSpec {
  name: string;
  password: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function identifier(name: string, field: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`${field}: ${JSON.stringify(name)} is not a plain role or database name`);
  return name;
}

/** The user name of a postgres:// URL. */
export function roleOfUrl(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

/** `url` with another user and password. */
export function urlAs(url: string, role: RoleSpec): string {
  const next = new URL(url);
  next.username = encodeURIComponent(role.name);
  next.password = encodeURIComponent(role.password);
  return next.toString();
}

/**
 * Creates (or updates the passwords of) the owner and the application role, makes the owner the
 * owner of `database` and of every object in its public schema (a database migrated before as a
 * superuser is handed over), and creates the database when missing. `adminUrl` is a superuser's
 * connection to any database of the server.
 */
export async function ensureRoles(adminUrl: string, database: string, owner: RoleSpec, app: RoleSpec): Promise<void> {
  const ownerName = identifier(owner.name, 'owner role');
  const appName = identifier(app.name, 'application role');
  const dbName = identifier(database, 'database');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (const [role, password] of [
      [ownerName, owner.password],
      [appName, app.password],
    ] as const) {
      const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      const verb = exists.rowCount ? 'ALTER' : 'CREATE';
      await admin.query(
        `${verb} ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${admin.escapeLiteral(password)}`,
      );
    }
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${dbName} OWNER ${ownerName}`);
    else await admin.query(`ALTER DATABASE ${dbName} OWNER TO ${ownerName}`);
  } finally {
    await admin.end();
  }
  const target = new URL(adminUrl);
  target.pathname = `/${dbName}`;
  const client = new pg.Client({ connectionString: target.toString() });
  await client.connect();
  try {
    await client.query(`ALTER SCHEMA public OWNER TO ${ownerName}`);
    await client.query(`REVOKE ALL ON DATABASE ${dbName} FROM PUBLIC`);
    await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${dbName} TO ${appName}`);
    // Objects created before the roles existed (a development database migrated as a superuser).
    const { rows } = await client.query<{ kind: string; name: string }>(
      `SELECT 'TABLE' AS kind, quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tableowner <> $1
       UNION ALL
       SELECT 'SEQUENCE', quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public' AND sequenceowner <> $1
       UNION ALL
       SELECT 'FUNCTION', quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')'
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_roles r ON r.oid = p.proowner
        WHERE n.nspname = 'public' AND r.rolname <> $1`,
      [ownerName],
    );
    for (const row of rows) {
      // A sequence owned by a column moves with its table.
      await client.query(`ALTER ${row.kind} ${row.name} OWNER TO ${ownerName}`).catch((error: Error) => {
        if (!/cannot change owner of sequence/.test(error.message)) throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * Run as the owner after the migrations: the application role may read and write the working
 * tables, only read and append to the evidence, use the sequences, and create nothing.
 */
export async function grantApplicationRole(sequelize: Sequelize, appRole: string): Promise<void> {
  const app = identifier(appRole, 'application role');
  const tables = await sequelize.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`, {
    type: QueryTypes.SELECT,
  });
  const existing = new Set(tables.map((row) => row.tablename));
  const appendOnly = APPEND_ONLY_TABLES.filter((table) => existing.has(table));
  const statements = [
    `REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
    `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${app}`,
    `GRANT USAGE ON SCHEMA public TO ${app}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${app}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${app}`,
    ...appendOnly.map((table) => `REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ${table} FROM ${app}`),
    `GRANT UPDATE (${STATEMENT_STATUS_COLUMNS.join(', ')}) ON statements TO ${app}`,
    // The migration log belongs to the owner alone.
    ...(existing.has('migrations') ? [`REVOKE INSERT, UPDATE, DELETE ON migrations FROM ${app}`] : []),
  ];
  await sequelize.transaction(async (transaction) => {
    for (const statement of statements) await sequelize.query(statement, { transaction });
  });
}

export interface RoleCheck {
  role: string;
  superuser: boolean;
  ownsTables: number;
  /** Append-only tables the role could change or empty (UPDATE, DELETE or TRUNCATE privilege). */
  writableEvidence: string[];
}

/** What the connection's role may do: the web and the worker refuse to run as a superuser or an owner. */
export async function checkConnectionRole(sequelize: Sequelize): Promise<RoleCheck> {
  const [role] = await sequelize.query<{ role: string; superuser: boolean; ownsTables: number }>(
    `SELECT current_user AS role, rolsuper AS superuser,
            (SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user) AS "ownsTables"
       FROM pg_roles WHERE rolname = current_user`,
    { type: QueryTypes.SELECT },
  );
  if (!role) throw new Error('checkConnectionRole: the connection has no role');
  const rows = await sequelize.query<{ table: string }>(
    `SELECT t AS table FROM unnest(ARRAY[:tables]::text[]) AS t
      WHERE to_regclass('public.' || t) IS NOT NULL
        AND (has_table_privilege(current_user, 'public.' || t, 'UPDATE') AND t <> 'statements'
          OR has_table_privilege(current_user, 'public.' || t, 'DELETE')
          OR has_table_privilege(current_user, 'public.' || t, 'TRUNCATE'))`,
    { replacements: { tables: [...APPEND_ONLY_TABLES] }, type: QueryTypes.SELECT },
  );
  return { ...role, writableEvidence: rows.map((row) => row.table) };
}

/** The reason a process must not run on this connection, or null when it is least-privileged. */
export function privilegeProblem(check: RoleCheck): string | null {
  if (check.superuser) return `connected as the superuser ${check.role}`;
  if (check.ownsTables > 0) return `connected as ${check.role}, which owns ${check.ownsTables} tables (the owner role is for migrations)`;
  if (check.writableEvidence.length > 0) return `${check.role} may change or empty ${check.writableEvidence.join(', ')}`;
  return null;
}
