// The process's one database handle, from DATABASE_URL (server/config.ts).
import { createDb, type Db } from '../db';
import { requireConfig } from './config';

let shared: Db | undefined;

export function db(): Db {
  shared ??= createDb(requireConfig('DATABASE_URL').DATABASE_URL);
  return shared;
}
