// `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded database).
import { createDb } from '../db';
import { migrate } from '../db/migrate';
import { ensureDatabase } from './lib/services';
import { databaseTimeouts, requireConfig } from '../server/config';

const stopDb = await ensureDatabase(console.log);
const db = createDb(requireConfig('DATABASE_URL').DATABASE_URL, { timeouts: databaseTimeouts('maintenance') });
try {
  const applied = await migrate(db.sequelize);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
} finally {
  await db.close();
  await stopDb();
}
