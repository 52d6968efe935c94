// Workflow-side steps the case workflows (ticket, appointment) share. Workflow code only: it uses
// @temporalio/workflow's condition, so only workflows import it (the app imports the message
// modules beside it, never this one).
import { allHandlersFinished, condition } from '@temporalio/workflow';

/** Sleeps until `woken` holds or, when there is one, until `wakeAt` (epoch ms, workflow time). */
export async function sleepUntilWokenOr(woken: () => boolean, wakeAt: number | null): Promise<void> {
  if (wakeAt === null) await condition(woken);
  else if (wakeAt > Date.now()) await condition(woken, wakeAt - Date.now());
}

/**
 * After a case has finished: keep answering queries (and refusing updates clearly) until
 * `lingerUntil`, delivering whatever the outbox still gets, then let the handlers finish and drain
 * it one last time.
 */
export async function lingerThenDrain(lingerUntil: number, outboxHasWork: () => boolean, drain: () => Promise<void>): Promise<void> {
  while (Date.now() < lingerUntil) {
    await drain();
    await condition(outboxHasWork, lingerUntil - Date.now());
  }
  await condition(allHandlersFinished);
  await drain();
}
