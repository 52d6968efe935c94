// `npm run compose:check`: validates docker-compose.yml with compose-go, the loader Docker Compose v2
// itself uses (scripts/compose-check, built once into the cache). Where no Docker engine is at hand
// (CI, this machine) it is the check that the file would load: schema, interpolation, dependencies.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { requireGoBinary } from './lib/go-tools';
import { ROOT } from './lib/services';

const source = path.join(ROOT, 'scripts', 'compose-check');
// The cached binary is named after its sources, so a changed check is rebuilt.
const digest = createHash('sha256');
for (const file of ['go.mod', 'go.sum', 'main.go']) digest.update(readFileSync(path.join(source, file)));
const binary = requireGoBinary({ name: `compose-check-${digest.digest('hex').slice(0, 12)}`, target: '.', cwd: source });

// The file requires these secrets (${VAR:?}); a check needs values of the right shape, not real ones.
const env = {
  ...process.env,
  SESSION_SECRET: process.env.SESSION_SECRET ?? 'x'.repeat(32),
  DOCUMENT_KEY: process.env.DOCUMENT_KEY ?? '0'.repeat(64),
};
const result = spawnSync(binary, [path.join(ROOT, 'docker-compose.yml')], { env, stdio: 'inherit' });
process.exit(result.status ?? 1);
