// A statement that went all the way to the tenants, for tests of what comes after delivery.
import type { Db, User } from '../../db';
import { saveStatement } from '../../db/statements';
import type { StatementData } from '../../domain/billing/statement';
import type { UpdateOutcome } from '../../server/temporal';
import type { DeliverRequest } from '../../domain/contracts/statement';
import { approve, deliver, startStatementLifecycle } from '../../server/statement-lifecycle';
import { eventually } from './eventually';
import type { StatementFixture } from './statement-fixtures';

/**
 * The fixture house's statement stored by `manager`, its lifecycle started, approved and delivered
 * in the portal, or by post on a given day, received on another if given (a worker on TEMPORAL_TASK_QUEUE renders its documents
 * and runs the workflow).
 */
export async function deliveredStatement(
  database: Db,
  house: StatementFixture,
  manager: User,
  by: { channel: 'portal' } | { channel: 'post'; dispatchedOn: string; receivedOn?: string } = { channel: 'portal' },
): Promise<StatementData> {
  const statement = await saveStatement(database, house.request, {
    userId: manager.id,
    email: manager.email,
    organisationId: manager.organisationId,
  });
  const ref = { id: statement.stored!.id, version: statement.stored!.version };
  const actor = { userId: manager.id, name: manager.email, role: 'manager' };
  await startStatementLifecycle(ref.id, actor);
  // On a loaded machine rendering the PDFs can outlast the update's deadline: the workflow goes on
  // all the same, so a step that timed out is awaited in the database rather than failed.
  const settled = async (outcome: UpdateOutcome<unknown>, status: string) => {
    if (outcome.ok) return;
    if (!/antwortet gerade nicht/.test(outcome.message))
      throw new Error(`the fixture statement could not be approved and delivered: ${outcome.message}`);
    await eventually(
      async () => {
        const row = await database.models.Statement.findByPk(ref.id, { attributes: ['status'], rejectOnEmpty: true });
        if (!status.split('|').includes(row.status)) throw new Error(`statement ${ref.id} is ${row.status}, not yet ${status}`);
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
  };
  await settled(await approve(ref, actor), 'approved');
  const request: DeliverRequest =
    by.channel === 'post'
      ? { actor, channel: 'post', dispatchedOn: by.dispatchedOn, receivedOn: by.receivedOn }
      : { actor, channel: 'portal' };
  // A letter whose window has long closed: the version's workflow proves "final" at once and ends.
  await settled(await deliver(ref, request), by.channel === 'post' ? 'final|delivered' : 'delivered');
  return statement;
}
