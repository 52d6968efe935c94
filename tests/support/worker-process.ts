// The production worker (scripts/lib/worker.ts) in a process of its own, for tests that kill it with
// kill -9: `node --import tsx tests/support/worker-process.ts` with TEMPORAL_ADDRESS, DATABASE_URL,
// TEMPORAL_TASK_QUEUE and WORKFLOW_BUNDLE (a file with the run's workflow bundle). Prints "ready".
import { readFile } from 'node:fs/promises';
import { NativeConnection } from '@temporalio/worker';
import { createDb } from '../../db';
import { createPdfRenderer } from '../../server/pdf';
import { buildWorker } from '../../scripts/lib/worker';

const need = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const db = createDb(need('DATABASE_URL'));
const pdfRenderer = createPdfRenderer({ executablePath: process.env.PUPPETEER_EXECUTABLE_PATH });
const connection = await NativeConnection.connect({ address: need('TEMPORAL_ADDRESS') });
const worker = await buildWorker({
  connection,
  taskQueue: need('TEMPORAL_TASK_QUEUE'),
  db,
  pdfRenderer,
  workflowBundle: { code: await readFile(need('WORKFLOW_BUNDLE'), 'utf8') },
});
console.log('ready');
await worker.run();
await pdfRenderer.close();
await connection.close();
await db.close();
