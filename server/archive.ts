// The evidence archive (/nachweise): one list of every proof the portal holds — uploaded and generated
// documents (archive_documents/archive_versions, encrypted like statements) and, by query only,
// the stored statements, their delivery proofs and the monthly information. Scoped per role:
// managers and compliance their organisation, owners their properties, tenants their own flat
// (and only what was addressed to their own tenancies). Legal holds and deletion approvals of the
// retention workflows (workflows/archive-retention.ts) go through here too.
import { QueryTypes, type Transaction } from 'sequelize';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../db';
import { appendAudit, sha256 } from '../db/audit';
import {
  ARCHIVE_KIND_LABELS,
  ARCHIVE_PAGE_SIZE,
  RETENTION_RULES,
  archiveFileName,
  checkUpload,
  detectFileType,
  isArchiveKind,
  isArchiveUploadKind,
  retentionUntil,
  type ArchiveKind,
  type ArchiveUploadKind,
} from '../domain/archive';
import { calendarDate } from '../domain/calendar';
import { isDate } from '../domain/dates';
import {
  RETENTION_OBLIGATION,
  RETENTION_WORKFLOW_TYPE,
  retentionWorkflowId,
  type RetentionInput,
  type RetentionStatus,
} from '../domain/contracts/retention';
import type { archiveRetention } from '../workflows/archive-retention';
import { approveDeletion, holdsChanged, retentionStatus } from '../workflows/shared/retention';
import { db as sharedDb } from './db';
import { decrypt, documentKey, encrypt } from './documents';
import {
  forEachConcurrently,
  queryLive,
  runUpdate,
  startOnce,
  temporalClient,
  temporalSettings,
  type LiveStatus,
  type WorkflowOptions,
} from './temporal';
import { visibleScope, type Scope } from './permissions';
import type { SessionUser } from './session';

export interface ArchiveFilters {
  propertyId: number | null;
  unitId: number | null;
  deviceId: number | null;
  kind: ArchiveKind | null;
  year: number | null;
  /** Free text over title, file name, device serial and hash prefix. */
  q: string | null;
}

function positiveInt(value: string | null): number | null {
  if (value === null || !/^\d{1,9}$/.test(value)) return null;
  const n = Number(value);
  return n > 0 ? n : null;
}

/** Filters from the page's query string; anything unreadable is simply no filter. */
export function parseArchiveFilters(params: URLSearchParams): ArchiveFilters {
  const kind = params.get('art');
  const year = positiveInt(params.get('jahr'));
  const q = (params.get('suche') ?? '').trim().slice(0, 100);
  return {
    propertyId: positiveInt(params.get('liegenschaft')),
    unitId: positiveInt(params.get('einheit')),
    deviceId: positiveInt(params.get('geraet')),
    kind: isArchiveKind(kind) ? kind : null,
    year: year !== null && year >= 1990 && year <= 2200 ? year : null,
    q: q === '' ? null : q,
  };
}

export interface ArchiveRow {
  key: string;
  kind: ArchiveKind;
  kindLabel: string;
  title: string;
  propertyId: number;
  propertyName: string;
  unitId: number | null;
  unitLabel: string | null;
  deviceSerial: string | null;
  documentDate: string;
  version: number;
  sha256: string;
  /** The uploader's name, or what generated it. */
  origin: string;
  storedAt: Date;
  retentionUntil: string;
  /** The document's page or file in the portal. */
  href: string;
  held: boolean;
}

/** A row as the union query returns it: linked documents carry no retention date of their own yet. */
interface RawRow extends Omit<ArchiveRow, 'kindLabel' | 'retentionUntil'> {
  deviceId: number | null;
  retentionUntil: string | null;
}

const HELD_SQL = (property: string, unit: string) =>
  `EXISTS (SELECT 1 FROM archive_legal_holds h WHERE h.released_at IS NULL AND h.property_id = ${property}
             AND (h.unit_id IS NULL OR h.unit_id = ${unit}))`;

/**
 * The union of the archive's sources, each already scoped. `tenancyIds` (tenants only) limits
 * statements and monthly information to what was addressed to the tenant's own tenancies.
 */
function sourcesSql(staff: boolean): string {
  const uploads = `
    SELECT 'v' || v.id AS key, d.kind, d.title, d.property_id AS "propertyId", p.name AS "propertyName",
           d.unit_id AS "unitId", u.label AS "unitLabel", d.device_id AS "deviceId", dev.serial AS "deviceSerial",
           v.document_date::text AS "documentDate", v.version, v.sha256,
           coalesce(up.name, v.generated_by) AS origin, v.created_at AS "storedAt", v.retention_until::text AS "retentionUntil",
           '/nachweise/' || d.id AS href, ${HELD_SQL('d.property_id', 'd.unit_id')} AS held, v.file_name AS "fileName"
      FROM archive_versions v
      JOIN archive_documents d ON d.id = v.document_id
      JOIN properties p ON p.id = d.property_id
      LEFT JOIN units u ON u.id = d.unit_id
      LEFT JOIN devices dev ON dev.id = d.device_id
      LEFT JOIN users up ON up.id = v.uploaded_by
     WHERE d.organisation_id = :organisationId AND d.property_id IN (:propertyIds)
       AND (:allUnits OR d.unit_id IN (:unitIds))`;
  const statements = `
    SELECT 's' || doc.id AS key, 'statement' AS kind,
           'Heizkostenabrechnung ' || to_char(s.period_start, 'DD.MM.YYYY') || '–' || to_char(s.period_end, 'DD.MM.YYYY')
             || ' (' || s.document_number || ')' AS title,
           s.property_id AS "propertyId", p.name AS "propertyName", doc.unit_id AS "unitId", u.label AS "unitLabel",
           NULL::integer AS "deviceId", NULL AS "deviceSerial", s.period_end::text AS "documentDate", s.version, doc.sha256,
           'Abrechnungslauf' AS origin, doc.created_at AS "storedAt", NULL AS "retentionUntil",
           ${staff ? `'/abrechnungen/' || s.id || '/einheit/' || doc.unit_id` : `'/meine-abrechnungen/' || s.id`} AS href,
           ${HELD_SQL('s.property_id', 'doc.unit_id')} AS held, doc.file_name AS "fileName"
      FROM documents doc
      JOIN statements s ON s.id = doc.statement_id
      JOIN properties p ON p.id = s.property_id
      JOIN units u ON u.id = doc.unit_id
     WHERE doc.kind = 'statement' AND p.organisation_id = :organisationId AND s.property_id IN (:propertyIds)
       AND (:allUnits OR doc.unit_id IN (:unitIds))
       ${
         staff
           ? ''
           : `AND EXISTS (SELECT 1 FROM statement_occupancies o WHERE o.statement_id = s.id AND o.unit_id = doc.unit_id
                 AND coalesce(o.occupancy_key, '') = coalesce(doc.occupancy_key, o.occupancy_key, '') AND o.tenancy_id IN (:tenancyIds))`
       }`;
  const proofs = `
    SELECT 'p' || s.id AS key, 'delivery-proof' AS kind,
           'Zustellnachweis ' || s.document_number || ' (Version ' || s.version || ')' AS title,
           s.property_id AS "propertyId", p.name AS "propertyName", NULL::integer AS "unitId", NULL AS "unitLabel",
           NULL::integer AS "deviceId", NULL AS "deviceSerial", s.period_end::text AS "documentDate", s.version, h.last_hash AS sha256,
           'Nachweiskette (Ereignisse 1–' || h.last_seq || ')' AS origin, s.status_changed_at AS "storedAt", NULL AS "retentionUntil",
           '/abrechnungen/' || s.id || '/nachweis' AS href, ${HELD_SQL('s.property_id', 'NULL')} AS held, NULL AS "fileName"
      FROM statement_proof_heads h
      JOIN statements s ON s.id = h.statement_id AND s.version = h.version
      JOIN properties p ON p.id = s.property_id
     WHERE p.organisation_id = :organisationId AND s.property_id IN (:propertyIds) AND :allUnits`;
  const months = `
    SELECT 'm' || mi.id AS key, 'monthly-information' AS kind, 'Monatsinformation ' || to_char(mi.month, 'MM/YYYY') AS title,
           mi.property_id AS "propertyId", p.name AS "propertyName", mi.unit_id AS "unitId", u.label AS "unitLabel",
           NULL::integer AS "deviceId", NULL AS "deviceSerial", mi.month::text AS "documentDate", 1 AS version,
           mi.content_sha256 AS sha256, 'Monatslauf' AS origin, mi.published_at AS "storedAt", NULL AS "retentionUntil",
           ${staff ? `'/monatsinformationen/' || to_char(mi.month, 'YYYY-MM')` : `'/verbrauch?monat=' || to_char(mi.month, 'YYYY-MM')`} AS href,
           ${HELD_SQL('mi.property_id', 'mi.unit_id')} AS held, NULL AS "fileName"
      FROM monthly_information mi
      JOIN properties p ON p.id = mi.property_id
      JOIN units u ON u.id = mi.unit_id
     WHERE p.organisation_id = :organisationId AND mi.property_id IN (:propertyIds) AND (:allUnits OR mi.unit_id IN (:unitIds))
       ${staff ? '' : `AND mi.tenancy_id IN (:tenancyIds) AND mi.delivery IN ('portal','no-account')`}`;
  return [uploads, statements, ...(staff ? [proofs] : []), months].join('\nUNION ALL\n');
}

async function ownTenancyIds(user: SessionUser, database: Db): Promise<number[]> {
  const rows = await database.sequelize.query<{ id: number }>(`SELECT id FROM tenancies WHERE user_id = :userId`, {
    replacements: { userId: user.id },
    type: QueryTypes.SELECT,
  });
  return rows.map((r) => r.id);
}

export interface ArchiveList {
  rows: ArchiveRow[];
  total: number;
  scope: Scope;
  units: Array<{ id: number; label: string; propertyId: number }>;
  devices: Array<{ id: number; serial: string; propertyId: number }>;
  years: number[];
}

/** Every document the user may see that matches the filters, newest document date first. */
export async function listArchive(user: SessionUser, filters: ArchiveFilters, database: Db = sharedDb()): Promise<ArchiveList> {
  const scope = await visibleScope(user);
  const empty: ArchiveList = { rows: [], total: 0, scope, units: [], devices: [], years: [] };
  if (scope.propertyIds.length === 0 || (scope.unitIds !== null && scope.unitIds.length === 0)) return empty;
  const staff = user.role !== 'tenant';
  const tenancyIds = staff ? [] : await ownTenancyIds(user, database);
  const replacements = {
    organisationId: user.organisationId,
    propertyIds: scope.propertyIds,
    allUnits: scope.unitIds === null,
    unitIds: scope.unitIds ?? [-1],
    tenancyIds: tenancyIds.length > 0 ? tenancyIds : [-1],
    propertyId: filters.propertyId,
    unitId: filters.unitId,
    deviceId: filters.deviceId,
    kind: filters.kind,
    year: filters.year,
    q: filters.q === null ? null : `%${filters.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
    limit: ARCHIVE_PAGE_SIZE,
  };
  const where = `
     WHERE (:propertyId::integer IS NULL OR a."propertyId" = :propertyId)
       AND (:unitId::integer IS NULL OR a."unitId" = :unitId)
       AND (:deviceId::integer IS NULL OR a."deviceId" = :deviceId)
       AND (:kind::text IS NULL OR a.kind = :kind)
       AND (:year::integer IS NULL OR substr(a."documentDate", 1, 4)::integer = :year)
       AND (:q::text IS NULL OR a.title ILIKE :q OR a."fileName" ILIKE :q OR a."deviceSerial" ILIKE :q OR a.sha256 ILIKE :q)`;
  const sql = sourcesSql(staff);
  const [rows, [count], units, devices, years] = await Promise.all([
    database.sequelize.query<RawRow>(
      `SELECT * FROM (${sql}) a ${where} ORDER BY a."documentDate" DESC, a."storedAt" DESC, a.key LIMIT :limit`,
      { replacements, type: QueryTypes.SELECT },
    ),
    database.sequelize.query<{ n: number }>(`SELECT count(*)::integer AS n FROM (${sql}) a ${where}`, {
      replacements,
      type: QueryTypes.SELECT,
    }),
    database.sequelize.query<{ id: number; label: string; propertyId: number }>(
      `SELECT id, label, property_id AS "propertyId" FROM units WHERE property_id IN (:propertyIds) AND (:allUnits OR id IN (:unitIds)) ORDER BY label, id`,
      { replacements, type: QueryTypes.SELECT },
    ),
    database.sequelize.query<{ id: number; serial: string; propertyId: number }>(
      `SELECT id, serial, property_id AS "propertyId" FROM devices WHERE property_id IN (:propertyIds) AND (:allUnits OR unit_id IN (:unitIds)) ORDER BY serial`,
      { replacements, type: QueryTypes.SELECT },
    ),
    database.sequelize.query<{ year: number }>(
      `SELECT DISTINCT substr(a."documentDate", 1, 4)::integer AS year FROM (${sql}) a ORDER BY year DESC`,
      { replacements, type: QueryTypes.SELECT },
    ),
  ]);
  return {
    rows: rows.map(({ deviceId: _deviceId, ...row }) => ({
      ...row,
      kindLabel: ARCHIVE_KIND_LABELS[row.kind],
      retentionUntil: row.retentionUntil ?? retentionUntil(row.kind, row.documentDate),
    })),
    total: count?.n ?? 0,
    scope,
    units: units,
    devices: staff ? devices : [],
    years: years.map((y) => y.year),
  };
}

/** The units of a scope, for the forms' choices. */
export async function listArchiveUnits(
  scope: Scope,
  database: Db = sharedDb(),
): Promise<Array<{ id: number; label: string; propertyId: number }>> {
  if (scope.propertyIds.length === 0) return [];
  return database.sequelize.query(
    `SELECT id, label, property_id AS "propertyId" FROM units WHERE property_id IN (:propertyIds) AND (:allUnits OR id IN (:unitIds)) ORDER BY label, id`,
    {
      replacements: {
        propertyIds: scope.propertyIds,
        allUnits: scope.unitIds === null,
        unitIds: scope.unitIds && scope.unitIds.length > 0 ? scope.unitIds : [-1],
      },
      type: QueryTypes.SELECT,
    },
  );
}

// ---- uploads ----

export interface UploadInput {
  propertyId: number | null;
  unitId: number | null;
  deviceId: number | null;
  kind: string;
  title: string;
  documentDate: string;
  note: string | null;
  fileName: string;
  content: Buffer;
}

export type UploadOutcome =
  | { ok: true; documentId: number; versionId: number; version: number; sha256: string }
  | { ok: false; errors: Partial<Record<'property' | 'unit' | 'device' | 'kind' | 'title' | 'documentDate' | 'file' | 'note', string>> };

function associatedData(documentId: number, version: number): string {
  return `archive|${documentId}|${version}`;
}

interface StoredVersion {
  id: number;
  documentId: number;
  version: number;
  retentionUntil: string;
  sha256: string;
}

async function insertVersion(
  database: Db,
  transaction: Transaction,
  document: { id: number; kind: ArchiveUploadKind },
  input: { version: number; documentDate: string; note: string | null; fileName: string; content: Buffer; contentType: string },
  origin: { uploadedBy: number } | { generatedBy: string },
): Promise<StoredVersion> {
  const sealed = encrypt(input.content, documentKey(), associatedData(document.id, input.version));
  const until = retentionUntil(document.kind, input.documentDate);
  const digest = sha256(input.content);
  const [row] = await database.sequelize.query<{ id: number }>(
    `INSERT INTO archive_versions (document_id, version, document_date, retention_until, file_name, content_type, sha256, byte_size,
                                   ciphertext, iv, auth_tag, uploaded_by, generated_by, note)
     VALUES (:documentId, :version, :documentDate, :retentionUntil, :fileName, :contentType, :sha256, :byteSize,
             :ciphertext, :iv, :authTag, :uploadedBy, :generatedBy, :note)
     RETURNING id`,
    {
      replacements: {
        documentId: document.id,
        version: input.version,
        documentDate: input.documentDate,
        retentionUntil: until,
        fileName: input.fileName,
        contentType: input.contentType,
        sha256: digest,
        byteSize: input.content.length,
        ciphertext: sealed.ciphertext,
        iv: sealed.iv,
        authTag: sealed.authTag,
        uploadedBy: 'uploadedBy' in origin ? origin.uploadedBy : null,
        generatedBy: 'generatedBy' in origin ? origin.generatedBy : null,
        note: input.note,
      },
      type: QueryTypes.SELECT,
      transaction,
    },
  );
  if (!row) throw new Error('archive version not inserted');
  return { id: row.id, documentId: document.id, version: input.version, retentionUntil: until, sha256: digest };
}

function checkCommon(input: Pick<UploadInput, 'documentDate' | 'content' | 'fileName' | 'note'>, errors: Record<string, string>) {
  if (!isDate(input.documentDate)) errors.documentDate = 'Bitte das Datum des Nachweises angeben (TT.MM.JJJJ).';
  else if (input.documentDate > calendarDate(new Date())) errors.documentDate = 'Das Datum des Nachweises liegt in der Zukunft.';
  if (input.note !== null && input.note.length > 1000) errors.note = 'Die Bemerkung ist länger als 1000 Zeichen.';
  const check = checkUpload(input.content);
  if (!check.ok) errors.file = check.message;
  return check.ok ? check.file : null;
}

/** Stores a new document (version 1) after checking place, kind, date and file; starts its retention timer. */
export async function uploadArchiveDocument(
  user: SessionUser,
  input: UploadInput,
  options: WorkflowOptions & { ip?: string | null } = {},
): Promise<UploadOutcome> {
  const database = options.db ?? sharedDb();
  const errors: Record<string, string> = {};
  const scope = await visibleScope(user);
  if (input.propertyId === null || !scope.propertyIds.includes(input.propertyId)) errors.property = 'Bitte eine Liegenschaft wählen.';
  if (!isArchiveUploadKind(input.kind)) errors.kind = 'Bitte die Art des Nachweises wählen.';
  const title = input.title.trim();
  if (title.length === 0 || title.length > 200) errors.title = 'Bitte eine Bezeichnung angeben (höchstens 200 Zeichen).';
  const file = checkCommon(input, errors);
  if (input.propertyId !== null && !errors.property) {
    const [place] = await database.sequelize.query<{ unitOk: boolean; deviceOk: boolean }>(
      `SELECT (:unitId::integer IS NULL OR EXISTS (SELECT 1 FROM units WHERE id = :unitId AND property_id = :propertyId)) AS "unitOk",
              (:deviceId::integer IS NULL OR EXISTS (SELECT 1 FROM devices WHERE id = :deviceId AND property_id = :propertyId
                 AND (:unitId::integer IS NULL OR unit_id = :unitId))) AS "deviceOk"`,
      { replacements: { propertyId: input.propertyId, unitId: input.unitId, deviceId: input.deviceId }, type: QueryTypes.SELECT },
    );
    if (!place?.unitOk) errors.unit = 'Die Wohneinheit gehört nicht zu dieser Liegenschaft.';
    if (!place?.deviceOk) errors.device = 'Das Gerät gehört nicht zu dieser Liegenschaft bzw. Wohneinheit.';
  }
  if (Object.keys(errors).length > 0 || !file || input.propertyId === null || !isArchiveUploadKind(input.kind))
    return { ok: false, errors };
  return createArchiveDocument(
    database,
    {
      organisationId: user.organisationId,
      propertyId: input.propertyId,
      unitId: input.unitId,
      deviceId: input.deviceId,
      kind: input.kind,
      title,
      documentDate: input.documentDate,
      note: input.note,
      fileName: archiveFileName(input.fileName, file),
      contentType: file.contentType,
      content: input.content,
    },
    { actor: user, uploadedBy: user.id },
    options,
  );
}

export interface NewArchiveDocument {
  organisationId: number;
  propertyId: number;
  unitId: number | null;
  deviceId: number | null;
  kind: ArchiveUploadKind;
  title: string;
  documentDate: string;
  note: string | null;
  fileName: string;
  contentType: string;
  content: Buffer;
}

type Origin =
  { actor: { id: number | null; name: string }; uploadedBy: number } | { actor: { id: number | null; name: string }; generatedBy: string };

/** Inserts a document with its first version (checked by the caller) and starts its retention timer. */
async function createArchiveDocument(
  database: Db,
  input: NewArchiveDocument,
  origin: Origin,
  options: WorkflowOptions & { ip?: string | null },
): Promise<UploadOutcome & { ok: true }> {
  const stored = await database.sequelize.transaction(async (transaction) => {
    const [document] = await database.sequelize.query<{ id: number }>(
      `INSERT INTO archive_documents (organisation_id, property_id, unit_id, device_id, kind, title, created_by)
       VALUES (:organisationId, :propertyId, :unitId, :deviceId, :kind, :title, :actorId) RETURNING id`,
      {
        replacements: {
          organisationId: input.organisationId,
          propertyId: input.propertyId,
          unitId: input.unitId,
          deviceId: input.deviceId,
          kind: input.kind,
          title: input.title,
          actorId: origin.actor.id,
        },
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    if (!document) throw new Error('archive document not inserted');
    const version = await insertVersion(
      database,
      transaction,
      { id: document.id, kind: input.kind },
      { version: 1, ...input },
      'uploadedBy' in origin ? { uploadedBy: origin.uploadedBy } : { generatedBy: origin.generatedBy },
    );
    await auditVersion(
      database,
      { ...origin.actor, organisationId: input.organisationId },
      version,
      input.kind,
      options.ip ?? null,
      transaction,
    );
    return version;
  });
  await startRetention({ ...stored, propertyId: input.propertyId, unitId: input.unitId, kind: input.kind }, options);
  return { ok: true, documentId: stored.documentId, versionId: stored.id, version: 1, sha256: stored.sha256 };
}

/**
 * Files a document the portal generated (e.g. the DIN 14676 inspection protocol): no upload checks
 * beyond the content type, the generator named as its origin.
 */
export async function storeGeneratedArchiveDocument(
  input: Omit<NewArchiveDocument, 'contentType' | 'note'> & { generatedBy: string; actor: { id: number | null; name: string } },
  options: WorkflowOptions = {},
): Promise<UploadOutcome & { ok: true }> {
  const file = detectFileType(input.content);
  if (!file) throw new Error(`generated archive document "${input.title}": content is not a PDF, PNG or JPEG`);
  const { generatedBy, actor, ...document } = input;
  return createArchiveDocument(
    options.db ?? sharedDb(),
    { ...document, note: null, fileName: archiveFileName(input.fileName, file), contentType: file.contentType },
    { actor, generatedBy },
    options,
  );
}

/** A correction: a new version of the document; earlier versions stay as they are. */
export async function addArchiveVersion(
  user: SessionUser,
  documentId: number,
  input: Pick<UploadInput, 'documentDate' | 'note' | 'fileName' | 'content'>,
  options: WorkflowOptions & { ip?: string | null } = {},
): Promise<UploadOutcome | null> {
  const database = options.db ?? sharedDb();
  const document = await findDocument(user, documentId, database);
  if (!document) return null;
  const errors: Record<string, string> = {};
  const file = checkCommon(input, errors);
  if (!file || Object.keys(errors).length > 0) return { ok: false, errors };
  const stored = await database.sequelize.transaction(async (transaction) => {
    // The document row is the lock: concurrent corrections get consecutive numbers.
    await database.sequelize.query(`SELECT id FROM archive_documents WHERE id = :id FOR UPDATE`, {
      replacements: { id: documentId },
      transaction,
    });
    const [last] = await database.sequelize.query<{ version: number }>(
      `SELECT greatest(
         coalesce((SELECT max(version) FROM archive_versions WHERE document_id = :id), 0),
         coalesce((SELECT max(version) FROM archive_tombstones WHERE document_id = :id), 0)) AS version`,
      { replacements: { id: documentId }, type: QueryTypes.SELECT, transaction },
    );
    const version = await insertVersion(
      database,
      transaction,
      { id: documentId, kind: document.kind },
      {
        version: (last?.version ?? 0) + 1,
        documentDate: input.documentDate,
        note: input.note,
        fileName: archiveFileName(input.fileName, file),
        content: input.content,
        contentType: file.contentType,
      },
      { uploadedBy: user.id },
    );
    await auditVersion(database, user, version, document.kind, options.ip ?? null, transaction);
    return version;
  });
  await startRetention({ ...stored, propertyId: document.propertyId, unitId: document.unitId, kind: document.kind }, options);
  return { ok: true, documentId, versionId: stored.id, version: stored.version, sha256: stored.sha256 };
}

function auditVersion(
  database: Db,
  user: { id: number | null; name: string; organisationId: number },
  version: StoredVersion,
  kind: ArchiveUploadKind,
  ip: string | null,
  transaction: Transaction,
) {
  return appendAudit(
    database,
    {
      organisationId: user.organisationId,
      actorId: user.id,
      actor: user.name,
      action: 'archive.version_stored',
      entity: 'archive_document',
      entityId: version.documentId,
      ip,
      details: { versionId: version.id, version: version.version, kind, sha256: version.sha256, retentionUntil: version.retentionUntil },
    },
    transaction,
  );
}

// ---- one document ----

interface DocumentRow {
  id: number;
  organisationId: number;
  propertyId: number;
  propertyName: string;
  unitId: number | null;
  unitLabel: string | null;
  deviceId: number | null;
  deviceSerial: string | null;
  kind: ArchiveUploadKind;
  title: string;
  createdAt: Date;
}

async function findDocument(user: SessionUser, documentId: number, database: Db): Promise<DocumentRow | null> {
  const scope = await visibleScope(user);
  if (scope.propertyIds.length === 0) return null;
  const [row] = await database.sequelize.query<DocumentRow>(
    `SELECT d.id, d.organisation_id AS "organisationId", d.property_id AS "propertyId", p.name AS "propertyName",
            d.unit_id AS "unitId", u.label AS "unitLabel", d.device_id AS "deviceId", dev.serial AS "deviceSerial",
            d.kind, d.title, d.created_at AS "createdAt"
       FROM archive_documents d
       JOIN properties p ON p.id = d.property_id
       LEFT JOIN units u ON u.id = d.unit_id
       LEFT JOIN devices dev ON dev.id = d.device_id
      WHERE d.id = :id AND d.organisation_id = :organisationId AND d.property_id IN (:propertyIds)
        AND (:allUnits OR d.unit_id IN (:unitIds))`,
    {
      replacements: {
        id: documentId,
        organisationId: user.organisationId,
        propertyIds: scope.propertyIds,
        allUnits: scope.unitIds === null,
        unitIds: scope.unitIds && scope.unitIds.length > 0 ? scope.unitIds : [-1],
      },
      type: QueryTypes.SELECT,
    },
  );
  return row ?? null;
}

export interface VersionRow {
  id: number;
  version: number;
  documentDate: string;
  retentionUntil: string;
  fileName: string;
  contentType: string;
  sha256: string;
  byteSize: number;
  origin: string;
  note: string | null;
  storedAt: Date;
}

export interface TombstoneRow {
  versionId: number;
  version: number;
  kind: string;
  sha256: string;
  documentDate: string;
  storedAt: Date;
  retentionUntil: string;
  deletedAt: Date;
  approvedBy: string;
}

export interface HoldRow {
  id: number;
  propertyId: number;
  propertyName: string;
  unitId: number | null;
  unitLabel: string | null;
  reason: string;
  placedBy: string;
  placedAt: Date;
}

export interface ArchiveDocumentView {
  document: DocumentRow & { kindLabel: string; retentionBasis: string; retentionYears: number };
  versions: VersionRow[];
  tombstones: TombstoneRow[];
  holds: HoldRow[];
}

export async function archiveDocument(
  user: SessionUser,
  documentId: number,
  database: Db = sharedDb(),
): Promise<ArchiveDocumentView | null> {
  const document = await findDocument(user, documentId, database);
  if (!document) return null;
  const [versions, tombstones, holds] = await Promise.all([
    database.sequelize.query<VersionRow>(
      `SELECT v.id, v.version, v.document_date::text AS "documentDate", v.retention_until::text AS "retentionUntil", v.file_name AS "fileName",
              v.content_type AS "contentType", v.sha256, v.byte_size AS "byteSize", coalesce(u.name, v.generated_by) AS origin,
              v.note, v.created_at AS "storedAt"
         FROM archive_versions v LEFT JOIN users u ON u.id = v.uploaded_by
        WHERE v.document_id = :id ORDER BY v.version DESC`,
      { replacements: { id: documentId }, type: QueryTypes.SELECT },
    ),
    database.sequelize.query<TombstoneRow>(
      `SELECT t.version_id AS "versionId", t.version, t.kind, t.sha256, t.document_date::text AS "documentDate", t.stored_at AS "storedAt",
              t.retention_until::text AS "retentionUntil", t.deleted_at AS "deletedAt", u.name AS "approvedBy"
         FROM archive_tombstones t JOIN users u ON u.id = t.approved_by
        WHERE t.document_id = :id ORDER BY t.version DESC`,
      { replacements: { id: documentId }, type: QueryTypes.SELECT },
    ),
    activeHolds(user.organisationId, database, { propertyId: document.propertyId, unitId: document.unitId }),
  ]);
  const rule = RETENTION_RULES[document.kind];
  return {
    document: { ...document, kindLabel: ARCHIVE_KIND_LABELS[document.kind], retentionBasis: rule.basis, retentionYears: rule.years },
    versions,
    tombstones,
    holds,
  };
}

export interface OpenedArchiveFile {
  fileName: string;
  contentType: string;
  sha256: string;
  content: Buffer;
}

/** Decrypts one version the user may see, checking its SHA-256; null when not found or out of scope. */
export async function openArchiveVersion(
  user: SessionUser,
  documentId: number,
  versionId: number,
  database: Db = sharedDb(),
): Promise<OpenedArchiveFile | null> {
  if (!(await findDocument(user, documentId, database))) return null;
  const [row] = await database.sequelize.query<{
    version: number;
    fileName: string;
    contentType: string;
    sha256: string;
    ciphertext: Buffer;
    iv: Buffer;
    authTag: Buffer;
  }>(
    `SELECT version, file_name AS "fileName", content_type AS "contentType", sha256, ciphertext, iv, auth_tag AS "authTag"
       FROM archive_versions WHERE id = :versionId AND document_id = :documentId`,
    { replacements: { versionId, documentId }, type: QueryTypes.SELECT },
  );
  if (!row) return null;
  const content = decrypt(row, documentKey(), associatedData(documentId, row.version));
  if (sha256(content) !== row.sha256) throw new Error(`archive version ${versionId}: SHA-256 does not match the recorded hash`);
  return { fileName: row.fileName, contentType: row.contentType, sha256: row.sha256, content };
}

// ---- legal holds ----

export async function activeHolds(
  organisationId: number,
  database: Db = sharedDb(),
  covering?: { propertyId: number; unitId: number | null },
): Promise<HoldRow[]> {
  return database.sequelize.query<HoldRow>(
    `SELECT h.id, h.property_id AS "propertyId", p.name AS "propertyName", h.unit_id AS "unitId", u.label AS "unitLabel",
            h.reason, pb.name AS "placedBy", h.placed_at AS "placedAt"
       FROM archive_legal_holds h
       JOIN properties p ON p.id = h.property_id
       LEFT JOIN units u ON u.id = h.unit_id
       JOIN users pb ON pb.id = h.placed_by
      WHERE h.organisation_id = :organisationId AND h.released_at IS NULL
        AND (:propertyId::integer IS NULL OR (h.property_id = :propertyId AND (h.unit_id IS NULL OR h.unit_id = :unitId::integer)))
      ORDER BY h.placed_at DESC`,
    {
      replacements: { organisationId, propertyId: covering?.propertyId ?? null, unitId: covering?.unitId ?? null },
      type: QueryTypes.SELECT,
    },
  );
}

export type HoldOutcome =
  { ok: true; holdId: number; signalled: number } | { ok: false; errors: Partial<Record<'property' | 'unit' | 'reason' | 'hold', string>> };

/** Places a legal hold on a property (or one unit): every retention timer it covers stops. */
export async function placeLegalHold(
  user: SessionUser,
  input: { propertyId: number | null; unitId: number | null; reason: string },
  options: WorkflowOptions & { ip?: string | null } = {},
): Promise<HoldOutcome> {
  const database = options.db ?? sharedDb();
  const scope = await visibleScope(user);
  const errors: Record<string, string> = {};
  const reason = input.reason.trim();
  if (input.propertyId === null || !scope.propertyIds.includes(input.propertyId)) errors.property = 'Bitte eine Liegenschaft wählen.';
  if (reason.length === 0 || reason.length > 500) errors.reason = 'Bitte den Anlass angeben (Streitfall, Prüfung; höchstens 500 Zeichen).';
  if (input.unitId !== null && input.propertyId !== null && !errors.property) {
    const [unit] = await database.sequelize.query(`SELECT 1 FROM units WHERE id = :unitId AND property_id = :propertyId`, {
      replacements: { unitId: input.unitId, propertyId: input.propertyId },
      type: QueryTypes.SELECT,
    });
    if (!unit) errors.unit = 'Die Wohneinheit gehört nicht zu dieser Liegenschaft.';
  }
  if (Object.keys(errors).length > 0 || input.propertyId === null) return { ok: false, errors };
  const propertyId = input.propertyId;
  const holdId = await database.sequelize.transaction(async (transaction) => {
    await lockProperty(database, propertyId, transaction);
    const [row] = await database.sequelize.query<{ id: number }>(
      `INSERT INTO archive_legal_holds (organisation_id, property_id, unit_id, reason, placed_by)
       VALUES (:organisationId, :propertyId, :unitId, :reason, :userId) RETURNING id`,
      {
        replacements: { organisationId: user.organisationId, propertyId, unitId: input.unitId, reason, userId: user.id },
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    if (!row) throw new Error('legal hold not inserted');
    await appendAudit(
      database,
      {
        organisationId: user.organisationId,
        actorId: user.id,
        actor: user.name,
        action: 'archive.hold_placed',
        entity: 'archive_legal_hold',
        entityId: row.id,
        ip: options.ip ?? null,
        details: { propertyId, unitId: input.unitId, reason },
      },
      transaction,
    );
    return row.id;
  });
  const signalled = await signalCovered(database, { propertyId, unitId: input.unitId }, options);
  return { ok: true, holdId, signalled };
}

/** Releases a hold; the timers it stopped run on (an ended retention then asks for approval). */
export async function releaseLegalHold(
  user: SessionUser,
  holdId: number,
  options: WorkflowOptions & { ip?: string | null } = {},
): Promise<HoldOutcome> {
  const database = options.db ?? sharedDb();
  const scope = await visibleScope(user);
  const [hold] = await database.sequelize.query<{ propertyId: number; unitId: number | null }>(
    `SELECT property_id AS "propertyId", unit_id AS "unitId" FROM archive_legal_holds
      WHERE id = :holdId AND organisation_id = :organisationId AND released_at IS NULL`,
    { replacements: { holdId, organisationId: user.organisationId }, type: QueryTypes.SELECT },
  );
  if (!hold || !scope.propertyIds.includes(hold.propertyId)) return { ok: false, errors: { hold: 'Diese Sperre besteht nicht (mehr).' } };
  await database.sequelize.transaction(async (transaction) => {
    await lockProperty(database, hold.propertyId, transaction);
    await database.sequelize.query(
      `UPDATE archive_legal_holds SET released_by = :userId, released_at = now() WHERE id = :holdId AND released_at IS NULL`,
      { replacements: { userId: user.id, holdId }, transaction },
    );
    await appendAudit(
      database,
      {
        organisationId: user.organisationId,
        actorId: user.id,
        actor: user.name,
        action: 'archive.hold_released',
        entity: 'archive_legal_hold',
        entityId: holdId,
        ip: options.ip ?? null,
        details: hold,
      },
      transaction,
    );
  });
  const signalled = await signalCovered(database, hold, options);
  return { ok: true, holdId, signalled };
}

/** Holds and deletions of one property take its row lock, so a deletion never overlaps a new hold. */
export async function lockProperty(database: Db, propertyId: number, transaction: Transaction): Promise<void> {
  await database.sequelize.query(`SELECT id FROM properties WHERE id = :propertyId FOR UPDATE`, {
    replacements: { propertyId },
    transaction,
  });
}

/** Tells the retention workflows of every stored version a hold covers to look at the holds again. */
async function signalCovered(
  database: Db,
  place: { propertyId: number; unitId: number | null },
  options: WorkflowOptions,
): Promise<number> {
  const versions = await database.sequelize.query<{ id: number }>(
    `SELECT v.id FROM archive_versions v JOIN archive_documents d ON d.id = v.document_id
      WHERE d.property_id = :propertyId AND (:unitId::integer IS NULL OR d.unit_id = :unitId)`,
    { replacements: place, type: QueryTypes.SELECT },
  );
  const temporal = options.client ?? temporalClient();
  let signalled = 0;
  await forEachConcurrently(versions, 8, async ({ id }) => {
    try {
      await temporal.workflow.getHandle(retentionWorkflowId(id)).signal(holdsChanged);
      signalled += 1;
    } catch (error) {
      // An ended workflow has nothing left to stop; a missing one starts later and reads the holds itself.
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  });
  return signalled;
}

// ---- retention workflows ----

/** Starts the version's retention workflow unless it exists; true when it was new. */
async function startRetention(
  version: StoredVersion & { propertyId: number; unitId: number | null; kind: ArchiveUploadKind },
  options: WorkflowOptions,
): Promise<boolean> {
  const input: RetentionInput = {
    versionId: version.id,
    documentId: version.documentId,
    propertyId: version.propertyId,
    unitId: version.unitId,
    kind: version.kind,
    retentionUntil: version.retentionUntil,
  };
  const property = await (options.db ?? sharedDb()).models.Property.findByPk(version.propertyId, {
    attributes: ['organisationId'],
    rejectOnEmpty: true,
  });
  const runId = await startOnce<typeof archiveRetention>(options.client ?? temporalClient(), {
    workflowType: RETENTION_WORKFLOW_TYPE,
    workflowId: retentionWorkflowId(version.id),
    taskQueue: options.taskQueue ?? temporalSettings().taskQueue,
    args: [input],
    // KlarOrganisation scopes the compliance desk's queries: the property's organisation.
    identity: {
      obligation: RETENTION_OBLIGATION,
      organisationId: property.organisationId,
      propertyId: version.propertyId,
      unitId: version.unitId,
    },
  });
  return runId !== null;
}

/**
 * Starts the retention workflow of every stored version that lacks one (a start lost to a Temporal
 * outage after the upload committed); starting twice finds the running one. Returns how many were new.
 */
export async function ensureRetentionWorkflows(options: WorkflowOptions = {}): Promise<number> {
  const database = options.db ?? sharedDb();
  const rows = await database.sequelize.query<StoredVersion & { propertyId: number; unitId: number | null; kind: ArchiveUploadKind }>(
    `SELECT v.id, v.document_id AS "documentId", v.version, v.retention_until::text AS "retentionUntil", v.sha256,
            d.property_id AS "propertyId", d.unit_id AS "unitId", d.kind
       FROM archive_versions v JOIN archive_documents d ON d.id = v.document_id ORDER BY v.id`,
    { type: QueryTypes.SELECT },
  );
  let started = 0;
  await forEachConcurrently(rows, 8, async (row) => {
    if (await startRetention(row, options)) started += 1;
  });
  return started;
}

export async function versionRetention(versionId: number, temporal: Client = temporalClient()): Promise<LiveStatus<RetentionStatus>> {
  const workflowId = retentionWorkflowId(versionId);
  return queryLive(workflowId, () => temporal.workflow.getHandle(workflowId).query(retentionStatus), temporal);
}

/** A manager approves the deletion of a version whose retention ended; the workflow refuses it otherwise. */
export async function approveArchiveDeletion(user: SessionUser, documentId: number, versionId: number, options: WorkflowOptions = {}) {
  const database = options.db ?? sharedDb();
  const document = await findDocument(user, documentId, database);
  if (!document) return { ok: false as const, message: 'Nachweis nicht gefunden.' };
  return runUpdate(
    options.client ?? temporalClient(),
    retentionWorkflowId(versionId),
    approveDeletion,
    { userId: user.id },
    'Für diese Version läuft keine Aufbewahrungsfrist mehr.',
  );
}
