// Heating statements in the database: loading the facts a statement is assembled from
// (domain/billing/statement.ts), storing an assembled statement as an immutable version, and
// reading stored versions back.
import { QueryTypes, type Transaction } from 'sequelize';

import { calendarDate } from '../domain/calendar';

import { addDays, compareDates } from '../domain/dates';
import type { DeviceType } from '../domain/deadlines';

import { type BillingPeriod, type UnitDerivation } from '../domain/billing';
import { ValidationError } from '../domain/validation';

import { appendAudit, canonicalJson, sha256 } from './audit';

import type { Db } from './index';

import {
  CONSUMPTION_DEVICE_TYPES,
  SET_DATE_LOOKAHEAD_DAYS,
  assembleStatement,
  boundaryDays,
  perCostType,
  zeroAmounts,
  type Actor,
  type BillingFacts,
  type ReadingPoint,
  type StatementData,
  type StatementOccupancyData,
  type StatementRequest,
  type StatementVersion,
} from '../domain/billing/statement';

const INSERT_CHUNK = 1000;

// ---------------------------------------------------------------------------------------------
// The facts a statement is assembled from

/** Loads the property, its units, tenancies, consumption devices and the readings around the boundaries. */
export async function loadBillingFacts(
  db: Db,
  propertyId: number,
  period: BillingPeriod,
  transaction?: Transaction,
): Promise<BillingFacts | null> {
  const { Property, Organisation, Unit, Tenancy, Device } = db.models;
  const property = await Property.findByPk(propertyId, { transaction });
  if (!property) return null;
  const organisation = await Organisation.findByPk(property.organisationId, { transaction });
  const units = await Unit.findAll({ where: { propertyId }, order: [['id', 'ASC']], transaction });
  const unitIds = units.map((u) => u.id);
  const tenancies =
    unitIds.length === 0
      ? []
      : await Tenancy.findAll({
          where: { unitId: unitIds },
          order: [
            ['startsOn', 'ASC'],
            ['id', 'ASC'],
          ],
          transaction,
        });
  const devices =
    unitIds.length === 0
      ? []
      : await Device.findAll({
          where: { unitId: unitIds, type: CONSUMPTION_DEVICE_TYPES as DeviceType[] },
          order: [['id', 'ASC']],
          transaction,
        });
  const billable = devices.filter(
    (d) => compareDates(d.installedAt, period.end) <= 0 && (d.removedAt === null || compareDates(d.removedAt, period.start) >= 0),
  );

  const readings = new Map<number, ReadingPoint[]>();
  if (billable.length > 0) {
    const days = boundaryDays(
      period,
      tenancies.map((t) => t.startsOn),
    );
    // One window per boundary: the day before (a reading late that day) up to the set-date lookahead.
    const windows = days.map(
      (_, i) =>
        `(r.read_at >= (CAST(:from${i} AS date)::timestamp AT TIME ZONE 'Europe/Berlin') AND r.read_at < (CAST(:to${i} AS date)::timestamp AT TIME ZONE 'Europe/Berlin'))`,
    );
    const replacements: Record<string, unknown> = { deviceIds: billable.map((d) => d.id) };
    days.forEach((day, i) => {
      replacements[`from${i}`] = addDays(day, -1);
      replacements[`to${i}`] = addDays(day, SET_DATE_LOOKAHEAD_DAYS + 1);
    });
    const rows = await db.sequelize.query<{ deviceId: number; day: string; at: Date; value: string; setDateValue: string | null }>(
      `SELECT r.device_id AS "deviceId", to_char(r.read_at AT TIME ZONE 'Europe/Berlin', 'YYYY-MM-DD') AS day, r.read_at AS at,
              r.value, r.set_date_value AS "setDateValue"
         FROM readings r
        WHERE r.device_id IN (:deviceIds) AND (${windows.join(' OR ')})
        ORDER BY r.device_id, r.read_at`,
      { replacements, type: QueryTypes.SELECT, transaction },
    );
    for (const row of rows) {
      const list = readings.get(row.deviceId) ?? [];
      list.push({
        day: row.day,
        at: new Date(row.at).getTime(),
        value: Number(row.value),
        setDateValue: row.setDateValue === null ? null : Number(row.setDateValue),
      });
      readings.set(row.deviceId, list);
    }
  }

  const monthly = await informedMonths(db, propertyId, period, transaction);

  return {
    organisationName: organisation?.name ?? '',
    property: {
      id: property.id,
      organisationId: property.organisationId,
      name: property.name,
      street: property.street,
      postalCode: property.postalCode,
      city: property.city,
      federalState: property.federalState,
    },
    period,
    asOf: calendarDate(new Date()),
    ...(monthly.since !== null && { monthlyInformationSince: monthly.since }),
    units: units.map((unit) => ({
      id: unit.id,
      label: unit.label,
      floor: unit.floor,
      areaM2: unit.areaM2,
      tenancies: tenancies
        .filter((t) => t.unitId === unit.id)
        .map((t) => ({
          id: t.id,
          tenantName: t.tenantName,
          startsOn: t.startsOn,
          endsOn: t.endsOn,
          informedMonths: monthly.byTenancy.get(t.id) ?? [],
        })),
      devices: billable
        .filter((d) => d.unitId === unit.id)
        .map((d) => ({
          id: d.id,
          serial: d.serial,
          type: d.type,
          location: d.location,
          installedAt: d.installedAt,
          remoteReadable: d.remoteReadable,
          readings: readings.get(d.id) ?? [],
        })),
    })),
  };
}

/**
 * §6a: the months of the period each tenancy was given its monthly information (shown in the
 * portal, or mailed), and the first month the portal informed anyone in the property at all.
 */
async function informedMonths(
  db: Db,
  propertyId: number,
  period: BillingPeriod,
  transaction?: Transaction,
): Promise<{ since: string | null; byTenancy: Map<number, string[]> }> {
  const [first] = await db.sequelize.query<{ month: string | null }>(
    `SELECT to_char(min(month), 'YYYY-MM') AS month FROM monthly_information WHERE property_id = :propertyId`,
    { replacements: { propertyId }, type: QueryTypes.SELECT, transaction },
  );
  const rows = await db.sequelize.query<{ tenancyId: number; month: string }>(
    `SELECT tenancy_id AS "tenancyId", to_char(month, 'YYYY-MM') AS month FROM monthly_information
      WHERE property_id = :propertyId AND tenancy_id IS NOT NULL AND month BETWEEN :start AND :end
        AND (delivery = 'portal' OR mailed_at IS NOT NULL)
      ORDER BY month`,
    { replacements: { propertyId, start: period.start, end: period.end }, type: QueryTypes.SELECT, transaction },
  );
  const byTenancy = new Map<number, string[]>();
  for (const row of rows) byTenancy.set(row.tenancyId, [...(byTenancy.get(row.tenancyId) ?? []), row.month]);
  return { since: first?.month ?? null, byTenancy };
}

// ---------------------------------------------------------------------------------------------
// Assembly: facts + entered costs → engine input → statement

/** Loads the facts and assembles the statement: the manager's preview, nothing is stored. */
export async function previewStatement(db: Db, request: StatementRequest): Promise<StatementData | null> {
  const facts = await loadBillingFacts(db, request.propertyId, request.period);
  return facts ? assembleStatement(facts, request).statement : null;
}

// ---------------------------------------------------------------------------------------------
// Storage

/** The next DOC-YYYY-NNNNN of the year of issue (German calendar). */
async function nextDocumentNumber(db: Db, transaction: Transaction): Promise<string> {
  const year = Number(calendarDate(new Date()).slice(0, 4));
  const [row] = await db.sequelize.query<{ lastNumber: number }>(
    `INSERT INTO document_number_counters (year, last_number) VALUES (:year, 1)
     ON CONFLICT (year) DO UPDATE SET last_number = document_number_counters.last_number + 1
     RETURNING last_number AS "lastNumber"`,
    { replacements: { year }, type: QueryTypes.SELECT, transaction },
  );
  return `DOC-${year}-${String(row!.lastNumber).padStart(5, '0')}`;
}

async function bulkInsert<T extends object>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await insert(rows.slice(i, i + INSERT_CHUNK));
}

/**
 * Computes the statement from the current readings and stores it as the next version of its
 * property and period (v1 with a new document number, or a correction superseding the latest under its number),
 * in one transaction, and records it in the audit log.
 */
export interface SaveStatementOptions {
  /** Runs last inside the save's transaction: what must commit with the version (its workflow start in the outbox). */
  inTransaction?: (transaction: Transaction, statementId: number) => Promise<void>;
}

export async function saveStatement(
  db: Db,
  request: StatementRequest,
  actor: Actor,
  options: SaveStatementOptions = {},
): Promise<StatementData> {
  const { Statement, StatementCost, StatementKey, StatementUnitResult, StatementOccupancy } = db.models;
  const id = await db.sequelize.transaction(async (transaction) => {
    // Versions of one property are numbered one at a time.
    await db.sequelize.query('SELECT pg_advisory_xact_lock(42002, :propertyId)', {
      replacements: { propertyId: request.propertyId },
      transaction,
    });
    const facts = await loadBillingFacts(db, request.propertyId, request.period, transaction);
    if (!facts) throw new ValidationError('propertyId', 'Liegenschaft nicht gefunden.');
    const { statement, input } = assembleStatement(facts, request);
    const latest = await Statement.findOne({
      where: { propertyId: request.propertyId, periodStart: request.period.start, periodEnd: request.period.end },
      order: [['version', 'DESC']],
      transaction,
    });
    const { parameters } = request;
    const stored = await Statement.create(
      {
        propertyId: request.propertyId,
        periodStart: request.period.start,
        periodEnd: request.period.end,
        version: (latest?.version ?? 0) + 1,
        // One number per statement, the versions under it: a correction keeps its predecessor's.
        documentNumber: latest?.documentNumber ?? (await nextDocumentNumber(db, transaction)),
        supersedesId: latest?.id ?? null,
        correctionReason: latest ? request.correctionReason?.trim() || null : null,
        ...parameters,
        engineInput: input,
        engineInputSha256: sha256(canonicalJson(input)),
        summary: statement.summary,
        createdBy: actor.userId,
      },
      { transaction },
    );
    const statementId = stored.id;
    await bulkInsert(
      request.costs.map((line, position) => ({ ...line, statementId, position })),
      (rows) => StatementCost.bulkCreate(rows, { transaction }),
    );
    await bulkInsert(
      statement.units.map((unit, position) => ({
        statementId,
        unitId: unit.unitId,
        position,
        unitLabel: unit.label,
        unitFloor: unit.floor,
        areaM2: unit.areaM2,
        ...unit.consumption,
        heatingUnit: statement.summary.heatingUnit,
        estimated: unit.estimated,
        substitutes: unit.substitutes,
        cuts: unit.cuts,
        cutDetails: unit.cutDetails,
        previousConsumption: unit.previous,
        readings: unit.readings,
      })),
      (rows) => StatementKey.bulkCreate(rows, { transaction }),
    );
    await bulkInsert(
      statement.units.map((unit) => ({ statementId, unitId: unit.unitId, ...unit.amounts, derivation: unit.derivation })),
      (rows) => StatementUnitResult.bulkCreate(rows, { transaction }),
    );
    await bulkInsert(
      statement.units.flatMap((unit) =>
        unit.occupancies.map((o, position) => ({
          statementId,
          unitId: unit.unitId,
          occupancyKey: o.key,
          position,
          tenancyId: o.tenancyId,
          tenantName: o.tenantName,
          dateFrom: o.from,
          dateTo: o.to,
          ...o.consumption,
          fixedKeysOnly: o.fixedKeysOnly,
          cutDetails: o.cutDetails,
          heatingAmount: o.amounts.heating,
          hotWaterAmount: o.amounts.hotWater,
          coldWaterAmount: o.amounts.coldWater,
          cut: o.amounts.cut,
          total: o.amounts.total,
          co2Credit: o.amounts.co2Credit,
          amountDue: o.amounts.amountDue,
          derivation: o.derivation,
        })),
      ),
      (rows) => StatementOccupancy.bulkCreate(rows, { transaction }),
    );
    await appendAudit(
      db,
      {
        organisationId: actor.organisationId ?? facts.property.organisationId,
        actorId: actor.userId,
        actor: actor.email,
        action: latest ? 'statement_corrected' : 'statement_created',
        entity: 'statement',
        entityId: statementId,
        ip: actor.ip ?? null,
        details: {
          propertyId: request.propertyId,
          periodStart: request.period.start,
          periodEnd: request.period.end,
          version: stored.version,
          documentNumber: stored.documentNumber,
          supersedesId: stored.supersedesId,
          engineInputSha256: stored.engineInputSha256,
        },
      },
      transaction,
    );
    await options.inTransaction?.(transaction, statementId);
    return statementId;
  });
  const saved = await loadStatement(db, id);
  if (!saved) throw new Error(`statement ${id} vanished after commit`);
  return saved;
}

/** A stored statement in the same shape as a preview, or null. Callers scope access first. */
export async function loadStatement(db: Db, id: number): Promise<StatementData | null> {
  const { Statement, StatementCost, StatementKey, StatementUnitResult, StatementOccupancy, Property, Organisation } = db.models;
  const statement = await Statement.findByPk(id);
  if (!statement) return null;
  const property = await Property.findByPk(statement.propertyId);
  if (!property) return null;
  const organisation = await Organisation.findByPk(property.organisationId);
  const where = { statementId: id };
  const [costs, keys, results, occupancies] = await Promise.all([
    StatementCost.findAll({ where, order: [['position', 'ASC']] }),
    StatementKey.findAll({ where, order: [['position', 'ASC']] }),
    StatementUnitResult.findAll({ where }),
    StatementOccupancy.findAll({
      where,
      order: [
        ['unitId', 'ASC'],
        ['position', 'ASC'],
      ],
    }),
  ]);
  const resultOf = new Map(results.map((r) => [r.unitId, r]));
  const occupanciesOf = new Map<number, StatementOccupancyData[]>();
  for (const o of occupancies) {
    const list = occupanciesOf.get(o.unitId) ?? [];
    list.push({
      key: o.occupancyKey,
      tenancyId: o.tenancyId,
      tenantName: o.tenantName,
      from: o.dateFrom,
      to: o.dateTo,
      consumption: { heating: o.heating, hotWater: o.hotWater, coldWater: o.coldWater },
      fixedKeysOnly: o.fixedKeysOnly,
      cutDetails: o.cutDetails,
      amounts: {
        heating: o.heatingAmount,
        hotWater: o.hotWaterAmount,
        coldWater: o.coldWaterAmount,
        cut: o.cut,
        total: o.total,
        co2Credit: o.co2Credit,
        amountDue: o.amountDue,
      },
      derivation: o.derivation,
    });
    occupanciesOf.set(o.unitId, list);
  }
  return {
    stored: {
      id: statement.id,
      version: statement.version,
      documentNumber: statement.documentNumber,
      status: statement.status,
      createdAt: statement.createdAt.toISOString(),
      supersedesId: statement.supersedesId,
      correctionReason: statement.correctionReason,
      engineInputSha256: statement.engineInputSha256,
    },
    organisationName: organisation?.name ?? '',
    property: {
      id: property.id,
      organisationId: property.organisationId,
      name: property.name,
      street: property.street,
      postalCode: property.postalCode,
      city: property.city,
      federalState: property.federalState,
    },
    period: { start: statement.periodStart, end: statement.periodEnd },
    parameters: {
      heatingConsumptionShare: statement.heatingConsumptionShare,
      hotWaterConsumptionShare: statement.hotWaterConsumptionShare,
      coldWaterCost: statement.coldWaterCost,
      coldWaterConsumptionShare: statement.coldWaterConsumptionShare,
      hotWaterTempC: statement.hotWaterTempC,
      hotWaterKwhMeasured: statement.hotWaterKwhMeasured,
      hotWaterM3Entered: statement.hotWaterM3Entered,
      districtHeating: statement.districtHeating,
      co2Kg: statement.co2Kg,
      co2Cost: statement.co2Cost,
      heatedAreaM2: statement.heatedAreaM2,
      heatingAgreed: statement.heatingAgreed,
      hotWaterAgreed: statement.hotWaterAgreed,
      hotWaterMethod: statement.hotWaterMethod,
      grossCalorific: statement.grossCalorific,
      manualCuts: statement.manualCuts,
    },
    costs: costs.map((c) => ({
      kind: c.kind,
      category: c.category,
      description: c.description,
      invoiceDate: c.invoiceDate,
      amount: c.amount,
      taxesAndLevies: c.taxesAndLevies,
      kwh: c.kwh,
      litres: c.litres,
    })),
    summary: statement.summary,
    units: keys.map((key) => {
      const result = resultOf.get(key.unitId);
      return {
        unitId: key.unitId,
        label: key.unitLabel,
        floor: key.unitFloor,
        areaM2: key.areaM2,
        consumption: { heating: key.heating, hotWater: key.hotWater, coldWater: key.coldWater },
        estimated: key.estimated,
        substitutes: key.substitutes,
        cuts: key.cuts,
        cutDetails: key.cutDetails,
        previous: perCostType((type) => key.previousConsumption[type] ?? null),
        readings: key.readings,
        amounts: result
          ? {
              heating: result.heating,
              hotWater: result.hotWater,
              coldWater: result.coldWater,
              cut: result.cut,
              total: result.total,
              co2Credit: result.co2Credit,
              amountDue: result.amountDue,
            }
          : zeroAmounts(),
        derivation: result?.derivation as UnitDerivation,
        occupancies: occupanciesOf.get(key.unitId) ?? [],
      };
    }),
  };
}

/** Every version of a property's statement for a period, newest first. */
export async function statementVersions(db: Db, propertyId: number, period: BillingPeriod): Promise<StatementVersion[]> {
  const rows = await db.models.Statement.findAll({
    where: { propertyId, periodStart: period.start, periodEnd: period.end },
    attributes: ['id', 'version', 'documentNumber', 'status', 'createdAt', 'correctionReason'],
    order: [['version', 'DESC']],
  });
  return rows.map((r) => ({
    id: r.id,
    version: r.version,
    documentNumber: r.documentNumber,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
    correctionReason: r.correctionReason,
  }));
}
