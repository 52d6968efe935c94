// Temporal's time-skipping test server for workflow tests: the wrapper that
// scripts/temporal-test-server/install.sh puts into the per-machine cache (Java, from Maven
// Central), installed on first use when Java and Maven are there.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineCacheBin } from '../../server/config';

const TOOL_DIR = fileURLToPath(new URL('../temporal-test-server/', import.meta.url));

/** The version pinned in scripts/temporal-test-server/pom.xml (the installer reads the same). */
export function temporalTestServerVersion(): string {
  const pom = readFileSync(path.join(TOOL_DIR, 'pom.xml'), 'utf8');
  const version = /<temporal\.version>([^<]+)<\/temporal\.version>/.exec(pom)?.[1];
  if (!version) throw new Error(`No <temporal.version> in ${path.join(TOOL_DIR, 'pom.xml')}`);
  return version;
}

/** Where the wrapper lives once installed. */
export function temporalTestServerPath(): string {
  return path.join(machineCacheBin(), `temporal-test-server-${temporalTestServerVersion()}`);
}

/**
 * The wrapper's path, installing it first if this machine has none yet (Maven fetches about 35 MB
 * of jars, once). Throws with what is missing when it cannot be installed.
 */
export function findTemporalTestServer(log: (line: string) => void = console.log): string {
  const wrapper = temporalTestServerPath();
  if (existsSync(wrapper)) return wrapper;
  log(`Installing Temporal's time-skipping test server into ${path.dirname(wrapper)} (once per machine)…`);
  const installed = spawnSync('bash', [path.join(TOOL_DIR, 'install.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (installed.status !== 0 || !existsSync(wrapper)) {
    throw new Error(
      `Installing the time-skipping test server failed (exit ${installed.status}). It needs Java 17 and Maven; ` +
        'run `bash scripts/temporal-test-server/install.sh` to see why.',
    );
  }
  return wrapper;
}
