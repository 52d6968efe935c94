// Lint keeps the layers: probe files with wrong-way imports in every spelling are placed into the
// tree, linted with the project's own configuration, and each import must be reported; the allowed
// directions must not be.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

const PROBES: Record<string, string[]> = {
  'workflows/layer-probe.ts': [
    "export * from '../db';",
    "export * from '../db/index';",
    "export * from '../db/models/device';",
    "export { db } from '../server/db';",
    "export * from './../activities';",
    "export type { Device } from '../db';",
    "export type { Activities } from '../activities';",
    "export * from '../domain/dates';",
    "export * from './shared/device';",
  ],
  'domain/layer-probe.ts': [
    "export * from '../db';",
    "export type { Config } from '../server/config';",
    "export * from '../workflows/shared/device';",
    "export * from '../app/utils/navigation';",
    "export * from './dates';",
  ],
  'app/routes/layer-probe.tsx': [
    "export * from '../../activities';",
    "export * from '../../db/index';",
    "export * from '~/../db';",
    "export * from '../../workflows/shared/ticket';",
    "export const load = () => import('../../activities/index');",
    "export * from '../../server/tickets';",
    "export * from '~/utils/navigation';",
    "export * from '../../domain/format';",
  ],
  'db/layer-probe.ts': [
    "export * from '../server/temporal';",
    "export * from '../tests/support/eventually';",
    "export * from '../domain/dates';",
  ],
  'server/layer-probe.ts': [
    "export * from '../app/utils/navigation';",
    "export * from '../activities';",
    "export type { ticketWorkflow } from '../workflows/ticket';",
    "export * from '../workflows/shared/ticket';",
    "export * from '../db';",
  ],
};

/** The lines of each probe that lint reported as wrong-way imports. */
const reported = new Map<string, number[]>();

// One lint run over every probe: the typed configuration starts its TypeScript service once.
beforeAll(async () => {
  const files = Object.entries(PROBES).map(([relative, lines]) => {
    const file = path.join(ROOT, relative);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  });
  try {
    for (const result of await new ESLint({ cwd: ROOT }).lintFiles(files)) {
      const relative = path.relative(ROOT, result.filePath);
      reported.set(
        relative,
        result.messages.filter((m) => m.ruleId === 'klarmeter/layers').map((m) => m.line),
      );
    }
  } finally {
    for (const file of files) rmSync(file, { force: true });
  }
}, 180_000);

afterAll(() => {
  for (const relative of Object.keys(PROBES)) rmSync(path.join(ROOT, relative), { force: true });
});

const layerErrors = (relative: string) => reported.get(relative);

describe('layer boundaries', () => {
  test('workflows/ may not reach db, server or activities, however the path is spelled', () => {
    expect(layerErrors('workflows/layer-probe.ts')).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('domain/ imports nothing of the other layers', () => {
    expect(layerErrors('domain/layer-probe.ts')).toEqual([1, 2, 3, 4]);
  });

  test('routes call server/: activities, db and workflows are out of reach, also through the ~ alias', () => {
    expect(layerErrors('app/routes/layer-probe.tsx')).toEqual([1, 2, 3, 4, 5]);
  });

  test('db/ imports only domain/, server/ not app/ or activities/, and production code never imports tests', () => {
    expect(layerErrors('db/layer-probe.ts')).toEqual([1, 2]);
    expect(layerErrors('server/layer-probe.ts')).toEqual([1, 2]);
  });
});
