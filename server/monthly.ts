// The monthly consumption information (HKVO §6a) for the pages: the managers' overview of runs
// and months, one month's units, starting a run through the Schedule, the conversion settings, and
// the tenant's own months with the proof that the tenant opened one.
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { QueryTypes } from 'sequelize';
import { appendAudit } from '../db/audit';
import { MONTHLY_SCHEDULE_ID } from '../domain/contracts/monthly';
import { DEFAULT_CONVERSION, type MonthlyDelivery, type YearMonth } from '../domain/monthly';
import { db } from './db';
import { recordOpening } from './monthly-obligation';
import type { CurrentTenancy, Scope } from './permissions';
import type { SessionUser } from './session';
import { temporalClient } from './temporal';

const LISTED_MONTHS = 24;

export interface MonthlyRunRow {
  id: number;
  month: string;
  status: 'running' | 'completed' | 'failed';
  startedAt: Date;
  finishedAt: Date | null;
  unitsTotal: number;
  unitsDone: number;
  properties: number;
  propertiesDone: number;
}

export interface MonthRow {
  month: string;
  units: number;
  portal: number;
  opened: number;
  noAccount: number;
  vacant: number;
  tenantChange: number;
  estimated: number;
  notRemote: number;
}

/** When the Schedule runs next; null when Temporal cannot say (no schedule yet, server unreachable). */
async function nextScheduledRun(): Promise<Date | null> {
  try {
    const { info } = await temporalClient().schedule.getHandle(MONTHLY_SCHEDULE_ID).describe();
    return info.nextActionTimes[0] ?? null;
  } catch {
    return null;
  }
}

/** Per month how many units got their information and how many opened it, the latest run's progress, the factors. */
export async function monthlyOverview(scope: Scope) {
  const { sequelize } = db();
  const bind = [scope.propertyIds];
  const [[run], months, [{ unitCount } = { unitCount: 0 }], properties, nextRun] = await Promise.all([
    sequelize.query<MonthlyRunRow>(
      `SELECT r.id, to_char(r.month, 'YYYY-MM') AS month, r.status, r.started_at AS "startedAt", r.finished_at AS "finishedAt",
              sum(rp.units_total)::int AS "unitsTotal", sum(rp.units_done)::int AS "unitsDone",
              count(*)::int AS properties, count(rp.finished_at)::int AS "propertiesDone"
         FROM monthly_runs r JOIN monthly_run_properties rp ON rp.run_id = r.id AND rp.property_id = ANY($1::int[])
        GROUP BY r.id ORDER BY r.started_at DESC, r.id DESC LIMIT 1`,
      { bind, type: QueryTypes.SELECT },
    ),
    sequelize.query<MonthRow>(
      `SELECT to_char(month, 'YYYY-MM') AS month, count(*)::int AS units,
              count(*) FILTER (WHERE delivery = 'portal')::int AS portal, count(opened_at)::int AS opened,
              count(*) FILTER (WHERE delivery = 'no-account')::int AS "noAccount", count(*) FILTER (WHERE delivery = 'vacant')::int AS vacant,
              count(*) FILTER (WHERE delivery = 'tenant-change')::int AS "tenantChange",
              count(*) FILTER (WHERE estimated)::int AS estimated, count(*) FILTER (WHERE NOT remote_readable)::int AS "notRemote"
         FROM monthly_information WHERE property_id = ANY($1::int[])
        GROUP BY month ORDER BY month DESC LIMIT ${LISTED_MONTHS}`,
      { bind, type: QueryTypes.SELECT },
    ),
    sequelize.query<{ unitCount: number }>('SELECT count(*)::int AS "unitCount" FROM units WHERE property_id = ANY($1::int[])', {
      bind,
      type: QueryTypes.SELECT,
    }),
    sequelize.query<{
      id: number;
      name: string;
      hkvKwhPerUnit: string | null;
      hotWaterTempC: string | null;
      districtHeating: boolean | null;
    }>(
      `SELECT p.id, p.name, s.hkv_kwh_per_unit AS "hkvKwhPerUnit", s.hot_water_temp_c AS "hotWaterTempC", s.district_heating AS "districtHeating"
         FROM properties p LEFT JOIN monthly_property_settings s ON s.property_id = p.id
        WHERE p.id = ANY($1::int[]) ORDER BY p.name, p.id`,
      { bind, type: QueryTypes.SELECT },
    ),
    nextScheduledRun(),
  ]);
  return {
    run: run ?? null,
    months,
    unitCount,
    properties: properties.map((p) => ({
      id: p.id,
      name: p.name,
      own: p.hkvKwhPerUnit !== null,
      hkvKwhPerUnit: p.hkvKwhPerUnit === null ? DEFAULT_CONVERSION.hkvKwhPerUnit : Number(p.hkvKwhPerUnit),
      hotWaterTempC: p.hotWaterTempC === null ? DEFAULT_CONVERSION.hotWaterTempC : Number(p.hotWaterTempC),
      districtHeating: p.districtHeating ?? DEFAULT_CONVERSION.districtHeating,
    })),
    nextRun,
  };
}

function auditMonthly(
  user: SessionUser,
  ip: string | null,
  action: string,
  details: Record<string, unknown>,
  entityId: number | null = null,
) {
  return appendAudit(db(), {
    organisationId: user.organisationId,
    actorId: user.id,
    actor: user.email,
    action,
    entity: 'monthly_information',
    entityId,
    ip,
    details,
  });
}

/** Starts last month's run now, through the Schedule, so never twice at once. */
export async function triggerMonthlyRun(user: SessionUser, ip: string | null): Promise<{ ok: boolean; message: string }> {
  try {
    await temporalClient().schedule.getHandle(MONTHLY_SCHEDULE_ID).trigger(ScheduleOverlapPolicy.SKIP);
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    return { ok: false, message: 'Der Zeitplan für die Monatsinformation ist nicht eingerichtet: Der Worker legt ihn beim Start an.' };
  }
  await auditMonthly(user, ip, 'monthly.run_triggered', { scheduleId: MONTHLY_SCHEDULE_ID });
  return {
    ok: true,
    message:
      'Der Lauf für den Vormonat wurde gestartet (läuft bereits einer, wird kein zweiter begonnen). Der Fortschritt erscheint gleich hier.',
  };
}

export interface ConversionSettings {
  hkvKwhPerUnit: number;
  hotWaterTempC: number;
  districtHeating: boolean;
}

/** The property's conversion factors from the next run on (the caller has checked the property is in scope). */
export async function saveConversionSettings(
  user: SessionUser,
  propertyId: number,
  settings: ConversionSettings,
  ip: string | null,
): Promise<void> {
  await db().models.MonthlyPropertySetting.upsert({ propertyId, ...settings, updatedBy: user.id, updatedAt: new Date() });
  await auditMonthly(user, ip, 'monthly.settings_changed', { propertyId, ...settings }, propertyId);
}

/** The list's filters, each a SQL condition on monthly_information mi. */
export const MONTH_STATUS_FILTERS = {
  opened: { label: 'Geöffnet', sql: 'mi.opened_at IS NOT NULL' },
  unopened: { label: 'Zugestellt, nicht geöffnet', sql: "mi.delivery = 'portal' AND mi.opened_at IS NULL" },
  'no-account': { label: 'Ohne Portalzugang (andere Zustellung nötig)', sql: "mi.delivery = 'no-account'" },
  vacant: { label: 'Leerstand', sql: "mi.delivery = 'vacant'" },
  'tenant-change': { label: 'Nutzerwechsel im Monat', sql: "mi.delivery = 'tenant-change'" },
  estimated: { label: 'Mit Ersatzwert', sql: 'mi.estimated' },
  'not-remote': { label: 'Nicht fernablesbar (§ 12: 3 % Kürzung möglich)', sql: 'NOT mi.remote_readable' },
} as const;
export type MonthStatusFilter = keyof typeof MONTH_STATUS_FILTERS;

export const isMonthStatusFilter = (value: string | null): value is MonthStatusFilter => value !== null && value in MONTH_STATUS_FILTERS;

export interface MonthUnitRow {
  id: number;
  propertyName: string;
  unitLabel: string;
  tenantName: string | null;
  delivery: MonthlyDelivery;
  totalKwh: string | null;
  changePreviousYear: string | null;
  estimated: boolean;
  remoteReadable: boolean;
  devicesOk: boolean;
  publishedAt: Date;
  revisedAt: Date | null;
  openedAt: Date | null;
}

export const MONTH_PAGE_SIZE = 100;

/** One month's units in the given properties: who received it, who opened it; null when the month has none at all. */
export async function monthDetail(query: {
  month: YearMonth;
  propertyIds: number[];
  status: MonthStatusFilter | null;
  page: number;
  withTenants: boolean;
  filtered: boolean;
}) {
  const { month, propertyIds, status, page, withTenants } = query;
  const PAGE_SIZE = MONTH_PAGE_SIZE;
  const { sequelize } = db();
  const where = `mi.month = $1 AND mi.property_id = ANY($2::int[])${status ? ` AND ${MONTH_STATUS_FILTERS[status].sql}` : ''}`;
  const bind = [`${month}-01`, propertyIds];
  const [rows, [counts = { total: 0 }], [summary]] = await Promise.all([
    sequelize.query<MonthUnitRow>(
      `SELECT mi.id, p.name AS "propertyName", u.label AS "unitLabel", ${withTenants ? 't.tenant_name' : 'NULL'} AS "tenantName",
              mi.delivery, mi.total_kwh AS "totalKwh", mi.change_previous_year AS "changePreviousYear", mi.estimated,
              mi.remote_readable AS "remoteReadable", mi.devices_ok AS "devicesOk", mi.published_at AS "publishedAt",
              mi.revised_at AS "revisedAt", mi.opened_at AS "openedAt"
         FROM monthly_information mi
         JOIN units u ON u.id = mi.unit_id JOIN properties p ON p.id = mi.property_id
         LEFT JOIN tenancies t ON t.id = mi.tenancy_id
        WHERE ${where}
        ORDER BY p.name, p.id, u.label, u.id
        LIMIT ${PAGE_SIZE} OFFSET $3`,
      { bind: [...bind, (page - 1) * PAGE_SIZE], type: QueryTypes.SELECT },
    ),
    sequelize.query<{ total: number }>(`SELECT count(*)::int AS total FROM monthly_information mi WHERE ${where}`, {
      bind,
      type: QueryTypes.SELECT,
    }),
    sequelize.query<{
      units: number;
      informed: number;
      portal: number;
      opened: number;
      notRemote: number;
      estimated: number;
      noAccount: number;
    }>(
      `SELECT (SELECT count(*) FROM units WHERE property_id = ANY($2::int[]))::int AS units, count(*)::int AS informed,
              count(*) FILTER (WHERE delivery = 'portal')::int AS portal, count(opened_at)::int AS opened,
              count(*) FILTER (WHERE NOT remote_readable)::int AS "notRemote", count(*) FILTER (WHERE estimated)::int AS estimated,
              count(*) FILTER (WHERE delivery = 'no-account')::int AS "noAccount"
         FROM monthly_information WHERE month = $1 AND property_id = ANY($2::int[])`,
      { bind, type: QueryTypes.SELECT },
    ),
  ]);
  if (!summary || (summary.informed === 0 && !query.filtered)) return null;
  return { rows, total: counts.total, pageCount: Math.max(1, Math.ceil(counts.total / PAGE_SIZE)), summary };
}

/** Older informations are kept; the tenant's page lists three years. */
const TENANT_LISTED_MONTHS = 36;

/** The tenancy's own months and the chosen one (default the newest; null when it has none); a month shared with a previous tenant is never shown. */
export async function tenantMonthlyInformation(tenancy: CurrentTenancy, monthParam: YearMonth | null) {
  const { MonthlyInformation } = db().models;
  // A month shared with a previous tenant (delivery 'tenant-change') is never shown to either.
  const mine = { tenancyId: tenancy.tenancyId, unitId: tenancy.unitId, delivery: ['portal', 'no-account'] };
  const rows = await MonthlyInformation.findAll({
    where: mine,
    attributes: ['id', 'month', 'totalKwh', 'changePreviousYear', 'estimated'],
    order: [['month', 'DESC']],
    limit: TENANT_LISTED_MONTHS,
    raw: true,
  });
  const month = monthParam ?? rows[0]?.month.slice(0, 7);
  const row = month ? await MonthlyInformation.findOne({ where: { ...mine, month: `${month}-01` } }) : null;
  return { rows, row };
}

/** Records once that the tenant opened this month's information (the proof the manager sees). */
export async function recordMonthlyOpening(user: SessionUser, tenancy: CurrentTenancy, month: YearMonth): Promise<boolean> {
  const row = await db().models.MonthlyInformation.findOne({
    where: { tenancyId: tenancy.tenancyId, unitId: tenancy.unitId, delivery: ['portal', 'no-account'], month: `${month}-01` },
  });
  return row ? recordOpening(db(), row, user.id) : false;
}
