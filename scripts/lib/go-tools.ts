// Go programs we need as binaries (the Temporal CLI, server and SQL tool, the compose check): built
// once per machine from the Go module proxy into a cache outside the repository, so that a clean
// clone (and CI) reuses them. The proxy works where GitHub release downloads do not.
import { spawnSync } from 'node:child_process';

import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';

import path from 'node:path';
import { machineCacheBin } from '../../server/config';

export const CACHE_BIN = machineCacheBin();

export function onPath(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() || undefined : undefined;
}

export interface GoBinary {
  /** File name in the cache; include the version when other files must match it (schemas, go.sum). */
  name: string;
  /** What `go install` gets: `module/path/cmd@version`, or `.` for the module in `cwd`. */
  target: string;
  cwd?: string;
}

/**
 * The cached binary, built with `CGO_ENABLED=0 go install` when missing. Null when Go is missing or
 * the build fails (its output went to stderr). The build goes to a private directory first and is
 * renamed into place, so parallel starts never see a half-written binary.
 */
export function cachedGoBinary(binary: GoBinary, log: (line: string) => void = console.log): string | null {
  const cached = path.join(CACHE_BIN, binary.name);
  if (existsSync(cached)) return cached;
  if (!onPath('go')) return null;
  log(`Building ${binary.name} (${binary.target}) with Go into ${CACHE_BIN} (once per machine, up to a few minutes) …`);
  mkdirSync(CACHE_BIN, { recursive: true });
  const gobin = mkdtempSync(path.join(CACHE_BIN, '.build-'));
  const started = Date.now();
  try {
    const built = spawnSync('go', ['install', binary.target], {
      cwd: binary.cwd,
      env: { ...process.env, CGO_ENABLED: '0', GOBIN: gobin },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const [produced] = readdirSync(gobin);
    if (built.status !== 0 || !produced) {
      log(`Building ${binary.name} with Go failed (see above).`);
      return null;
    }
    renameSync(path.join(gobin, produced), cached);
    log(`Built ${binary.name} in ${Math.round((Date.now() - started) / 1000)} s.`);
    return cached;
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
}

/** Like cachedGoBinary, for callers that cannot go on without it. */
export function requireGoBinary(binary: GoBinary, log?: (line: string) => void): string {
  const found = cachedGoBinary(binary, log);
  if (!found) {
    throw new Error(
      `${binary.name} is missing and could not be built: install Go (https://go.dev/dl) and run again, ` +
        `or build it yourself with \`CGO_ENABLED=0 GOBIN=${CACHE_BIN} go install ${binary.target}\` and rename the binary to ${binary.name}.`,
    );
  }
  return found;
}
