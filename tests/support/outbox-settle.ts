// Delivers what the outbox kept back, as the worker's relay would. On a loaded machine a direct
// delivery may outlast its deadline (Temporal started or signalled all the same) and hold back the
// entries behind it; workflow tests on the time-skipping server have no relay running, so they call
// this after each write that enqueues a start or a signal.
import { QueryTypes } from 'sequelize';
import { expect } from 'vitest';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db';
import { relayOutbox } from '../../server/outbox';
import { eventually } from './eventually';

/** Waits until nothing of the task queue is left undelivered. */
export async function settleOutbox(db: Db, client: Client, taskQueue: string): Promise<void> {
  await eventually(
    async () => {
      await relayOutbox({ db, client, taskQueue, deadlineMs: 30_000 });
      const [left] = await db.sequelize.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM workflow_outbox WHERE task_queue = :taskQueue AND sent_at IS NULL',
        { replacements: { taskQueue }, type: QueryTypes.SELECT },
      );
      expect(left?.count).toBe(0);
    },
    { timeoutMs: 40_000, intervalMs: 500 },
  );
}
