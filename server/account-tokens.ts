// One-time secrets at rest: a row per issued link or code holding only the secret's SHA-256, its
// purpose, whom it concerns, when it expires. Using one is a single conditional UPDATE, so two
// requests racing with the same secret cannot both succeed.
import { Op, QueryTypes, type Transaction } from 'sequelize';
import { TOKEN_LIFETIME_MS, normaliseActivationCode, type TokenPurpose } from '../domain/accounts';
import type { AccountToken } from '../db';
import { db } from './db';
import { newActivationCode, newLinkSecret, secretHash } from './account-security';

export interface IssuedSecret {
  /** The secret to put in the link or on the letter; never stored. */
  secret: string;
  row: AccountToken;
}

export interface TokenSubject {
  organisationId: number;
  userId?: number | null;
  tenancyId?: number | null;
  email?: string | null;
  createdBy?: number | null;
}

/** A new secret for `purpose`: a random link token, or for letters a 12-character code. */
export async function issueSecret(purpose: TokenPurpose, subject: TokenSubject, transaction?: Transaction): Promise<IssuedSecret> {
  const secret = purpose === 'letter-code' ? newActivationCode() : newLinkSecret();
  const row = await db().models.AccountToken.create(
    {
      purpose,
      secretHash: secretHash(secret),
      organisationId: subject.organisationId,
      userId: subject.userId ?? null,
      tenancyId: subject.tenancyId ?? null,
      email: subject.email ?? null,
      createdBy: subject.createdBy ?? null,
      expiresAt: new Date(Date.now() + TOKEN_LIFETIME_MS[purpose]),
    },
    { transaction },
  );
  return { secret, row };
}

/** The hash a presented secret is looked up by: codes are first read as Crockford intends. */
export function presentedHash(purpose: TokenPurpose, presented: string): string | null {
  if (purpose === 'letter-code') {
    const code = normaliseActivationCode(presented);
    return code ? secretHash(code) : null;
  }
  const token = presented.trim();
  return /^[A-Za-z0-9_-]{20,100}$/.test(token) ? secretHash(token) : null;
}

/** A usable token (unused, not revoked, not expired) of one of `purposes`, without using it: for pages that show a form. */
export async function findUsable(purposes: readonly TokenPurpose[], presented: string): Promise<AccountToken | null> {
  for (const purpose of purposes) {
    const hash = presentedHash(purpose, presented);
    if (!hash) continue;
    const row = await db().models.AccountToken.findOne({
      where: { secretHash: hash, purpose, usedAt: null, revokedAt: null, expiresAt: { [Op.gt]: new Date() } },
    });
    if (row) return row;
  }
  return null;
}

/** Uses the token once: null when another request used it first, or it expired or was revoked meanwhile. */
export async function consume(row: AccountToken, transaction: Transaction): Promise<boolean> {
  const used = await db().sequelize.query(
    `UPDATE account_tokens SET used_at = now()
      WHERE id = :id AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now() RETURNING id`,
    { replacements: { id: row.id }, type: QueryTypes.SELECT, transaction },
  );
  return used.length === 1;
}

/** Revokes the pending secrets of a tenancy or a user (of the given purposes), e.g. after a new one was issued. */
export async function revokePending(
  where: { tenancyId?: number; userId?: number },
  purposes: readonly TokenPurpose[],
  options: { exceptId?: number; transaction?: Transaction } = {},
): Promise<number> {
  const [count] = await db().models.AccountToken.update(
    { revokedAt: new Date() },
    {
      where: {
        ...where,
        purpose: [...purposes],
        usedAt: null,
        revokedAt: null,
        ...(options.exceptId === undefined ? {} : { id: { [Op.ne]: options.exceptId } }),
      },
      transaction: options.transaction,
    },
  );
  return count;
}

/** Counts a failed confirmation against a token and revokes it at `max`; returns the failures so far. */
export async function countFailure(row: AccountToken, max: number): Promise<number> {
  const [counted] = await db().sequelize.query<{ failures: number }>(
    `UPDATE account_tokens SET failed_attempts = failed_attempts + 1,
            revoked_at = CASE WHEN failed_attempts + 1 >= :max THEN coalesce(revoked_at, now()) ELSE revoked_at END
      WHERE id = :id RETURNING failed_attempts AS failures`,
    { replacements: { id: row.id, max }, type: QueryTypes.SELECT },
  );
  return counted?.failures ?? max;
}
