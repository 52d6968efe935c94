// The web and worker processes connect as the application role (db/roles.ts): a superuser or the
// owner of the tables could get past the append-only triggers. In production such a connection
// stops the process at start-up; in development it is reported.
import type { Db } from '../db';
import { checkConnectionRole, privilegeProblem } from '../db/roles';
import { ConfigError, config } from './config';

export async function requireLeastPrivilege(database: Db, processName: string): Promise<void> {
  const problem = privilegeProblem(await checkConnectionRole(database.sequelize));
  if (!problem) return;
  const message = `DATABASE_URL: ${problem}; the ${processName} must connect as the application role (README, "Database roles")`;
  if (config().NODE_ENV === 'production') throw new ConfigError(message);
  console.warn(`[${processName}] ${message}`);
}
