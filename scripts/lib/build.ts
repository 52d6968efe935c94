import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './services';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the Remix app when there is no build or a source it bundles is newer. */
export function ensureWebBuild(log: (line: string) => void): void {
  const serverBuild = path.join(ROOT, 'build', 'server', 'index.js');
  const sources = ['app', 'server', 'db', 'domain', 'activities', 'workflows'].map((dir) => newestMtime(path.join(ROOT, dir)));
  if (existsSync(serverBuild) && statSync(serverBuild).mtimeMs > Math.max(...sources)) return;
  log('Building the web app …');
  const cli = path.join(ROOT, 'node_modules', '@remix-run', 'dev', 'dist', 'cli.js');
  const result = spawnSync(process.execPath, [cli, 'vite:build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error('The web build failed (see above).');
}
