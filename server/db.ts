// The process's one database handle, from DATABASE_URL (server/config.ts), with the service
// timeouts: a frozen or locked database fails a request within seconds instead of hanging it.
import { createDb, type Db } from '../db';
import { databaseTimeouts, requireConfig } from './config';

let shared: Db | undefined;

export function db(): Db {
  if (!shared) {
    const settings = requireConfig('DATABASE_URL');
    shared = createDb(settings.DATABASE_URL, { timeouts: databaseTimeouts('service', settings) });
  }
  return shared;
}
