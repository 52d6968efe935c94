// The process's one database handle, from DATABASE_URL (server/config.ts), with the service
// timeouts (a frozen or locked database fails a request within seconds instead of hanging it); it
// signs proof heads and the audit log's head with the installation's key (PROOF_SIGNING_KEY) when
// one is configured.
import { createDb, type Db } from '../db';
import { databaseTimeouts, requireConfig } from './config';
import { headSigner } from './proof/signing';

let shared: Db | undefined;

export function db(): Db {
  if (!shared) {
    const settings = requireConfig('DATABASE_URL');
    shared = createDb(settings.DATABASE_URL, { timeouts: databaseTimeouts('service', settings), headSigner: headSigner() });
  }
  return shared;
}
