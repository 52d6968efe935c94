// A statement that went all the way to the tenants, for tests of what comes after delivery.
import type { Db, User } from '../../db';
import { saveStatement } from '../../db/statements';
import type { StatementData } from '../../domain/billing/statement';
import { approve, deliver, startStatementLifecycle } from '../../server/statement-lifecycle';
import type { StatementFixture } from './statement-fixtures';

/**
 * The fixture house's statement stored by `manager`, its lifecycle started, approved and delivered
 * in the portal (a worker on TEMPORAL_TASK_QUEUE renders its documents and runs the workflow).
 */
export async function deliveredStatement(database: Db, house: StatementFixture, manager: User): Promise<StatementData> {
  const statement = await saveStatement(database, house.request, {
    userId: manager.id,
    email: manager.email,
    organisationId: manager.organisationId,
  });
  const ref = { id: statement.stored!.id, version: statement.stored!.version };
  const actor = { userId: manager.id, name: manager.email, role: 'manager' };
  await startStatementLifecycle(ref.id, actor);
  for (const outcome of [await approve(ref, actor), await deliver(ref, { actor, channel: 'portal' })]) {
    if (!outcome.ok) throw new Error(`the fixture statement could not be approved and delivered: ${outcome.message}`);
  }
  return statement;
}
