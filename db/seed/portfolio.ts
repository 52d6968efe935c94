// Generates properties, units, tenancies and devices with realistic German data and deadlines
// spread over all three traffic-light colours. Used by the demo seed and by `seed --units N`.
import type { Transaction } from 'sequelize';
import { addDays, addMonths } from '../../domain/dates';
import { deadlineOf, lightAt, type DeviceFacts, type DeviceType } from '../../domain/deadlines';
import type { Db } from '../index';
import type { CreationAttributes } from 'sequelize';
import type { Device } from '../models/device';
import type { Random } from './random';

export interface PropertySpec {
  name: string;
  street: string;
  postalCode: string;
  city: string;
  federalState: string;
  units: number;
  ownerId?: number | null;
  technicianId?: number | null;
}

/** Rooms of a flat and which of them carry a radiator (HKV) or a smoke alarm (RWM, DIN 14676). */
const ROOMS: ReadonlyArray<{ name: string; radiator: boolean; smokeAlarm: boolean }> = [
  { name: 'Wohnzimmer', radiator: true, smokeAlarm: false },
  { name: 'Schlafzimmer', radiator: true, smokeAlarm: true },
  { name: 'Küche', radiator: true, smokeAlarm: false },
  { name: 'Bad', radiator: true, smokeAlarm: false },
  { name: 'Flur', radiator: false, smokeAlarm: true },
  { name: 'Kinderzimmer', radiator: true, smokeAlarm: true },
];

/** `full`: a device per radiator and room as in the brochure; `compact`: about five per unit, for benchmarks. */
export type DeviceProfile = 'full' | 'compact';

const FIRST_NAMES = [
  'Anna',
  'Jonas',
  'Marie',
  'Lukas',
  'Sophie',
  'Felix',
  'Laura',
  'Paul',
  'Lena',
  'Max',
  'Emma',
  'Ben',
  'Mia',
  'Elias',
  'Hannah',
  'Noah',
  'Lea',
  'Leon',
  'Clara',
  'Tim',
];
const LAST_NAMES = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Schulz',
  'Hoffmann',
  'Koch',
  'Bauer',
  'Richter',
  'Klein',
  'Wolf',
  'Schröder',
  'Neumann',
  'Schwarz',
  'Zimmermann',
  'Braun',
  'Krüger',
  'Hofmann',
  'Hartmann',
  'Lange',
];

export interface SerialCounter {
  next(type: DeviceType, year: number): string;
}

/** Serials like WZ-2021-01887: type prefix (both water meters are WZ), year, running number. */
export function serialCounter(taken: ReadonlySet<string> = new Set()): SerialCounter {
  const counters = new Map<string, number>();
  return {
    next(type, year) {
      const prefix = type.startsWith('WZ') ? 'WZ' : type;
      const key = `${prefix}-${year}`;
      for (;;) {
        const n = (counters.get(key) ?? 0) + 1;
        counters.set(key, n);
        const serial = `${key}-${String(n).padStart(5, '0')}`;
        if (!taken.has(serial)) return serial;
      }
    },
  };
}

type DeviceRow = CreationAttributes<Device>;

/** How many in a thousand generated devices are green, yellow (deadline within three months) and red. */
export type LightWeights = ReadonlyArray<readonly ['green' | 'yellow' | 'red', number]>;

/** A portfolio under load (the benchmarks): enough yellow and red for every list to have work. */
export const BUSY_LIGHTS: LightWeights = [
  ['green', 800],
  ['yellow', 120],
  ['red', 80],
];

/**
 * Facts of one generated device. The weights put most devices in the green, some within three
 * months of their deadline (yellow) and a few past it or silent (red).
 */
function deviceFacts(
  type: DeviceType,
  today: string,
  random: Random,
  lights: LightWeights,
): Omit<DeviceRow, 'propertyId' | 'unitId' | 'serial' | 'location'> {
  const year = Number(today.slice(0, 4));
  const state = random.weighted(lights);
  const monthDay = `-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
  let installedAt: string;
  let calibratedYear: number | null = null;
  let lastInspectionAt: string | null = null;
  switch (type) {
    case 'HKV': {
      const age = state === 'green' ? random.int(0, 8) : state === 'yellow' ? 10 : 11;
      installedAt = state === 'yellow' ? addMonths(addDays(today, random.int(5, 80)), -120) : `${year - age}${monthDay}`;
      break;
    }
    case 'RWM': {
      installedAt = `${year - random.int(1, 9)}${monthDay}`;
      const monthsAgo = state === 'green' ? random.int(0, 10) : state === 'yellow' ? random.int(12, 14) : random.int(16, 20);
      lastInspectionAt = addDays(addMonths(today, -monthsAgo), -random.int(0, 20));
      if (lastInspectionAt < installedAt) installedAt = addMonths(lastInspectionAt, -12);
      break;
    }
    default: {
      const validity = type === 'GZ' ? 8 : 6;
      // Expiry 31.12.: this year's end is yellow from October on; last year's is red.
      const expiresIn = state === 'green' ? random.int(1, validity - 1) : state === 'yellow' ? 0 : -1;
      calibratedYear = year + expiresIn - validity;
      installedAt = `${calibratedYear}${monthDay}`;
    }
  }
  const silent = state === 'red' && random.next() < 0.25;
  const batteryPercent =
    type === 'HKV' || type === 'RWM' ? (state === 'yellow' && random.next() < 0.3 ? random.int(8, 25) : random.int(40, 100)) : null;
  const lastReadingAt = silent ? addDays(today, -random.int(35, 90)) : addDays(today, -random.int(0, 2));
  const facts: DeviceFacts = { type, installedAt, calibratedYear, lastInspectionAt, batteryPercent, lastReadingAt };
  const deadline = deadlineOf(facts);
  return {
    type,
    installedAt,
    calibratedYear,
    lastInspectionAt,
    batteryPercent,
    radioStatus: silent ? 'offline' : random.next() < 0.05 ? 'weak' : 'ok',
    lastReadingAt: new Date(`${lastReadingAt}T06:00:00Z`),
    lastReadingValue: Math.round(random.next() * 500_000) / 1000,
    predecessorId: null,
    deadlineKind: deadline.kind,
    dueAt: deadline.dueAt,
    light: lightAt(facts, today),
  };
}

function unitDeviceTypes(profile: DeviceProfile, random: Random): Array<{ type: DeviceType; location: string }> {
  const rooms =
    profile === 'full' ? ROOMS.slice(0, random.int(5, 6)) : ROOMS.filter((r) => r.name === 'Wohnzimmer' || r.name === 'Schlafzimmer');
  const devices: Array<{ type: DeviceType; location: string }> = [];
  for (const room of rooms) if (room.radiator) devices.push({ type: 'HKV', location: room.name });
  devices.push({ type: 'WZ-K', location: 'Bad' }, { type: 'WZ-W', location: 'Bad' });
  for (const room of rooms) if (room.smokeAlarm) devices.push({ type: 'RWM', location: room.name });
  return devices;
}

export interface SeededProperty {
  propertyId: number;
  unitIds: number[];
}

/** Inserts one property with its units, tenancies and devices in the given transaction. */
export async function seedProperty(
  db: Db,
  organisationId: number,
  spec: PropertySpec,
  opts: { today: string; random: Random; serials: SerialCounter; profile: DeviceProfile; transaction: Transaction; lights?: LightWeights },
): Promise<SeededProperty> {
  const { Property, Unit, Tenancy, Device } = db.models;
  const { random, transaction, today } = opts;
  const property = await Property.create(
    {
      organisationId,
      name: spec.name,
      street: spec.street,
      postalCode: spec.postalCode,
      city: spec.city,
      federalState: spec.federalState,
      ownerId: spec.ownerId ?? null,
      technicianId: spec.technicianId ?? null,
    },
    { transaction },
  );
  const perFloor = spec.units <= 24 ? 4 : 8;
  const units = await Unit.bulkCreate(
    Array.from({ length: spec.units }, (_, i) => {
      const floor = Math.floor(i / perFloor);
      return {
        propertyId: property.id,
        label: `Whg. ${floor}.${String((i % perFloor) + 1).padStart(2, '0')}`,
        floor: floor === 0 ? 'EG' : `${floor}. OG`,
        areaM2: random.int(38, 118) + random.int(0, 9) / 10,
      };
    }),
    { transaction, returning: true },
  );
  await Tenancy.bulkCreate(
    units.map((unit) => ({
      unitId: unit.id,
      userId: null,
      tenantName: `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`,
      startsOn: addMonths(today, -random.int(3, 160)),
      endsOn: null,
    })),
    { transaction },
  );
  const rows: DeviceRow[] = [];
  for (const unit of units) {
    for (const { type, location } of unitDeviceTypes(opts.profile, random)) {
      const facts = deviceFacts(type, today, random, opts.lights ?? BUSY_LIGHTS);
      rows.push({
        ...facts,
        propertyId: property.id,
        unitId: unit.id,
        location,
        serial: opts.serials.next(type, Number(facts.installedAt.slice(0, 4))),
      });
    }
  }
  const building = deviceFacts('WMZ', today, random, opts.lights ?? BUSY_LIGHTS);
  rows.push({
    ...building,
    propertyId: property.id,
    unitId: null,
    location: 'Heizungsraum',
    serial: opts.serials.next('WMZ', Number(building.installedAt.slice(0, 4))),
  });
  for (let i = 0; i < rows.length; i += 2000) await Device.bulkCreate(rows.slice(i, i + 2000), { transaction });
  return { propertyId: property.id, unitIds: units.map((u) => u.id) };
}
