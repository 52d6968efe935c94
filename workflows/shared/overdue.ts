// KlarOverdue: an obligation workflow says itself when its deadline has passed while it is still
// open, so the compliance desk's "überfällig" filter is one equality that visibility walks in its
// list order. A range on KlarDueAt made the dev server's SQLite read every workflow past its date,
// open or done, and sort them (docs/operations/capacity.md).
//
// Open is the kinds table's openStates (domain/compliance/obligation-kinds.ts): changing a kind's
// open states changes what its running workflows publish and needs a patched() of its own.
import {
  CancellationScope,
  condition,
  defineSignal,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { kindOf } from '../../domain/compliance/obligation-kinds';
import { OVERDUE_ATTRIBUTE_PATCH, SA } from './search-attributes';

/**
 * Starts the tracking in an execution that began before it existed (no KlarOverdue yet); one that
 * tracks already ignores it. `npm run -s cli -- track-overdue` sends it after an upgrade.
 */
export const startOverdueTracking = defineSignal('startOverdueTracking');

interface Deadline {
  open: boolean;
  dueMs: number | null;
}

function currentDeadline(): Deadline {
  const { typedSearchAttributes: attributes, workflowType } = workflowInfo();
  const kind = kindOf(attributes.get(SA.obligation) ?? null, workflowType);
  const state = attributes.get(SA.state);
  return {
    open: kind !== undefined && state !== undefined && kind.openStates.includes(state),
    dueMs: attributes.get(SA.dueAt)?.getTime() ?? null,
  };
}

function publish(overdue: boolean): void {
  if (workflowInfo().typedSearchAttributes.get(SA.overdue) !== overdue) upsertSearchAttributes([{ key: SA.overdue, value: overdue }]);
}

/** Keeps KlarOverdue current: at each change of state or deadline, and when the deadline passes. */
async function watch(): Promise<never> {
  for (;;) {
    const { open, dueMs } = currentDeadline();
    const now = Date.now();
    const overdue = open && dueMs !== null && dueMs <= now;
    publish(overdue);
    const changed = () => {
      const next = currentDeadline();
      return next.open !== open || next.dueMs !== dueMs;
    };
    if (open && dueMs !== null && !overdue) await condition(changed, dueMs - now);
    else await condition(changed);
  }
}

/**
 * Called first in an obligation workflow: KlarOverdue is tracked beside the workflow's own code
 * from then on. An execution that ends (its state closed or not) keeps its last value; the desk
 * asks for running ones only.
 */
export function trackOverdue(): void {
  let tracking = false;
  const start = () => {
    if (tracking) return;
    tracking = true;
    // Its timer is its own: a cancelled workflow decides its end, the watch never fails it.
    void CancellationScope.nonCancellable(watch);
  };
  setHandler(startOverdueTracking, start);
  if (patched(OVERDUE_ATTRIBUTE_PATCH)) start();
}
