// The process's one database handle, from DATABASE_URL (server/config.ts); it signs proof heads
// and the audit log's head with the installation's key (PROOF_SIGNING_KEY) when one is configured.
import { createDb, type Db } from '../db';
import { requireConfig } from './config';
import { headSigner } from './proof/signing';

let shared: Db | undefined;

export function db(): Db {
  shared ??= createDb(requireConfig('DATABASE_URL').DATABASE_URL, { headSigner: headSigner() });
  return shared;
}
