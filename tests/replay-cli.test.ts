// `cli replay` against the dev server: it fetches the histories of running and recently closed
// executions and replays them against the workflow code; a deliberately non-deterministic change
// (tests/support/replay) makes it name the workflow and exit 1.
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureDeviceWorkflow } from '../server/device-obligation';
import { runReplay } from '../scripts/cli/replay';
import { runHistory } from '../scripts/cli/history';
import { eventually } from './support/eventually';
import { createDeviceFixture, createOrgFixture, uniqueSuffix } from './support/fixtures';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from './support/temporal';
import { testDb } from './support/web';

const database = testDb();
let worker: RunningWorker;
let temporal: TestClient;
let workflowId: string;

beforeAll(async () => {
  const taskQueue = `replay-cli-${uniqueSuffix()}`;
  worker = await startTestWorker({ taskQueue, db: database, workflowBundle: await bundleWorkflows() });
  temporal = await connectTestClient();
  const org = await createOrgFixture(database);
  const device = await createDeviceFixture(database, org, { type: 'WZ-W', installedAt: '2019-03-01', calibratedYear: 2019 });
  workflowId = (await ensureDeviceWorkflow(temporal.client, device.id, { taskQueue, db: database }))!.workflowId;
  // Past its first steps (the escalation), now waiting: a history with activities and a timer.
  await eventually(
    async () => expect((await temporal.client.workflow.getHandle(workflowId).describe()).searchAttributes.KlarState).toEqual(['escalated']),
    { timeoutMs: 30_000 },
  );
  await eventually(
    async () => {
      const listed = [];
      for await (const info of temporal.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) listed.push(info);
      expect(listed).toHaveLength(1);
    },
    { timeoutMs: 20_000 },
  );
});

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await database.close();
});

async function replay(args: string[]): Promise<{ code: number; output: string }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await runReplay(args, { client: temporal.client, out });
  return { code, output: Buffer.concat(chunks).toString('utf8') };
}

describe('cli replay', () => {
  test('replays the server’s recent device histories against the current code', async () => {
    const { code, output } = await replay(['--since', '1d', '--type', 'deviceDeadline', '--limit', '200']);
    expect(output).toMatch(/^replayed (\d+) histor(y|ies) against workflows\/index\.ts: \1 ok, 0 failed\n$/);
    expect(code).toBe(0);
  });

  test('names a history the changed code cannot replay, and exits 1', async () => {
    const changed = path.resolve(import.meta.dirname, 'support/replay/extra-timer-workflows.ts');
    const { code, output } = await replay(['--since', '1d', '--type', 'deviceDeadline', '--workflows', changed]);
    expect(code).toBe(1);
    expect(output).toContain(`NONDETERMINISTIC ${workflowId}: `);
    // Other tests' device workflows share the dev server: those whose history ends before their first
    // command still replay, so only the failures are certain.
    expect(output).toMatch(
      /^replayed \d+ histor(y|ies) against tests\/support\/replay\/extra-timer-workflows\.ts: \d+ ok, [1-9]\d* failed\n/,
    );
  });

  test('refuses a malformed option by name', async () => {
    expect(await replay(['--since', 'seven days'])).toEqual({ code: 2, output: '' });
  });
});

describe('cli history', () => {
  async function history(args: string[]): Promise<{ code: number; output: string }> {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const code = await runHistory(args, { client: temporal.client, out });
    return { code, output: Buffer.concat(chunks).toString('utf8') };
  }

  test('prints the timeline in German, or the raw JSON the replay check takes', async () => {
    const text = await history([workflowId]);
    expect(text.code).toBe(0);
    expect(text.output).toMatch(/^\d\d\.\d\d\.\d{4}, \d\d:\d\d {2}Fristüberwachung für Gerät \d+ begonnen \(eingebaut am 01\.03\.2019\)\n/);
    expect(text.output).toContain('Eichfrist 31.12.2025 abgelaufen: eskaliert an ');
    const json = await history([workflowId, '--format', 'json']);
    expect(JSON.parse(json.output).events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(await history([workflowId, '--format', 'pdf'])).toEqual({ code: 2, output: '' });
  });
});
