// Replays every committed history (workflows/histories/<workflow type>/*.json) against the current
// workflow code: a change that would make running executions take another path than they took
// (another activity, timer or order, without a patched() guard; ADR 7) fails here. Before changing
// a workflow's code, record a history of it with `npm run histories:record` and commit it.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, bundleWorkflowCode, type ReplayResult } from '@temporalio/worker';
import { bundleWorkflows, quietRuntime } from '../tests/support/temporal';
import { OVERDUE_TRACKING_WORKFLOW_TYPES } from '../domain/compliance/obligation-kinds';
import { SEARCH_KEYS } from '../domain/search-attributes';

const HISTORIES = path.join(import.meta.dirname, 'histories');

interface RecordedHistory {
  workflowType: string;
  name: string;
  workflowId: string;
  history: ReturnType<typeof historyFromJSON>;
}

function recordedHistories(): RecordedHistory[] {
  return readdirSync(HISTORIES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) =>
      readdirSync(path.join(HISTORIES, dir.name))
        .filter((file) => file.endsWith('.json'))
        .map((file) => ({
          workflowType: dir.name,
          name: file.replace(/\.json$/, ''),
          workflowId: `${dir.name}/${file}`,
          history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, dir.name, file), 'utf8'))),
        })),
    );
}

/** The workflow types the worker runs: the names workflows/index.ts exports. */
function workflowTypes(): string[] {
  const index = readFileSync(path.join(import.meta.dirname, 'index.ts'), 'utf8');
  return [...index.matchAll(/export \{([^}]+)\}/g)].flatMap((match) => match[1]!.split(',').map((name) => name.trim()));
}

async function replay(workflowBundle: { code: string }, histories: RecordedHistory[]): Promise<ReplayResult[]> {
  quietRuntime();
  const results: ReplayResult[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'klarmeter-replay' }, histories)) results.push(result);
  return results;
}

describe('replay of recorded histories', () => {
  const histories = recordedHistories();

  test('every workflow type has a recorded history, and every history a type the worker runs', () => {
    const types = workflowTypes();
    expect(types.length).toBeGreaterThan(0);
    expect([...new Set(histories.map((h) => h.workflowType))].sort()).toEqual([...types].sort());
    for (const history of histories) {
      const started = history.history.events?.[0]?.workflowExecutionStartedEventAttributes;
      expect(started?.workflowType?.name, history.workflowId).toBe(history.workflowType);
    }
  });

  test('every workflow type with a deadline to meet while open has a history that tracks KlarOverdue', () => {
    // A new kind with open states whose workflow forgets trackOverdue() would be missing from the
    // desk's overdue filter; its first recorded history shows it.
    for (const type of OVERDUE_TRACKING_WORKFLOW_TYPES) {
      const publishes = histories
        .filter((h) => h.workflowType === type)
        .some((h) =>
          (h.history.events ?? []).some(
            (event) => SEARCH_KEYS.overdue in (event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}),
          ),
        );
      expect(publishes, type).toBe(true);
    }
  });

  test('the current workflow code replays every history without a determinism violation', async () => {
    const results = await replay(await bundleWorkflows(), histories);
    expect(results.map((r) => r.workflowId)).toEqual(histories.map((h) => h.workflowId));
    const failures = results.filter((r) => r.error).map((r) => `${r.workflowId}: ${String(r.error)}`);
    expect(failures).toEqual([]);
  });

  test('a change that is not deterministic fails the replay (the guard works)', async () => {
    const code = (
      await bundleWorkflowCode({
        workflowsPath: path.resolve(import.meta.dirname, '../tests/support/replay/extra-timer-workflows.ts'),
        logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
      })
    ).code;
    const deviceHistories = histories.filter((h) => h.workflowType === 'deviceDeadline');
    expect(deviceHistories.length).toBeGreaterThan(0);
    const results = await replay({ code }, deviceHistories);
    expect(results).toHaveLength(deviceHistories.length);
    for (const result of results) expect(result.error).toBeInstanceOf(DeterminismViolationError);
  });
});
