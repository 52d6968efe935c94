// Demo readings: monthly values of every consumption device from 1 January 2025 up to today, so that
// the 2025 heating statement and the monthly consumption information have data. Deliberate gaps
// show substitute values (§9a), a set-date value sent after the set date, and one change of tenant
// in Musterstraße 12 with an intermediate reading (§9b).
import { QueryTypes, type CreationAttributes, type Transaction } from 'sequelize';
import { addDays, compareDates, daysBetween, daysInMonth, parseDate } from '../../domain/dates';
import { DEGREE_DAY_PER_MILLE } from '../../domain/billing/degree-days';
import type { DeviceType } from '../../domain/deadlines';
import type { Db } from '../index';
import type { Reading } from '../models/reading';
import { seededRandom, type Random } from './random';

export const READINGS_FROM = '2025-01-01';
/** The demo tenant moved in here; the previous tenant's consumption ends with this day's reading. */
export const DEMO_TENANT_MOVED_IN = '2025-03-16';
const PREVIOUS_TENANT = { tenantName: 'Thomas Wagner', startsOn: '2018-09-01' };

const READ_TYPES: readonly DeviceType[] = ['HKV', 'WZ-K', 'WZ-W', 'WMZ'];
const UNIT_OF: Readonly<Partial<Record<DeviceType, string>>> = { HKV: 'Einheiten', 'WZ-K': 'm³', 'WZ-W': 'm³', WMZ: 'kWh' };
const INSERT_CHUNK = 5000;

/** Yearly consumption per m² of a unit: HKV units, m³ hot and cold water; kWh for a building's heat meter. */
const PER_M2_PER_YEAR: Readonly<Partial<Record<DeviceType, [number, number]>>> = {
  HKV: [12, 32],
  'WZ-W': [0.18, 0.42],
  'WZ-K': [0.35, 0.8],
  WMZ: [95, 140],
};

/**
 * Gaps that make the 2025 statement show its rules at work: a radio outage over New Year (no end
 * value, no set-date value → substitute), one before the first reading (no start value), and a
 * device that missed the set date but sent its stored set-date value two days later.
 */
interface Gap {
  propertyIndex: number;
  unitIndex: number;
  type: DeviceType;
  from: string;
  to: string;
}

const GAPS: readonly Gap[] = [
  { propertyIndex: 0, unitIndex: 20, type: 'HKV', from: '2025-12-15', to: '2026-01-31' },
  { propertyIndex: 0, unitIndex: 33, type: 'HKV', from: '2025-12-15', to: '2026-01-31' },
  { propertyIndex: 0, unitIndex: 27, type: 'WZ-W', from: '2024-12-31', to: '2025-01-31' },
  { propertyIndex: 1, unitIndex: 7, type: 'HKV', from: '2025-12-15', to: '2026-01-31' },
];
const LATE_SET_DATE: readonly { propertyIndex: number; unitIndex: number }[] = [{ propertyIndex: 0, unitIndex: 5 }];

interface DeviceRow {
  id: number;
  type: DeviceType;
  installedAt: string;
  unitId: number | null;
  propertyId: number;
  lastReadingAt: Date | null;
  areaM2: number | null;
}

/** Fraction of a year's consumption used from 1 January up to the start of `day`: degree days for heat, days for water. */
function yearFraction(day: string, heat: boolean): number {
  const { year, month, day: dayOfMonth } = parseDate(day);
  if (!heat) return daysBetween(`${year}-01-01`, day) / daysBetween(`${year}-01-01`, `${year + 1}-01-01`);
  let perMille = 0;
  for (let m = 1; m < month; m++) perMille += DEGREE_DAY_PER_MILLE[m - 1]!.toNumber(6);
  perMille += (DEGREE_DAY_PER_MILLE[month - 1]!.toNumber(6) * (dayOfMonth - 1)) / daysInMonth(year, month);
  return perMille / 1000;
}

/** A device's meter: a start value and a yearly consumption per year, read as a cumulative value. */
function meter(device: DeviceRow, area: number, random: Random) {
  const [low, high] = PER_M2_PER_YEAR[device.type]!;
  const heat = device.type === 'HKV' || device.type === 'WMZ';
  // Several HKVs share a flat's heating; their yearly units are about a radiator's share.
  const radiatorShare = device.type === 'HKV' ? 1 / random.int(3, 5) : 1;
  const perYear = area * (low + random.next() * (high - low)) * radiatorShare;
  const yearly = new Map<number, number>();
  const start = device.type === 'HKV' ? random.int(0, 3000) : random.int(10, 900) + random.next();
  const decimals = device.type === 'HKV' ? 0 : 3;
  return (day: string): number => {
    const { year } = parseDate(day);
    let value = start;
    for (let y = 2025; y <= year; y++) {
      if (!yearly.has(y)) yearly.set(y, perYear * (0.85 + random.next() * 0.3));
      value += yearly.get(y)! * (y < year ? 1 : yearFraction(day, heat));
    }
    return Number(value.toFixed(decimals));
  };
}

/** Readings at 04:00 UTC: early morning in Germany, so the calendar day is the same there. */
const readAt = (day: string) => new Date(`${day}T04:00:00Z`);

function monthStarts(from: string, until: string): string[] {
  const days: string[] = [];
  for (let day = from; compareDates(day, until) <= 0;) {
    days.push(day);
    const { year, month } = parseDate(day);
    day = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
  }
  return days;
}

/**
 * Seeds the demo's readings (and its change of tenant) into the organisation's properties, in the
 * caller's transaction. Devices that stopped reporting get readings only up to their last contact.
 */
export async function seedDemoReadings(
  db: Db,
  opts: { organisationId: number; today: string; transaction: Transaction },
): Promise<{ readings: number }> {
  const { transaction, today } = opts;
  const random = seededRandom(2025);
  const { Reading, Tenancy } = db.models;

  const properties = await db.sequelize.query<{ id: number }>(
    'SELECT id FROM properties WHERE organisation_id = :organisationId ORDER BY id',
    { replacements: { organisationId: opts.organisationId }, type: QueryTypes.SELECT, transaction },
  );
  const propertyIds = properties.map((p) => p.id);
  if (propertyIds.length === 0) return { readings: 0 };
  const units = await db.sequelize.query<{ id: number; propertyId: number; areaM2: string }>(
    'SELECT id, property_id AS "propertyId", area_m2 AS "areaM2" FROM units WHERE property_id IN (:propertyIds) ORDER BY id',
    { replacements: { propertyIds }, type: QueryTypes.SELECT, transaction },
  );
  const unitIndex = new Map<number, { propertyIndex: number; index: number }>();
  for (const [propertyIndex, propertyId] of propertyIds.entries()) {
    units.filter((u) => u.propertyId === propertyId).forEach((u, index) => unitIndex.set(u.id, { propertyIndex, index }));
  }
  const propertyArea = new Map<number, number>();
  for (const u of units) propertyArea.set(u.propertyId, (propertyArea.get(u.propertyId) ?? 0) + Number(u.areaM2));

  await moveDemoTenantIn(db, opts.organisationId, transaction);
  // Radio devices report daily; a reading on every move-in day lets §9b split by readings.
  const tenancyStarts = await Tenancy.findAll({
    where: { unitId: units.map((u) => u.id) },
    attributes: ['unitId', 'startsOn'],
    transaction,
  });
  const moveInsByUnit = new Map<number, string[]>();
  for (const t of tenancyStarts) {
    if (compareDates(t.startsOn, READINGS_FROM) > 0 && compareDates(t.startsOn, today) <= 0) {
      moveInsByUnit.set(t.unitId, [...(moveInsByUnit.get(t.unitId) ?? []), t.startsOn]);
    }
  }

  const devices = await db.sequelize.query<DeviceRow>(
    `SELECT d.id, d.type, d.installed_at::text AS "installedAt", d.unit_id AS "unitId", d.property_id AS "propertyId", d.last_reading_at AS "lastReadingAt", u.area_m2::float AS "areaM2"
       FROM devices d LEFT JOIN units u ON u.id = d.unit_id
      WHERE d.property_id IN (:propertyIds) AND d.type IN (:types) AND d.removed_at IS NULL
      ORDER BY d.id`,
    { replacements: { propertyIds, types: READ_TYPES }, type: QueryTypes.SELECT, transaction },
  );

  const monthly = monthStarts(READINGS_FROM, today);
  const rows: CreationAttributes<Reading>[] = [];
  const firstDeviceOfType = new Set<string>();
  for (const device of devices) {
    const position = device.unitId === null ? undefined : unitIndex.get(device.unitId);
    // Gaps hit the first device of their type in the unit.
    const typeKey = `${device.unitId}:${device.type}`;
    const isFirstOfType = !firstDeviceOfType.has(typeKey);
    firstDeviceOfType.add(typeKey);
    const gap =
      isFirstOfType && position
        ? GAPS.find((g) => g.propertyIndex === position.propertyIndex && g.unitIndex === position.index && g.type === device.type)
        : undefined;
    const lateSetDate =
      isFirstOfType &&
      device.type === 'HKV' &&
      position !== undefined &&
      LATE_SET_DATE.some((l) => l.propertyIndex === position.propertyIndex && l.unitIndex === position.index);

    const valueAt = meter(device, device.areaM2 ?? propertyArea.get(device.propertyId) ?? 1000, random);
    const lastContact = device.lastReadingAt ? new Date(device.lastReadingAt).toISOString().slice(0, 10) : today;
    // A device reports from its installation (its first reading) to its last contact.
    const reporting = (day: string) => compareDates(day, device.installedAt) >= 0 && compareDates(day, lastContact) <= 0;
    const days = new Set(monthly.filter(reporting));
    if (compareDates(device.installedAt, READINGS_FROM) > 0 && reporting(device.installedAt)) days.add(device.installedAt);
    for (const moveIn of device.unitId === null ? [] : (moveInsByUnit.get(device.unitId) ?? [])) if (reporting(moveIn)) days.add(moveIn);
    if (lateSetDate) {
      days.delete('2026-01-01');
      days.add('2026-01-03');
    }
    for (const day of [...days].sort(compareDates)) {
      if (gap && compareDates(day, gap.from) >= 0 && compareDates(day, gap.to) <= 0) continue;
      // HKVs store their value at the set date (1 January) and send it along through January.
      const setDate = device.type === 'HKV' && day.slice(5, 7) === '01' ? `${day.slice(0, 4)}-01-01` : null;
      rows.push({
        deviceId: device.id,
        readAt: readAt(day),
        value: valueAt(day),
        unit: UNIT_OF[device.type]!,
        setDateValue: setDate ? valueAt(setDate) : null,
        source: 'radio',
      });
    }
    // The device's last contact carries today's value, so device lists and readings agree.
    if (
      device.lastReadingAt &&
      reporting(lastContact) &&
      !days.has(lastContact) &&
      !(gap && compareDates(lastContact, gap.to) <= 0 && compareDates(lastContact, gap.from) >= 0)
    ) {
      rows.push({
        deviceId: device.id,
        readAt: new Date(device.lastReadingAt),
        value: valueAt(lastContact),
        unit: UNIT_OF[device.type]!,
        setDateValue: null,
        source: 'radio',
      });
    }
  }
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await Reading.bulkCreate(rows.slice(i, i + INSERT_CHUNK), { transaction });
  await db.sequelize.query(
    `UPDATE devices d SET last_reading_value = latest.value, last_reading_at = latest.read_at
       FROM (SELECT DISTINCT ON (r.device_id) r.device_id, r.value, r.read_at FROM readings r
               JOIN devices x ON x.id = r.device_id WHERE x.property_id IN (:propertyIds)
              ORDER BY r.device_id, r.read_at DESC) latest
      WHERE d.id = latest.device_id`,
    { replacements: { propertyIds }, transaction },
  );
  return { readings: rows.length };
}

/**
 * The demo tenant moved into her flat on 16 March 2025; before her, Thomas Wagner lived there.
 */
async function moveDemoTenantIn(db: Db, organisationId: number, transaction: Transaction): Promise<void> {
  const { Tenancy, User } = db.models;
  const tenant = await User.findOne({ where: { organisationId, role: 'tenant' }, order: [['id', 'ASC']], transaction });
  const tenancy = tenant && (await Tenancy.findOne({ where: { userId: tenant.id }, transaction }));
  if (!tenancy) return;
  await tenancy.update({ startsOn: DEMO_TENANT_MOVED_IN }, { transaction });
  await Tenancy.create(
    { unitId: tenancy.unitId, userId: null, ...PREVIOUS_TENANT, endsOn: addDays(DEMO_TENANT_MOVED_IN, -1) },
    { transaction },
  );
}
