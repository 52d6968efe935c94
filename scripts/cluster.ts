// `npm run cluster`: the production topology on this machine (PostgreSQL, the Temporal server, two
// workers, two web processes behind HAProxy), supervised in the foreground. Ctrl-C stops it all.
// Ports and the data directory: CLUSTER_* environment variables (docs/operations/README.md).
import { Cluster, clusterOptionsFromEnv, clusterSummary } from './lib/cluster';

const log = (line: string) => console.log(`[cluster] ${line}`);
let cluster: Cluster | undefined;
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  log('Stopping …');
  const started = Date.now();
  await cluster?.stop().catch((error: Error) => log(`while stopping: ${error.message}`));
  log(`Stopped in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));

try {
  cluster = new Cluster(clusterOptionsFromEnv(log));
  const { state, startSeconds } = await cluster.start();
  console.log(clusterSummary(state, startSeconds));
} catch (error) {
  if (!stopping) {
    console.error(`[cluster] ${(error as Error).message}`);
    await shutdown(1);
  }
}
