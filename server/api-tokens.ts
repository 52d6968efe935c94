// API tokens of an organisation (issue 17): a manager creates one per gateway or ERP system, sees
// its secret once, and revokes it. Only the SHA-256 of the secret is stored (a token is 256 random
// bits, so a fast hash suffices: nothing to brute-force). Creation and revocation are audited.
import { createHash, randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/index';
import { appendAudit } from '../db/audit';
import { API_TOKEN_NAME_MAX, API_TOKEN_PATTERN, isApiScope, tokenPrefix, type ApiScope } from '../domain/api-tokens';
import { hasPermission } from '../domain/permissions';
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
    readonly field: 'name' | 'scopes',
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
  input: { name: string; scopes: readonly string[] },
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

  const database = options.db ?? sharedDb();
  const token = `km_${randomBytes(32).toString('base64url')}`;
  return database.sequelize.transaction(async (transaction) => {
    const [row] = await database.sequelize.query<{ id: number }>(
      `INSERT INTO api_tokens (organisation_id, name, prefix, secret_hash, scopes, created_by)
       VALUES ($1, $2, $3, $4, $5::text[], $6) RETURNING id`,
      { bind: [user.organisationId, name, tokenPrefix(token), hashSecret(token), scopes, user.id], type: QueryTypes.SELECT, transaction },
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
        details: { name, scopes, prefix: tokenPrefix(token) },
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
            t.last_used_at AS "lastUsedAt", t.revoked_at AS "revokedAt"
       FROM api_tokens t JOIN users u ON u.id = t.created_by
      WHERE t.organisation_id = $1 ORDER BY t.id DESC`,
    { bind: [user.organisationId], type: QueryTypes.SELECT },
  );
}

/** How often a token's last use is written: every request would rewrite its row under load. */
const LAST_USED_RESOLUTION = '1 minute';

/**
 * The principal of an `Authorization: Bearer km_…` header, or null for a missing, malformed,
 * unknown or revoked token (the caller answers 401 without saying which).
 */
export async function authenticateApiToken(authorization: string | null, options: { db?: Db } = {}): Promise<ApiPrincipal | null> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const token = match?.[1];
  if (token === undefined || !API_TOKEN_PATTERN.test(token)) return null;
  const database = options.db ?? sharedDb();
  const [row] = await database.sequelize.query<{ id: number; organisationId: number; scopes: string[]; stale: boolean }>(
    `SELECT id, organisation_id AS "organisationId", scopes,
            (last_used_at IS NULL OR last_used_at < now() - interval '${LAST_USED_RESOLUTION}') AS stale
       FROM api_tokens WHERE secret_hash = $1 AND revoked_at IS NULL`,
    { bind: [hashSecret(token)], type: QueryTypes.SELECT },
  );
  if (!row) return null;
  if (row.stale) await database.sequelize.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', { bind: [row.id] });
  return { tokenId: row.id, organisationId: row.organisationId, scopes: row.scopes.filter(isApiScope) };
}
