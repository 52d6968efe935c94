import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Umzug, SequelizeStorage } from 'umzug';
import type { Sequelize } from 'sequelize';
import { grantApplicationRole } from './roles';

export type Migration = (params: { context: Sequelize }) => Promise<void>;

const migrationsDir = path.join(import.meta.dirname, 'migrations');

/** Migrations are the files `NNNN-name.ts` in db/migrations, applied in name order. */
async function loadMigrations() {
  const files = readdirSync(migrationsDir)
    .filter((f) => /^\d{4}-.+\.ts$/.test(f) && !f.endsWith('.test.ts'))
    .sort();
  return Promise.all(
    files.map(async (file) => {
      const module = (await import(pathToFileURL(path.join(migrationsDir, file)).href)) as { up: Migration; down: Migration };
      return { name: file.replace(/\.ts$/, ''), up: module.up, down: module.down };
    }),
  );
}

export async function migrator(sequelize: Sequelize) {
  const migrations = await loadMigrations();
  return new Umzug({
    migrations: migrations.map(({ name, up, down }) => ({
      name,
      up: () => up({ context: sequelize }),
      down: () => down({ context: sequelize }),
    })),
    context: sequelize,
    storage: new SequelizeStorage({ sequelize, tableName: 'migrations' }),
    logger: undefined,
  });
}

/**
 * Run by `npm start`, `npm run migrate` and the test setup before web or worker processes start, as
 * the owner role. With `appRole`, the application role then gets its (least) privileges on every
 * table, the new ones included (db/roles.ts).
 */
export async function migrate(sequelize: Sequelize, options: { appRole?: string } = {}): Promise<string[]> {
  const done = await (await migrator(sequelize)).up();
  if (options.appRole) await grantApplicationRole(sequelize, options.appRole);
  return done.map((m) => m.name);
}
