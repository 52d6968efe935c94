// Drinking-water systems and legionella lab results (TrinkwV §31, issue 15 item 3): managers list
// the systems per property; a large one gets its sampling workflow, started through the outbox in
// the transaction that stores it. A lab result is stored (its PDF filed into the archive) and
// signalled to the workflow the same way; a finding's health-office date is recorded here.
import { QueryTypes } from 'sequelize';
import type { Db } from '../db';
import { appendAudit } from '../db/audit';
import { calendarDate } from '../domain/calendar';
import { isDate } from '../domain/dates';
import { isLargeSystem, parseLabResult, samplingDueAt } from '../domain/legionella';
import {
  DEFAULT_RESAMPLE_DAYS,
  LEGIONELLA_OBLIGATION,
  LEGIONELLA_WORKFLOW_TYPE,
  legionellaWorkflowId,
  type LegionellaInput,
  type LegionellaPhase,
} from '../domain/contracts/legionella';
import type { legionellaSampling } from '../workflows/legionella-sampling';
import { labResultRecorded } from '../workflows/shared/legionella';
import { uploadArchiveDocument } from './archive';
import { db as sharedDb } from './db';
import { deliverNow, enqueueSignal, enqueueWorkflowStart, type OutboxEntry } from './outbox';
import { visibleScope } from './permissions';
import type { SessionUser } from './session';
import { temporalSettings, type WorkflowOptions } from './temporal';

export type FieldErrors = Record<string, string>;
export type Outcome<T> = ({ ok: true } & T) | { ok: false; errors: FieldErrors };

export interface WaterSystemInput {
  propertyId: number | null;
  name: string;
  /** Either stated directly, or derived from the volumes (storage > 400 l or pipe > 3 l). */
  large: boolean | null;
  storageLitres: number | null;
  pipeLitres: number | null;
  lastSampledAt: string | null;
}

export interface LabResultInput {
  waterSystemId: number;
  sampledAt: string;
  cfuPer100ml: string | number;
  lab: string;
  /** The lab report, filed into the archive as a legionella report. */
  file: { fileName: string; content: Buffer } | null;
}

async function deliver(entries: OutboxEntry[], options: WorkflowOptions, database: Db) {
  await deliverNow(entries, { db: database, client: options.client });
}

function requireManager(user: SessionUser) {
  if (user.role !== 'manager') throw new Response('Nur für die Hausverwaltung', { status: 403 });
}

/** Stores a water system; a large one gets its sampling obligation (due now when never sampled). */
export async function createWaterSystem(
  user: SessionUser,
  input: WaterSystemInput,
  options: WorkflowOptions = {},
): Promise<Outcome<{ waterSystemId: number; dueAt: string | null }>> {
  requireManager(user);
  const database = options.db ?? sharedDb();
  const errors: FieldErrors = {};
  const scope = await visibleScope(user);
  if (input.propertyId === null || !scope.propertyIds.includes(input.propertyId)) errors.propertyId = 'Bitte eine Liegenschaft wählen.';
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) errors.name = 'Bitte eine Bezeichnung angeben (höchstens 200 Zeichen).';
  for (const field of ['storageLitres', 'pipeLitres'] as const) {
    const value = input[field];
    if (value !== null && !(Number.isFinite(value) && value >= 0)) errors[field] = 'Bitte eine Literzahl ≥ 0 angeben.';
  }
  const today = calendarDate(new Date());
  if (input.lastSampledAt !== null && (!isDate(input.lastSampledAt) || input.lastSampledAt > today))
    errors.lastSampledAt = 'Bitte ein Datum (nicht in der Zukunft) angeben.';
  const large =
    input.large ??
    (input.storageLitres === null && input.pipeLitres === null
      ? null
      : isLargeSystem({ storageLitres: input.storageLitres ?? 0, pipeLitres: input.pipeLitres ?? 0 }));
  if (large === null) errors.large = 'Bitte angeben, ob es eine Großanlage ist, oder Speicher- und Leitungsvolumen eintragen.';
  if (Object.keys(errors).length > 0 || input.propertyId === null || large === null) return { ok: false, errors };
  const propertyId = input.propertyId;
  const dueAt = large ? (input.lastSampledAt === null ? today : samplingDueAt(input.lastSampledAt)) : null;
  const { id, entries } = await database.sequelize.transaction(async (transaction) => {
    const [row] = await database.sequelize.query<{ id: number }>(
      `INSERT INTO water_systems (organisation_id, property_id, name, large, last_sampled_at, phase, due_at, created_by)
       VALUES (:organisationId, :propertyId, :name, :large, :lastSampledAt, :phase, :dueAt, :userId) RETURNING id`,
      {
        replacements: {
          organisationId: user.organisationId,
          propertyId,
          name,
          large,
          lastSampledAt: input.lastSampledAt,
          phase: large ? 'routine' : null,
          dueAt,
          userId: user.id,
        },
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    if (!row) throw new Error('water system not inserted');
    await appendAudit(
      database,
      {
        organisationId: user.organisationId,
        actorId: user.id,
        actor: 'user',
        action: 'water_system.created',
        entity: 'water_system',
        entityId: row.id,
        details: { large, dueAt },
      },
      transaction,
    );
    if (dueAt === null) return { id: row.id, entries: [] };
    const [organisation] = await database.sequelize.query<{ reminderDays: number[] }>(
      `SELECT reminder_days AS "reminderDays" FROM organisations WHERE id = :id`,
      { replacements: { id: user.organisationId }, type: QueryTypes.SELECT, transaction },
    );
    const workflowInput: LegionellaInput = {
      waterSystemId: row.id,
      propertyId,
      phase: 'routine',
      dueAt,
      findingResultId: null,
      reminderDays: organisation?.reminderDays ?? [90, 30, 7],
      resampleDays: DEFAULT_RESAMPLE_DAYS,
    };
    const entry = await enqueueWorkflowStart<typeof legionellaSampling>(transaction, {
      workflowType: LEGIONELLA_WORKFLOW_TYPE,
      workflowId: legionellaWorkflowId(row.id),
      taskQueue: options.taskQueue ?? temporalSettings().taskQueue,
      args: [workflowInput],
      identity: { obligation: LEGIONELLA_OBLIGATION, propertyId, unitId: null },
    });
    return { id: row.id, entries: [entry] };
  });
  await deliver(entries, options, database);
  return { ok: true, waterSystemId: id, dueAt };
}

interface SystemRow {
  id: number;
  organisationId: number;
  propertyId: number;
  name: string;
  large: boolean;
}

async function systemOf(database: Db, user: SessionUser, waterSystemId: number): Promise<SystemRow | null> {
  const [row] = await database.sequelize.query<SystemRow>(
    `SELECT id, organisation_id AS "organisationId", property_id AS "propertyId", name, large FROM water_systems
      WHERE id = :waterSystemId AND organisation_id = :organisationId`,
    { replacements: { waterSystemId, organisationId: user.organisationId }, type: QueryTypes.SELECT },
  );
  return row ?? null;
}

/** Stores a lab result (the report into the archive) and tells the system's workflow. */
export async function recordLabResult(
  user: SessionUser,
  input: LabResultInput,
  options: WorkflowOptions = {},
): Promise<Outcome<{ resultId: number; finding: boolean }>> {
  requireManager(user);
  const database = options.db ?? sharedDb();
  const errors: FieldErrors = {};
  const system = await systemOf(database, user, input.waterSystemId);
  if (!system) errors.waterSystemId = 'Bitte eine Trinkwasseranlage wählen.';
  else if (!system.large) errors.waterSystemId = 'Nur Großanlagen haben eine Untersuchungspflicht.';
  let parsed: { sampledAt: string; cfuPer100ml: number } | null = null;
  try {
    parsed = parseLabResult({ sampledAt: input.sampledAt, cfuPer100ml: input.cfuPer100ml }, calendarDate(new Date()));
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith('sampledAt')) errors.sampledAt = 'Bitte das Datum der Probenahme angeben (nicht in der Zukunft).';
    else errors.cfuPer100ml = 'Bitte die Legionellenzahl als ganze Zahl ≥ 0 (KBE/100 ml) angeben.';
  }
  const lab = input.lab.trim();
  if (lab.length === 0 || lab.length > 200) errors.lab = 'Bitte das Labor angeben.';
  if (Object.keys(errors).length > 0 || !system || !parsed) return { ok: false, errors };
  let archiveVersionId: number | null = null;
  if (input.file) {
    const upload = await uploadArchiveDocument(
      user,
      {
        propertyId: system.propertyId,
        unitId: null,
        deviceId: null,
        kind: 'legionella-report',
        title: `Legionellenbefund ${system.name}`,
        documentDate: parsed.sampledAt,
        note: `${parsed.cfuPer100ml} KBE/100 ml, Labor: ${lab}`,
        fileName: input.file.fileName,
        content: input.file.content,
      },
      options,
    );
    if (!upload.ok) return { ok: false, errors: { file: upload.errors.file ?? Object.values(upload.errors).join(' ') } };
    archiveVersionId = upload.versionId;
  }
  const result = parsed;
  const { resultId, entry } = await database.sequelize.transaction(async (transaction) => {
    const [row] = await database.sequelize.query<{ id: number }>(
      `INSERT INTO legionella_results (water_system_id, sampled_at, cfu_per_100ml, lab, archive_version_id, recorded_by)
       VALUES (:waterSystemId, :sampledAt, :cfu, :lab, :archiveVersionId, :userId) RETURNING id`,
      {
        replacements: {
          waterSystemId: system.id,
          sampledAt: result.sampledAt,
          cfu: result.cfuPer100ml,
          lab,
          archiveVersionId,
          userId: user.id,
        },
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    if (!row) throw new Error('lab result not inserted');
    await database.sequelize.query(
      `UPDATE water_systems SET last_sampled_at = GREATEST(last_sampled_at, :sampledAt::date) WHERE id = :id`,
      {
        replacements: { id: system.id, sampledAt: result.sampledAt },
        transaction,
      },
    );
    await appendAudit(
      database,
      {
        organisationId: user.organisationId,
        actorId: user.id,
        actor: 'user',
        action: 'legionella.result_recorded',
        entity: 'water_system',
        entityId: system.id,
        details: { resultId: row.id, ...result },
      },
      transaction,
    );
    const entry = await enqueueSignal(transaction, legionellaWorkflowId(system.id), labResultRecorded, [{ resultId: row.id, ...result }], {
      ifMissing: 'retry',
      taskQueue: options.taskQueue,
    });
    return { resultId: row.id, entry };
  });
  await deliver([entry], options, database);
  return { ok: true, resultId, finding: result.cfuPer100ml > 100 };
}

/** The manager records the day the health office was notified of a finding. */
export async function recordHealthOfficeNotified(
  user: SessionUser,
  input: { resultId: number; notifiedAt: string },
  options: Pick<WorkflowOptions, 'db'> = {},
): Promise<Outcome<object>> {
  requireManager(user);
  const database = options.db ?? sharedDb();
  if (!isDate(input.notifiedAt) || input.notifiedAt > calendarDate(new Date()))
    return { ok: false, errors: { notifiedAt: 'Bitte das Datum der Meldung angeben (nicht in der Zukunft).' } };
  const rows = await database.sequelize.query(
    `UPDATE legionella_results r SET health_office_notified_at = :notifiedAt FROM water_systems w
      WHERE r.id = :resultId AND w.id = r.water_system_id AND w.organisation_id = :organisationId AND r.cfu_per_100ml > 100
        AND r.sampled_at <= :notifiedAt RETURNING r.id`,
    { replacements: { ...input, organisationId: user.organisationId }, type: QueryTypes.SELECT },
  );
  if (rows.length === 0)
    return { ok: false, errors: { notifiedAt: 'Kein Befund dieser Anlage, oder das Datum liegt vor der Probenahme.' } };
  return { ok: true };
}

export interface WaterSystemView {
  id: number;
  propertyId: number;
  propertyName: string;
  name: string;
  large: boolean;
  lastSampledAt: string | null;
  phase: LegionellaPhase | null;
  dueAt: string | null;
  finding: {
    resultId: number;
    sampledAt: string;
    cfuPer100ml: number;
    healthOfficeNotifiedAt: string | null;
    letters: string[];
    informedInPortal: number;
  } | null;
}

/** The organisation's water systems with their current round and open finding (managers). */
export async function listWaterSystems(user: SessionUser, options: Pick<WorkflowOptions, 'db'> = {}): Promise<WaterSystemView[]> {
  requireManager(user);
  const database = options.db ?? sharedDb();
  const rows = await database.sequelize.query<Omit<WaterSystemView, 'finding'> & { findingResultId: number | null }>(
    `SELECT w.id, w.property_id AS "propertyId", p.name AS "propertyName", w.name, w.large, w.last_sampled_at::text AS "lastSampledAt",
            w.phase, w.due_at::text AS "dueAt", w.finding_result_id AS "findingResultId"
       FROM water_systems w JOIN properties p ON p.id = w.property_id WHERE w.organisation_id = :organisationId ORDER BY p.name, w.name`,
    { replacements: { organisationId: user.organisationId }, type: QueryTypes.SELECT },
  );
  const views: WaterSystemView[] = [];
  for (const { findingResultId, ...row } of rows) {
    let finding: WaterSystemView['finding'] = null;
    if (row.phase === 'finding' && findingResultId !== null) {
      const [result] = await database.sequelize.query<{ sampledAt: string; cfuPer100ml: number; healthOfficeNotifiedAt: string | null }>(
        `SELECT sampled_at::text AS "sampledAt", cfu_per_100ml AS "cfuPer100ml", health_office_notified_at::text AS "healthOfficeNotifiedAt"
           FROM legionella_results WHERE id = :id`,
        { replacements: { id: findingResultId }, type: QueryTypes.SELECT },
      );
      const notices = await database.sequelize.query<{ channel: string; tenantName: string }>(
        `SELECT n.channel, t.tenant_name AS "tenantName" FROM legionella_tenant_notices n JOIN tenancies t ON t.id = n.tenancy_id
          WHERE n.result_id = :id ORDER BY t.tenant_name`,
        { replacements: { id: findingResultId }, type: QueryTypes.SELECT },
      );
      if (result)
        finding = {
          resultId: findingResultId,
          ...result,
          letters: notices.filter((n) => n.channel === 'brief').map((n) => n.tenantName),
          informedInPortal: notices.filter((n) => n.channel === 'portal').length,
        };
    }
    views.push({ ...row, finding });
  }
  return views;
}

/** The properties a manager may add a water system to (the form's choices). */
export async function waterSystemProperties(user: SessionUser, options: Pick<WorkflowOptions, 'db'> = {}) {
  requireManager(user);
  const database = options.db ?? sharedDb();
  const scope = await visibleScope(user);
  if (scope.propertyIds.length === 0) return [];
  return database.sequelize.query<{ id: number; name: string }>(`SELECT id, name FROM properties WHERE id IN (:ids) ORDER BY name`, {
    replacements: { ids: scope.propertyIds },
    type: QueryTypes.SELECT,
  });
}
