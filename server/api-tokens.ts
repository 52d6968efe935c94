// API tokens of an organisation (issue 17): a manager creates one per gateway or ERP system, sees
// its secret once, and revokes it. Only the SHA-256 of the secret is stored (a token is 256 random
// bits, so a fast hash suffices: nothing to brute-force). Creation and revocation are audited.
import { createHash, randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/index';
import { appendAudit } from '../db/audit';
import {
  API_RATE_LIMIT_MAX,
  API_RATE_LIMIT_MIN,
  API_TOKEN_NAME_MAX,
  API_TOKEN_PATTERN,
  isApiScope,
  tokenPrefix,
  type ApiScope,
} from '../domain/api-tokens';
import { hasPermission } from '../domain/permissions';
import { config } from './config';
import { db as sharedDb } from './db';
import type { SessionUser } from './session';

export type TokenManager = Pick<SessionUser, 'id' | 'email' | 'organisationId' | 'role'>;

export interface ApiTokenRow {
  id: number;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  createdAt: Date;
  createdBy: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** The token's own limit; null: the configured default. */
  ratePerMinute: number | null;
}

/** Who calls the API: a token of one organisation with its scopes. */
export interface ApiPrincipal {
  tokenId: number;
  organisationId: number;
  scopes: readonly ApiScope[];
}

/** A refused request to manage tokens; the message names the field. */
export class ApiTokenInputError extends Error {
  constructor(
    readonly field: 'name' | 'scopes' | 'ratePerMinute',
    message: string,
  ) {
    super(message);
  }
}

export class ApiTokenForbiddenError extends Error {}

function hashSecret(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function requireManager(user: TokenManager, permission: 'read:api-token:any' | 'create:api-token:any' | 'update:api-token:any') {
  if (!hasPermission(user, permission)) throw new ApiTokenForbiddenError('Keine Berechtigung für API-Schlüssel');
}

/** Creates a token; the returned `token` is the only time its secret exists outside the caller. */
export async function createApiToken(
  user: TokenManager,
  input: { name: string; scopes: readonly string[]; ratePerMinute?: number | null },
  options: { db?: Db; ip?: string | null } = {},
): Promise<{ id: number; token: string }> {
  requireManager(user, 'create:api-token:any');
  const name = input.name.trim();
  if (name === '' || name.length > API_TOKEN_NAME_MAX)
    throw new ApiTokenInputError('name', `Bezeichnung: 1 bis ${API_TOKEN_NAME_MAX} Zeichen, z. B. „Gateway Keller Haus 3“`);
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0) throw new ApiTokenInputError('scopes', 'Berechtigungen: mindestens eine auswählen');
  const unknown = scopes.find((scope) => !isApiScope(scope));
  if (unknown !== undefined) throw new ApiTokenInputError('scopes', `Berechtigungen: unbekannt „${unknown}“`);

  const rate = input.ratePerMinute ?? null;
  if (rate !== null && (!Number.isInteger(rate) || rate < API_RATE_LIMIT_MIN || rate > API_RATE_LIMIT_MAX))
    throw new ApiTokenInputError(
      'ratePerMinute',
      `Anfragen pro Minute: eine ganze Zahl von ${API_RATE_LIMIT_MIN} bis ${API_RATE_LIMIT_MAX.toLocaleString('de-DE')}, oder leer für den Standard`,
    );

  const database = options.db ?? sharedDb();
  const token = `km_${randomBytes(32).toString('base64url')}`;
  return database.sequelize.transaction(async (transaction) => {
    const [row] = await database.sequelize.query<{ id: number }>(
      `INSERT INTO api_tokens (organisation_id, name, prefix, secret_hash, scopes, created_by, rate_limit_per_minute)
       VALUES ($1, $2, $3, $4, $5::text[], $6, $7) RETURNING id`,
      {
        bind: [user.organisationId, name, tokenPrefix(token), hashSecret(token), scopes, user.id, rate],
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    if (!row) throw new Error('api_tokens: insert returned no row');
    await appendAudit(
      database,
      {
        organisationId: user.organisationId,
        actorId: user.id,
        actor: user.email,
        action: 'api-token.created',
        entity: 'api-token',
        entityId: row.id,
        ip: options.ip ?? null,
        details: { name, scopes, prefix: tokenPrefix(token), ratePerMinute: rate },
      },
      transaction,
    );
    return { id: row.id, token };
  });
}

/** Revokes a token of the user's organisation at once; false when there is no such active token. */
export async function revokeApiToken(user: TokenManager, tokenId: number, options: { db?: Db; ip?: string | null } = {}): Promise<boolean> {
  requireManager(user, 'update:api-token:any');
  const database = options.db ?? sharedDb();
  return database.sequelize.transaction(async (transaction) => {
    const revoked = await database.sequelize.query<{ id: number; name: string }>(
      `UPDATE api_tokens SET revoked_at = now(), revoked_by = $3
        WHERE id = $1 AND organisation_id = $2 AND revoked_at IS NULL RETURNING id, name`,
      { bind: [tokenId, user.organisationId, user.id], type: QueryTypes.SELECT, transaction },
    );
    const [row] = revoked;
    if (!row) return false;
    await appendAudit(
      database,
      {
        organisationId: user.organisationId,
        actorId: user.id,
        actor: user.email,
        action: 'api-token.revoked',
        entity: 'api-token',
        entityId: row.id,
        ip: options.ip ?? null,
        details: { name: row.name },
      },
      transaction,
    );
    return true;
  });
}

/** The organisation's tokens, newest first, revoked ones included (without any secret). */
export async function listApiTokens(user: TokenManager, options: { db?: Db } = {}): Promise<ApiTokenRow[]> {
  requireManager(user, 'read:api-token:any');
  const database = options.db ?? sharedDb();
  return database.sequelize.query<ApiTokenRow>(
    `SELECT t.id, t.name, t.prefix, t.scopes, t.created_at AS "createdAt", u.name AS "createdBy",
            t.last_used_at AS "lastUsedAt", t.revoked_at AS "revokedAt", t.rate_limit_per_minute AS "ratePerMinute"
       FROM api_tokens t JOIN users u ON u.id = t.created_by
      WHERE t.organisation_id = $1 ORDER BY t.id DESC`,
    { bind: [user.organisationId], type: QueryTypes.SELECT },
  );
}

/** How often a token's last use is written (it rides along with the rate limit's write). */
const LAST_USED_RESOLUTION = '1 minute';

/** An authenticated request: its principal, and when the token's rate limit refuses it, the wait. */
export interface ApiAuthentication {
  principal: ApiPrincipal;
  /** Requests per minute the token may make. */
  limit: number;
  /** Null: within the limit; otherwise whole seconds until the next request is allowed (≥ 1). */
  retryAfterSeconds: number | null;
}

/**
 * Authenticates an `Authorization: Bearer km_…` header and counts the request against the token's
 * rate limit; null for a missing, malformed, unknown or revoked token (the caller answers 401
 * without saying which).
 *
 * The limit is a token bucket of `limit` requests refilled evenly over a minute, kept as GCRA's one
 * timestamp (`rate_tat`) in the token's row: one atomic statement per request, shared by every web
 * process, and no window boundary where twice the limit gets through.
 */
export async function authenticateApiToken(
  authorization: string | null,
  options: { db?: Db; defaultLimit?: number } = {},
): Promise<ApiAuthentication | null> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const token = match?.[1];
  if (token === undefined || !API_TOKEN_PATTERN.test(token)) return null;
  const database = options.db ?? sharedDb();
  const defaultLimit = options.defaultLimit ?? config().API_RATE_LIMIT_PER_MINUTE;
  const [row] = await database.sequelize.query<{
    id: number;
    organisationId: number;
    scopes: string[];
    allowed: boolean;
    limit: number;
    waitSeconds: number;
  }>(
    `WITH token AS (
       SELECT id, organisation_id, COALESCE(rate_limit_per_minute, $2) AS lim,
              GREATEST(rate_tat, now()) + interval '60 seconds' / COALESCE(rate_limit_per_minute, $2) AS next_tat
         FROM api_tokens WHERE secret_hash = $1 AND revoked_at IS NULL FOR UPDATE
     ), decided AS (
       SELECT token.*, next_tat <= now() + interval '60 seconds' AS allowed FROM token
     )
     UPDATE api_tokens t
        SET rate_tat = CASE WHEN d.allowed THEN d.next_tat ELSE t.rate_tat END,
            last_used_at = CASE WHEN t.last_used_at IS NULL OR t.last_used_at < now() - interval '${LAST_USED_RESOLUTION}'
                                THEN now() ELSE t.last_used_at END
       FROM decided d WHERE t.id = d.id
     RETURNING t.id, d.organisation_id AS "organisationId", t.scopes, d.allowed, d.lim AS "limit",
               GREATEST(1, CEIL(EXTRACT(EPOCH FROM d.next_tat - now() - interval '60 seconds')))::int AS "waitSeconds"`,
    { bind: [hashSecret(token), defaultLimit], type: QueryTypes.SELECT },
  );
  if (!row) return null;
  return {
    principal: { tokenId: row.id, organisationId: row.organisationId, scopes: row.scopes.filter(isApiScope) },
    limit: row.limit,
    retryAfterSeconds: row.allowed ? null : row.waitSeconds,
  };
}
