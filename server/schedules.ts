// Creating or updating a Temporal Schedule at worker start-up: every worker calls it, so a
// deployment changes the Schedule with the code. Keeps whether an operator paused it.
import {
  Client,
  Connection,
  ScheduleAlreadyRunning,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleOptions,
  type ScheduleSpec,
} from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

export interface ScheduleDefinition<W extends Workflow> {
  scheduleId: string;
  spec: ScheduleSpec;
  action: ScheduleOptionsStartWorkflowAction<W>;
  policies: NonNullable<ScheduleOptions['policies']>;
}

/** Creates the Schedule, or updates spec, action and policies of the existing one. Idempotent. */
export async function ensureSchedule<W extends Workflow>(
  client: Client,
  definition: ScheduleDefinition<W>,
): Promise<'created' | 'updated'> {
  const { scheduleId, spec, action, policies } = definition;
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(scheduleId).update<W>((previous) => ({
    spec,
    action,
    policies: { ...previous.policies, ...policies },
    state: { paused: previous.state.paused, note: previous.state.note, remainingActions: previous.state.remainingActions },
  }));
  return 'updated';
}

/** For the worker's start-up: its own short-lived connection, closed again so that shutdown is not held up. */
export async function withStartupClient<T>(
  settings: { address: string; namespace: string },
  use: (client: Client) => Promise<T>,
): Promise<T> {
  const connection = await Connection.connect({ address: settings.address });
  try {
    return await use(new Client({ connection, namespace: settings.namespace }));
  } finally {
    await connection.close();
  }
}
