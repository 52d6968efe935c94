import { Umzug, SequelizeStorage } from 'umzug';
import type { Sequelize } from 'sequelize';
import * as initial from './migrations/0001-initial';

export type Migration = (params: { context: Sequelize }) => Promise<void>;

// Migrations are listed explicitly (not globbed) so the bundled web build and tsx runs agree.
const migrations = [{ name: '0001-initial', ...initial }];

export function migrator(sequelize: Sequelize) {
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

// Run by `npm start`, `npm run migrate` and the test setup before web or worker processes start.
export async function migrate(sequelize: Sequelize): Promise<string[]> {
  const done = await migrator(sequelize).up();
  return done.map((m) => m.name);
}
