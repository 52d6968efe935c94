// The evidence archive against the run's PostgreSQL and Temporal dev server: uploads are checked by
// content, stored encrypted and versioned, scoped per role; existing monthly information is listed
// without a second copy; retention ends only after its timer, only with a manager's approval and
// never under a legal hold, and leaves a tombstone.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createDb, type User } from '../db';
import { retentionWorkflowId } from '../domain/contracts/retention';
import { retentionStatus } from '../workflows/shared/retention';
import { eventually } from '../tests/support/eventually';
import { recordHistory } from '../tests/support/time-skipping';
import { createDeviceFixture, createOrgFixture, createUserFixture, uniqueSuffix, type OrgFixture } from '../tests/support/fixtures';
import { createMonthlyFixture, publishFixtureMonth } from '../tests/support/monthly-fixtures';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../tests/support/temporal';
import {
  addArchiveVersion,
  approveArchiveDeletion,
  archiveDocument,
  listArchive,
  openArchiveVersion,
  parseArchiveFilters,
  placeLegalHold,
  releaseLegalHold,
  uploadArchiveDocument,
  type UploadInput,
} from './archive';
import type { SessionUser } from './session';

process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
process.env.DATABASE_URL ??= inject('databaseUrl');

const db = createDb(inject('databaseUrl'));
const taskQueue = `archive-${uniqueSuffix()}`;
let temporal: TestClient;
let worker: RunningWorker;
let org: OrgFixture;
let manager: SessionUser;

const PDF = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]);

function session(user: User, organisationName = 'Test'): SessionUser {
  return { id: user.id, organisationId: user.organisationId, organisationName, email: user.email, name: user.name, role: user.role };
}

function upload(overrides: Partial<UploadInput> = {}): UploadInput {
  return {
    propertyId: org.property.id,
    unitId: org.unit.id,
    deviceId: null,
    kind: 'smoke-alarm-protocol',
    title: 'Wartung Rauchwarnmelder 2026',
    documentDate: '2026-03-10',
    note: null,
    fileName: 'protokoll.pdf',
    content: PDF('Prüfprotokoll DIN 14676'),
    ...overrides,
  };
}

const options = () => ({ db, client: temporal.client, taskQueue });

beforeAll(async () => {
  temporal = await connectTestClient();
  worker = await startTestWorker({ taskQueue, db, workflowBundle: await bundleWorkflows() });
  org = await createOrgFixture(db);
  manager = session(org.managers[0]!);
});

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await db.close();
});

describe('uploads', () => {
  test('are refused by content, size and place, each error naming its field', async () => {
    const other = await createOrgFixture(db);
    const bad = await uploadArchiveDocument(
      manager,
      upload({ content: Buffer.from('not a pdf at all'), fileName: 'fake.pdf', propertyId: other.property.id, kind: 'x', title: ' ' }),
      options(),
    );
    expect(bad).toEqual({
      ok: false,
      errors: {
        file: 'Nur PDF-, PNG- oder JPEG-Dateien werden angenommen (Inhalt geprüft).',
        property: 'Bitte eine Liegenschaft wählen.',
        kind: 'Bitte die Art des Nachweises wählen.',
        title: 'Bitte eine Bezeichnung angeben (höchstens 200 Zeichen).',
      },
    });
    const big = await uploadArchiveDocument(
      manager,
      upload({ content: Buffer.concat([PDF('x'), Buffer.alloc(10 * 1024 * 1024)]) }),
      options(),
    );
    expect(big).toEqual({ ok: false, errors: { file: 'Die Datei ist größer als 10 MB.' } });
    const foreignUnit = await uploadArchiveDocument(manager, upload({ unitId: other.unit.id }), options());
    expect(foreignUnit).toEqual({ ok: false, errors: { unit: 'Die Wohneinheit gehört nicht zu dieser Liegenschaft.' } });
  });

  test('are stored encrypted and versioned: a correction keeps the old version, nothing is overwritten', async () => {
    const device = await createDeviceFixture(db, { property: org.property, unit: org.unit }, { type: 'RWM', installedAt: '2020-01-01' });
    const first = await uploadArchiveDocument(manager, upload({ deviceId: device.id }), options());
    if (!first.ok) throw new Error(JSON.stringify(first.errors));
    const [raw] = await db.sequelize.query<{ ciphertext: Buffer; contentType: string; fileName: string; retentionUntil: string }>(
      `SELECT ciphertext, content_type AS "contentType", file_name AS "fileName", retention_until::text AS "retentionUntil"
         FROM archive_versions WHERE id = :id`,
      { replacements: { id: first.versionId }, type: QueryTypes.SELECT },
    );
    expect(raw!.ciphertext.includes(Buffer.from('DIN 14676'))).toBe(false);
    expect(raw).toMatchObject({ contentType: 'application/pdf', fileName: 'protokoll.pdf', retentionUntil: '2036-12-31' });

    const second = await addArchiveVersion(
      manager,
      first.documentId,
      { documentDate: '2026-03-11', note: 'Tippfehler', fileName: 'scan.png', content: PNG },
      options(),
    );
    expect(second).toMatchObject({ ok: true, version: 2 });
    const view = await archiveDocument(manager, first.documentId, db);
    expect(view!.versions.map((v) => [v.version, v.contentType, v.fileName])).toEqual([
      [2, 'image/png', 'scan.png'],
      [1, 'application/pdf', 'protokoll.pdf'],
    ]);
    const opened = await openArchiveVersion(manager, first.documentId, first.versionId, db);
    expect(opened!.content.toString()).toContain('DIN 14676');
    expect(opened!.sha256).toBe(first.sha256);
    await expect(db.sequelize.query(`UPDATE archive_versions SET file_name = 'x.pdf' WHERE id = ${first.versionId}`)).rejects.toThrow(
      /never changed/,
    );
    await expect(db.sequelize.query(`DELETE FROM archive_versions WHERE id = ${first.versionId}`)).rejects.toThrow(/retained until/);

    const listed = await listArchive(manager, parseArchiveFilters(new URLSearchParams({ geraet: String(device.id) })), db);
    expect(listed.rows.map((r) => [r.kind, r.version, r.deviceSerial, r.retentionUntil, r.origin])).toEqual([
      ['smoke-alarm-protocol', 2, device.serial, '2036-12-31', manager.name],
      ['smoke-alarm-protocol', 1, device.serial, '2036-12-31', manager.name],
    ]);
    const status = await eventually(async () => {
      const s = await temporal.client.workflow.getHandle(retentionWorkflowId(first.versionId)).query(retentionStatus);
      expect(s.state).toBe('retaining');
      return s;
    });
    expect(status).toMatchObject({ retentionUntil: '2036-12-31', endsAt: '2037-01-01T00:00:00.000Z', held: false });
    const early = await approveArchiveDeletion(manager, first.documentId, first.versionId, options());
    expect(early).toEqual({ ok: false, message: 'Die Aufbewahrungsfrist läuft noch; vorher darf nichts gelöscht werden.' });
  });

  test('tenants see the documents of their own flat only; owners those of their properties', async () => {
    const tenant = await createUserFixture(db, org.organisation.id, 'tenant');
    await db.models.Tenancy.create({
      unitId: org.unit.id,
      userId: tenant.id,
      tenantName: tenant.name,
      startsOn: '2024-01-01',
      endsOn: null,
    });
    const otherUnit = await db.models.Unit.create({ propertyId: org.property.id, label: 'Whg. 2.01', floor: '2. OG', areaM2: 70 });
    const mine = await uploadArchiveDocument(manager, upload({ title: 'Meine Wohnung' }), options());
    const theirs = await uploadArchiveDocument(manager, upload({ title: 'Nachbarwohnung', unitId: otherUnit.id }), options());
    expect(mine.ok && theirs.ok).toBe(true);
    const titles = (await listArchive(session(tenant), parseArchiveFilters(new URLSearchParams()), db)).rows.map((r) => r.title);
    expect(titles).toContain('Meine Wohnung');
    expect(titles).not.toContain('Nachbarwohnung');
    if (!theirs.ok) return;
    expect(await archiveDocument(session(tenant), theirs.documentId, db)).toBeNull();
    expect(await openArchiveVersion(session(tenant), theirs.documentId, theirs.versionId, db)).toBeNull();

    const stranger = await createOrgFixture(db);
    expect((await listArchive(session(stranger.owner), parseArchiveFilters(new URLSearchParams()), db)).rows).toEqual([]);
    const ownerTitles = (
      await listArchive(session(org.owner), parseArchiveFilters(new URLSearchParams({ suche: 'wohnung' })), db)
    ).rows.map((r) => r.title);
    expect(ownerTitles.sort()).toEqual(['Meine Wohnung', 'Nachbarwohnung']);
  });
});

describe('linked documents', () => {
  test('published monthly information is listed from its own table with its hash, for the staff and its own tenant only', async () => {
    const base = await createOrgFixture(db);
    const tenant = await createUserFixture(db, base.organisation.id, 'tenant');
    const neighbour = await createUserFixture(db, base.organisation.id, 'tenant');
    const fixture = await createMonthlyFixture(db, { org: base, tenant, neighbour });
    await publishFixtureMonth(db, fixture);
    const filters = parseArchiveFilters(new URLSearchParams({ art: 'monthly-information', liegenschaft: String(fixture.property.id) }));
    const staff = await listArchive(session(fixture.managers[0]!), filters, db);
    const stored = await db.sequelize.query<{ unitId: number; sha: string }>(
      `SELECT unit_id AS "unitId", content_sha256 AS sha FROM monthly_information WHERE property_id = :id`,
      { replacements: { id: fixture.property.id }, type: QueryTypes.SELECT },
    );
    expect(staff.rows.length).toBe(stored.length);
    expect(staff.rows.map((r) => r.sha256).sort()).toEqual(stored.map((r) => r.sha).sort());
    expect(staff.rows[0]).toMatchObject({ kindLabel: 'Monatsinformation (§6a HKVO)', origin: 'Monatslauf', retentionUntil: '2036-12-31' });

    const own = await listArchive(session(tenant), parseArchiveFilters(new URLSearchParams()), db);
    expect(own.rows.map((r) => [r.kind, r.unitId, r.href])).toEqual([['monthly-information', fixture.unit.id, '/verbrauch?monat=2026-10']]);
  });
});

describe('retention', () => {
  test('ends only with approval after the timer, never under a hold, and leaves a tombstone', async () => {
    const old = await uploadArchiveDocument(
      manager,
      upload({ title: 'Alter Befund', kind: 'legionella-report', documentDate: '2010-05-01' }),
      options(),
    );
    if (!old.ok) throw new Error(JSON.stringify(old.errors));
    const handle = temporal.client.workflow.getHandle(retentionWorkflowId(old.versionId));
    await eventually(async () => expect((await handle.query(retentionStatus)).state).toBe('awaiting-approval'));
    const notices = await db.models.Notification.findAll({ where: { dedupeKey: `${retentionWorkflowId(old.versionId)}:ended` } });
    expect(notices.map((n) => n.userId)).toEqual([manager.id]);
    expect(notices[0]!.title).toBe('Aufbewahrungsfrist beendet: Alter Befund (Version 1)');

    const hold = await placeLegalHold(manager, { propertyId: org.property.id, unitId: null, reason: 'Rechtsstreit Whg. 1.03' }, options());
    if (!hold.ok) throw new Error(JSON.stringify(hold.errors));
    await eventually(async () => expect((await handle.query(retentionStatus)).state).toBe('held'));
    expect(await approveArchiveDeletion(manager, old.documentId, old.versionId, options())).toEqual({
      ok: false,
      message: 'Der Nachweis unterliegt einer Aufbewahrungssperre (Legal Hold) und darf nicht gelöscht werden.',
    });
    expect((await listArchive(manager, parseArchiveFilters(new URLSearchParams({ suche: 'Alter Befund' })), db)).rows[0]!.held).toBe(true);

    expect(await releaseLegalHold(manager, hold.holdId, options())).toMatchObject({ ok: true });
    await eventually(async () => expect((await handle.query(retentionStatus)).state).toBe('awaiting-approval'));
    const approved = await approveArchiveDeletion(manager, old.documentId, old.versionId, options());
    expect(approved).toMatchObject({ ok: true, result: { state: 'deleted', approvedBy: manager.id } });
    expect(await handle.result()).toMatchObject({ state: 'deleted' });
    await recordHistory(handle, 'held-released-deleted');

    const view = await archiveDocument(manager, old.documentId, db);
    expect(view!.versions).toEqual([]);
    expect(view!.tombstones).toEqual([
      expect.objectContaining({
        version: 1,
        kind: 'legionella-report',
        sha256: old.sha256,
        documentDate: '2010-05-01',
        retentionUntil: '2020-12-31',
        approvedBy: manager.name,
      }),
    ]);
    // Only one notice however often the workflow looked at the holds.
    expect(await db.models.Notification.count({ where: { dedupeKey: `${retentionWorkflowId(old.versionId)}:ended` } })).toBe(1);
  });

  test('the database refuses a deletion without tombstone, even after the retention ended', async () => {
    const old = await uploadArchiveDocument(manager, upload({ title: 'Ohne Grabstein', documentDate: '2009-01-01' }), options());
    if (!old.ok) throw new Error(JSON.stringify(old.errors));
    await expect(db.sequelize.query(`DELETE FROM archive_versions WHERE id = ${old.versionId}`)).rejects.toThrow(/without its tombstone/);
  });
});
