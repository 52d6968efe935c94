// One worker process of `npm run bench -- monthly --workers N`: the same worker as `npm run worker`
// (buildWorker: every workflow and activity), without its start-up sweeps and schedules, so that
// the bench measures only the monthly run. Arguments: <temporal address> <database url> <task queue>.
// Prints "bench worker ready" once it polls; SIGTERM drains it and ends the process.
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createDb } from '../../db';
import { buildWorker } from '../lib/worker';
import { headSigner } from '../../server/proof/signing';

const [address, databaseUrl, taskQueue] = process.argv.slice(2);
if (!address || !databaseUrl || !taskQueue) {
  console.error('Usage: monthly-worker.ts <temporal address> <database url> <task queue>');
  process.exit(2);
}

Runtime.install({
  logger: new DefaultLogger('WARN'),
  telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
});
// The pool of the in-process bench worker (scripts/bench/monthly.ts), per process; it signs proof heads
// as the production worker does (PROOF_SIGNING_KEY from the bench's .data secrets).
const db = createDb(databaseUrl, { poolMax: 20, headSigner: headSigner() });
const connection = await NativeConnection.connect({ address });
try {
  const worker = await buildWorker({ connection, taskQueue, db });
  const running = worker.run();
  console.log('bench worker ready');
  await running;
} finally {
  await connection.close();
  await db.close();
}
