// `npm run migrate`: applies pending migrations as the owner role (DATABASE_OWNER_URL, else
// DATABASE_URL, or the embedded database) and grants the application role its rights.
import { createDb } from '../db';
import { migrate } from '../db/migrate';
import { ensureDatabase, migrationTarget } from './lib/services';
import { databaseTimeouts } from '../server/config';

const stopDb = await ensureDatabase(console.log);
const target = migrationTarget();
const db = createDb(target.url, { timeouts: databaseTimeouts('maintenance') });
try {
  const applied = await migrate(db.sequelize, { appRole: target.appRole });
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
  if (target.appRole) console.log(`Privileges of the application role ${target.appRole} granted.`);
} finally {
  await db.close();
  await stopDb();
}
