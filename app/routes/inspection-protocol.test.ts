// A technician records a smoke-alarm inspection on the device page: the portal generates the
// DIN 14676 protocol as a PDF into the archive, with the generator as its origin, and the tenant of
// the flat finds it under /nachweise.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { QueryTypes } from 'sequelize';
import { calendarDate } from '../../domain/calendar';
import { formatDate } from '../../domain/format';
import { createDeviceFixture, uniqueSuffix } from '../../tests/support/fixtures';
import { bundleWorkflows, startTestWorker, type RunningWorker } from '../../tests/support/temporal';
import { cookieFor, createWebFixture, dataOf, makeRequest, run, testDb, type WebFixture } from '../../tests/support/web';
import { action } from './geraete.$id';
import { loader as archiveLoader } from './nachweise._index';
import { loader as fileLoader } from './nachweise.$id.datei.$versionId';

const database = testDb();
const today = calendarDate(new Date());
let worker: RunningWorker;
let f: WebFixture;

beforeAll(async () => {
  const taskQueue = `web-inspection-${uniqueSuffix()}`;
  process.env.TEMPORAL_TASK_QUEUE = taskQueue;
  worker = await startTestWorker({ taskQueue, db: database, workflowBundle: await bundleWorkflows() });
  f = await createWebFixture(database);
});

afterAll(async () => {
  await worker?.stop();
  await database.close();
});

describe('inspection protocol', () => {
  test('a recorded smoke-alarm inspection files its DIN 14676 protocol into the archive', async () => {
    const alarm = await createDeviceFixture(
      database,
      { property: f.property, unit: f.unit },
      { type: 'RWM', installedAt: `${Number(today.slice(0, 4)) - 2}-01-10`, calibratedYear: null, location: 'Flur' },
    );
    const cookie = await cookieFor(f.technician);
    const result = dataOf(
      await run(action, makeRequest(`/geraete/${alarm.id}`, { cookie, form: { intent: 'inspect', lastInspectionAt: today } }), {
        id: String(alarm.id),
      }),
    );
    expect(result).toMatchObject({ ok: true, message: expect.stringContaining('Das Prüfprotokoll liegt unter Nachweise.') });

    const tenantList = dataOf(
      await run(archiveLoader, makeRequest(`/nachweise?geraet=${alarm.id}`, { cookie: await cookieFor(f.tenant) })),
    );
    const row = tenantList.rows.find((r) => r.deviceSerial === alarm.serial);
    expect(row).toMatchObject({
      kind: 'smoke-alarm-protocol',
      title: `Prüfprotokoll Rauchwarnmelder ${alarm.serial} vom ${formatDate(today)}`,
      origin: 'Prüfprotokoll DIN 14676 (Klarmeter)',
      documentDate: today,
      retentionUntil: `${Number(today.slice(0, 4)) + 10}-12-31`,
    });

    const documentId = row!.href.split('/').pop()!;
    const version = await database.sequelize.query<{ id: number }>(`SELECT id FROM archive_versions WHERE document_id = :id`, {
      replacements: { id: Number(documentId) },
      type: QueryTypes.SELECT,
      plain: true,
    });
    const response = await fileLoader({
      request: makeRequest(`/nachweise/${documentId}/datei/${version!.id}`, { cookie: await cookieFor(f.tenant) }),
      params: { id: documentId, versionId: String(version!.id) },
      context: {},
    });
    expect(response.headers.get('Content-Type')).toBe('application/pdf');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'protocol-')), 'p.pdf');
    writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Prüfprotokoll Rauchwarnmelder (DIN 14676-1)');
    expect(text).toContain(alarm.serial);
    expect(text).toContain('Flur');
    expect(text).toContain('Funktionsprüfung des Warnsignals');
    expect(text).toContain(f.technician.name);
  });
});
