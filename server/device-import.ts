// The device import (/geraete/import): a manager's CSV file of devices, all or nothing. Properties
// and units are looked up in the manager's organisation only; serials already in the register (of
// any organisation: they are unique) are refused by line. The devices, the audit entry and each
// device's workflow start are written in one transaction through the outbox — a device never exists
// without its deadline workflow — and the starts are delivered right after the commit, or by the
// relay once Temporal answers.
import type { Client } from '@temporalio/client';
import { QueryTypes, UniqueConstraintError } from 'sequelize';
import type { Db } from '../db';
import { appendAudit } from '../db/audit';
import { calendarDate } from '../domain/calendar';
import { isCalibratedType } from '../domain/deadlines';
import { DEVICE_IMPORT_FIELDS, parseDevicesCsv, serialKey, type DeviceImportRow } from '../domain/devices-csv';
import type { RowError } from '../domain/readings-csv';
import { db as sharedDb } from './db';
import { deviceWorkflowStartOnce, loadDeviceWorkflowStarts } from './device-obligation';
import { deliverNow, enqueueWorkflowStart } from './outbox';
import type { SessionUser } from './session';
import { temporalSettings } from './temporal';

export interface DeviceImportReport {
  /** True: every device was stored; false: nothing was. */
  applied: boolean;
  /** Data rows in the file. */
  rows: number;
  inserted: number;
  /** Meters among them whose calibration year is not known (flagged in the register). */
  calibrationYearUnknown: number;
  errors: RowError[];
  /** Devices whose workflow start waits in the outbox (Temporal did not answer in time). */
  workflowsPending: number;
}

export interface DeviceImportOptions {
  db?: Db;
  /** Tests point these elsewhere; by default the configured client and task queue. */
  client?: Client;
  taskQueue?: string;
  /** Berlin calendar date the installation dates are checked against. */
  today?: string;
}

const refused = (rows: number, errors: RowError[]): DeviceImportReport => ({
  applied: false,
  rows,
  inserted: 0,
  calibrationYearUnknown: 0,
  errors,
  workflowsPending: 0,
});

/** Each row's property and unit within the organisation, or the errors naming line and field. */
async function resolvePlaces(
  database: Db,
  organisationId: number,
  rows: readonly DeviceImportRow[],
): Promise<{ places: Map<DeviceImportRow, { propertyId: number; unitId: number | null }>; errors: RowError[] }> {
  const places = await database.sequelize.query<{
    propertyId: number;
    propertyName: string;
    unitId: number | null;
    unitLabel: string | null;
  }>(
    `SELECT p.id AS "propertyId", p.name AS "propertyName", u.id AS "unitId", u.label AS "unitLabel"
       FROM properties p LEFT JOIN units u ON u.property_id = p.id
      WHERE p.organisation_id = $1 AND lower(p.name) = ANY($2::text[])`,
    { bind: [organisationId, [...new Set(rows.map((row) => row.propertyName.toLowerCase()))]], type: QueryTypes.SELECT },
  );
  const propertiesByName = new Map<string, Set<number>>();
  const unitsByProperty = new Map<number, Map<string, number[]>>();
  for (const place of places) {
    const name = place.propertyName.toLowerCase();
    propertiesByName.set(name, (propertiesByName.get(name) ?? new Set()).add(place.propertyId));
    const units = unitsByProperty.get(place.propertyId) ?? new Map<string, number[]>();
    unitsByProperty.set(place.propertyId, units);
    if (place.unitId !== null && place.unitLabel !== null) {
      const label = place.unitLabel.toLowerCase();
      units.set(label, [...(units.get(label) ?? []), place.unitId]);
    }
  }
  const resolved = new Map<DeviceImportRow, { propertyId: number; unitId: number | null }>();
  const errors: RowError[] = [];
  for (const row of rows) {
    const fail = (field: keyof typeof DEVICE_IMPORT_FIELDS, message: string) =>
      errors.push({ line: row.line, field: DEVICE_IMPORT_FIELDS[field], message });
    const properties = [...(propertiesByName.get(row.propertyName.toLowerCase()) ?? [])];
    const [propertyId] = properties;
    if (propertyId === undefined) {
      fail('property', `„${row.propertyName}“ ist keine Liegenschaft Ihrer Organisation`);
      continue;
    }
    if (properties.length > 1) {
      fail('property', `„${row.propertyName}“ ist nicht eindeutig: ${properties.length} Liegenschaften heißen so`);
      continue;
    }
    if (row.unitLabel === null) {
      resolved.set(row, { propertyId, unitId: null });
      continue;
    }
    const units = unitsByProperty.get(propertyId)?.get(row.unitLabel.toLowerCase()) ?? [];
    const [unitId] = units;
    if (unitId === undefined) fail('unit', `„${row.unitLabel}“ ist keine Wohneinheit von „${row.propertyName}“`);
    else if (units.length > 1) fail('unit', `„${row.unitLabel}“ ist in „${row.propertyName}“ nicht eindeutig`);
    else resolved.set(row, { propertyId, unitId });
  }
  return { places: resolved, errors };
}

/** Rows whose serial is in the register already, as errors. */
async function takenSerials(database: Db, rows: readonly DeviceImportRow[]): Promise<RowError[]> {
  if (rows.length === 0) return [];
  const taken = await database.sequelize.query<{ key: string }>(
    'SELECT upper(serial) AS key FROM devices WHERE upper(serial) = ANY($1::text[])',
    { bind: [rows.map((row) => serialKey(row.serial))], type: QueryTypes.SELECT },
  );
  const keys = new Set(taken.map((t) => t.key));
  return rows
    .filter((row) => keys.has(serialKey(row.serial)))
    .map((row) => ({ line: row.line, field: DEVICE_IMPORT_FIELDS.serial, message: `„${row.serial}“ ist bereits vergeben` }));
}

const byLine = (a: RowError, b: RowError) => a.line - b.line;

/** Checks the whole file, then stores all its devices with their workflows' starts, or nothing. */
export async function importDevicesFile(
  user: SessionUser,
  file: { text: string; name: string },
  ip: string | null,
  options: DeviceImportOptions = {},
): Promise<DeviceImportReport> {
  const database = options.db ?? sharedDb();
  const parsed = parseDevicesCsv(file.text, options.today ?? calendarDate(new Date()));
  const { places, errors: placeErrors } = await resolvePlaces(database, user.organisationId, parsed.rows);
  const errors = [...parsed.errors, ...placeErrors, ...(await takenSerials(database, parsed.rows))].sort(byLine);
  if (errors.length > 0) return refused(parsed.total, errors);

  // Read at call time, not import time: the queue is configuration, and tests point it elsewhere.
  const taskQueue = options.taskQueue ?? temporalSettings().taskQueue;
  let stored;
  try {
    stored = await database.sequelize.transaction(async (transaction) => {
      const devices = await database.models.Device.bulkCreate(
        parsed.rows.map((row) => ({
          ...places.get(row)!,
          type: row.type,
          serial: row.serial,
          location: row.location,
          installedAt: row.installedAt,
          calibratedYear: row.calibratedYear,
          lastInspectionAt: null,
          // Unknown until the device first reports by radio.
          batteryPercent: null,
          lastReadingAt: null,
          lastReadingValue: null,
          predecessorId: null,
        })),
        { transaction, returning: true },
      );
      await appendAudit(
        database,
        {
          organisationId: user.organisationId,
          actorId: user.id,
          actor: user.email,
          action: 'devices.imported',
          entity: 'device',
          ip,
          details: { fileName: file.name, rows: parsed.total, deviceIds: devices.map((d) => d.id) },
        },
        transaction,
      );
      // The same start a replaced device's workflow gives its successor, written with the rows.
      const starts = await loadDeviceWorkflowStarts(
        database,
        devices.map((d) => d.id),
        transaction,
      );
      const entries = [];
      for (const start of starts) entries.push(await enqueueWorkflowStart(transaction, deviceWorkflowStartOnce(start, taskQueue)));
      return { devices, entries };
    });
  } catch (error) {
    // Another import or an exchange took a serial between the check and the insert.
    if (error instanceof UniqueConstraintError) return refused(parsed.total, await takenSerials(database, parsed.rows));
    throw error;
  }
  const delivered = await deliverNow(stored.entries, { db: database, client: options.client });
  const pending = stored.entries.filter((entry) => delivered.get(entry.id)?.status !== 'sent').length;
  if (pending > 0) console.warn(`[device import] ${pending} device workflows start once the outbox relay reaches Temporal`);
  return {
    applied: true,
    rows: parsed.total,
    inserted: stored.devices.length,
    calibrationYearUnknown: parsed.rows.filter((row) => row.calibratedYear === null && isCalibratedType(row.type)).length,
    errors: [],
    workflowsPending: pending,
  };
}
