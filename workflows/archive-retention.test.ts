// The retention workflow on Temporal's time-skipping test server with the real activities: the timer
// of a document whose retention ends at next year's end fires only then, a legal hold stops it (a
// held document is not offered for deletion even long after its end), and the release lets it run on.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, test } from 'vitest';
import { createDb } from '../db';
import { retentionEndMs, retentionUntil } from '../domain/archive';
import { retentionWorkflowId } from '../domain/contracts/retention';
import { placeLegalHold, releaseLegalHold, uploadArchiveDocument } from '../server/archive';
import type { SessionUser } from '../server/session';
import { createOrgFixture, type OrgFixture, sessionUserOf } from '../tests/support/fixtures';
import { recordHistory, timeSkippingPerTest, type TimeSkipping } from '../tests/support/time-skipping';
import { retentionStatus } from './shared/retention';

process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
process.env.DATABASE_URL ??= inject('databaseUrl');

const db = createDb(inject('databaseUrl'));
const DAY = 24 * 3_600_000;
let org: OrgFixture;
let manager: SessionUser;

beforeAll(async () => {
  org = await createOrgFixture(db);
  manager = sessionUserOf(org.managers[0]);
});

afterAll(async () => {
  await db.close();
});

let ts: TimeSkipping;
const server = timeSkippingPerTest({ db });
beforeEach(() => {
  ts = server.current;
});

/**
 * A protocol dated nine years before the server's year: kept until 31 December of next year, so its
 * end lies between one and two years ahead whatever the date the test runs on.
 */
async function uploadEndingNextYear(title: string) {
  const year = new Date(await ts.now()).getUTCFullYear() - 9;
  const documentDate = `${year}-06-01`;
  const outcome = await uploadArchiveDocument(
    manager,
    {
      propertyId: org.property.id,
      unitId: org.unit.id,
      deviceId: null,
      kind: 'smoke-alarm-protocol',
      title,
      documentDate,
      note: null,
      fileName: 'protokoll.pdf',
      content: Buffer.from(`%PDF-1.4\n% ${title}\n`),
    },
    { db, client: ts.client, taskQueue: ts.taskQueue },
  );
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  return {
    ...outcome,
    endMs: retentionEndMs(retentionUntil('smoke-alarm-protocol', documentDate)),
    handle: ts.client.workflow.getHandle(retentionWorkflowId(outcome.versionId)),
  };
}

const announcements = (versionId: number) =>
  db.models.Notification.count({ where: { dedupeKey: `${retentionWorkflowId(versionId)}:ended` } });

/** Whole days from the server's now to just after the retention end (00:00 UTC on 1 January). */
async function daysToEnd(endMs: number): Promise<number> {
  return Math.ceil((endMs - (await ts.now())) / DAY) + 1;
}

describe('the retention timer', () => {
  test('fires at the end of the retention period and asks the managers once', async () => {
    const doc = await uploadEndingNextYear('Läuft zum Jahresende ab');
    await ts.skip('1 hour');
    expect(await doc.handle.query(retentionStatus)).toMatchObject({ state: 'retaining', held: false, announcedAt: null });
    const days = await daysToEnd(doc.endMs);
    await ts.skip(`${days - 3} days`);
    expect((await doc.handle.query(retentionStatus)).state).toBe('retaining');
    expect(await announcements(doc.versionId)).toBe(0);
    await ts.skip('4 days');
    const status = await doc.handle.query(retentionStatus);
    expect(status.state).toBe('awaiting-approval');
    expect(Date.parse(status.announcedAt!)).toBeGreaterThanOrEqual(Date.parse(status.endsAt));
    expect(await announcements(doc.versionId)).toBe(1);
    await ts.skip('30 days');
    expect(await announcements(doc.versionId)).toBe(1);
    await recordHistory(doc.handle, 'announced');
    await ts.terminate(doc.handle);
  });

  test('stops under a legal hold and runs on after its release', async () => {
    const doc = await uploadEndingNextYear('Im Streit');
    await ts.skip('1 hour');
    const hold = await placeLegalHold(
      manager,
      { propertyId: org.property.id, unitId: org.unit.id, reason: 'Prüfung durch das Finanzamt' },
      {
        db,
        client: ts.client,
        taskQueue: ts.taskQueue,
      },
    );
    if (!hold.ok) throw new Error(JSON.stringify(hold.errors));
    await ts.skip('1 minute');
    expect(await doc.handle.query(retentionStatus)).toMatchObject({ state: 'held', held: true });
    await ts.skip(`${(await daysToEnd(doc.endMs)) + 400} days`);
    expect(await doc.handle.query(retentionStatus)).toMatchObject({ state: 'held', announcedAt: null });
    expect(await announcements(doc.versionId)).toBe(0);

    expect(await releaseLegalHold(manager, hold.holdId, { db, client: ts.client, taskQueue: ts.taskQueue })).toMatchObject({
      ok: true,
      signalled: expect.any(Number),
    });
    await ts.skip('1 minute');
    expect(await doc.handle.query(retentionStatus)).toMatchObject({ state: 'awaiting-approval', held: false });
    expect(await announcements(doc.versionId)).toBe(1);
    await recordHistory(doc.handle, 'held-then-released');
    await ts.terminate(doc.handle);
  });
});
