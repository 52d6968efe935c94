// Temporal Schedules the worker keeps in line with the code: created at start-up, or brought up to
// date (spec, action, policies) keeping whether an operator paused it. Idempotent: any number of
// workers may call it at once.
import {
  Client,
  Connection,
  ScheduleAlreadyRunning,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
  type Workflow,
} from '@temporalio/client';

export interface ScheduleDefinition<W extends Workflow> {
  scheduleId: string;
  spec: ScheduleOptions['spec'];
  action: ScheduleOptionsStartWorkflowAction<W>;
  policies: NonNullable<ScheduleOptions['policies']>;
}

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
export async function withTemporalClient<T>(
  settings: { address: string; namespace: string },
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const connection = await Connection.connect({ address: settings.address });
  try {
    return await work(new Client({ connection, namespace: settings.namespace }));
  } finally {
    await connection.close();
  }
}
