// A small house for statement tests: four flats with a heat cost allocator and two water meters each,
// readings at the start and end of 2025, a change of tenant with an intermediate reading (A), a
// missing end reading (B: substitute value), and a change of tenant without one (D: split by days).
import type { Db, Property, Unit, User } from '../../db';
import type { StatementRequest } from '../../domain/billing/statement';
import { EXAMPLE_PERIOD as PERIOD, exampleStatementRequest } from '../../domain/billing/example-request';
import type { DeviceType } from '../../domain/deadlines';
import { createDeviceFixture, createOrgFixture, uniqueSuffix, type OrgFixture } from './fixtures';

export { PERIOD };
export const CHANGE_A = '2025-03-16';
export const CHANGE_D = '2025-07-01';

/** Meter values per device type: period start, [intermediate at the change,] period end (null: missing). */
type Values = Partial<Record<DeviceType, { start: number; change?: number; end: number | null }>>;

const UNITS: ReadonlyArray<{ key: 'a' | 'b' | 'c' | 'd'; label: string; areaM2: number; values: Values }> = [
  {
    key: 'a',
    label: 'Whg. 1.03',
    areaM2: 64.5,
    values: {
      HKV: { start: 100, change: 400, end: 1100 },
      'WZ-W': { start: 10, change: 14, end: 30 },
      'WZ-K': { start: 50, change: 55, end: 80 },
    },
  },
  {
    key: 'b',
    label: 'Whg. 1.04',
    areaM2: 40,
    values: { HKV: { start: 0, end: null }, 'WZ-W': { start: 0, end: 10 }, 'WZ-K': { start: 0, end: 20 } },
  },
  {
    key: 'c',
    label: 'Whg. 2.01',
    areaM2: 60,
    values: { HKV: { start: 500, end: 2000 }, 'WZ-W': { start: 0, end: 10 }, 'WZ-K': { start: 0, end: 25 } },
  },
  {
    key: 'd',
    label: 'Whg. 2.02',
    areaM2: 70,
    values: { HKV: { start: 0, end: 2000 }, 'WZ-W': { start: 0, end: 20 }, 'WZ-K': { start: 0, end: 40 } },
  },
];

export type UnitKey = (typeof UNITS)[number]['key'];

export interface BillingProperty {
  property: Property;
  units: Record<UnitKey, Unit>;
}

export interface StatementFixture extends BillingProperty {
  org: OrgFixture;
  request: StatementRequest;
}

const at = (day: string) => new Date(`${day}T04:00:00Z`);

/**
 * Adds the fixture house to an organisation. Tenancies: A had `previousTenantName` until 15 March
 * and `tenantA` since 16 March; C is `tenantC`'s throughout; D changed on 1 July without a reading.
 */
export async function addBillingProperty(
  database: Db,
  organisationId: number,
  options: { ownerId: number | null; tenantA?: User | null; tenantC?: User | null },
): Promise<BillingProperty> {
  const { Property: PropertyModel, Unit: UnitModel, Tenancy, Reading } = database.models;
  const suffix = uniqueSuffix();
  const property = await PropertyModel.create({
    organisationId,
    name: `Abrechnungsweg ${suffix}`,
    street: `Abrechnungsweg ${suffix}`,
    postalCode: '10115',
    city: 'Berlin',
    ownerId: options.ownerId,
    technicianId: null,
  });
  const units = {} as Record<UnitKey, Unit>;
  for (const spec of UNITS) {
    const unit = await UnitModel.create({ propertyId: property.id, label: spec.label, floor: null, areaM2: spec.areaM2 });
    units[spec.key] = unit;
    for (const [type, values] of Object.entries(spec.values) as [DeviceType, NonNullable<Values[DeviceType]>][]) {
      const device = await createDeviceFixture(
        database,
        { property, unit },
        { type, serial: `${type}-${suffix}-${spec.key}`, installedAt: '2020-01-01', calibratedYear: 2020 },
      );
      const unitName = type === 'HKV' ? 'Einheiten' : 'm³';
      const rows = [{ deviceId: device.id, readAt: at(PERIOD.start), value: values.start, unit: unitName, setDateValue: null }];
      if (values.change !== undefined)
        rows.push({ deviceId: device.id, readAt: at(CHANGE_A), value: values.change, unit: unitName, setDateValue: null });
      if (values.end !== null)
        rows.push({ deviceId: device.id, readAt: at('2026-01-01'), value: values.end, unit: unitName, setDateValue: null });
      await Reading.bulkCreate(rows);
    }
  }
  await Tenancy.bulkCreate([
    { unitId: units.a.id, userId: null, tenantName: 'Paul Altmieter', startsOn: '2019-01-01', endsOn: '2025-03-15' },
    {
      unitId: units.a.id,
      userId: options.tenantA?.id ?? null,
      tenantName: options.tenantA?.name ?? 'Anna Neumieter',
      startsOn: CHANGE_A,
      endsOn: null,
    },
    { unitId: units.b.id, userId: null, tenantName: 'Bernd Bauer', startsOn: '2015-05-01', endsOn: null },
    {
      unitId: units.c.id,
      userId: options.tenantC?.id ?? null,
      tenantName: options.tenantC?.name ?? 'Clara Claus',
      startsOn: '2020-01-01',
      endsOn: null,
    },
    { unitId: units.d.id, userId: null, tenantName: 'Dora Dorn', startsOn: '2018-01-01', endsOn: '2025-06-30' },
    { unitId: units.d.id, userId: null, tenantName: 'Emil Ende', startsOn: CHANGE_D, endsOn: null },
  ]);
  return { property, units };
}

/**
 * The fixture house in a new organisation (createOrgFixture), owned by its owner. Pass login users
 * for the tenants of A and C.
 */
export async function createStatementFixture(
  database: Db,
  users: { tenantA?: User | null; tenantC?: User | null } = {},
  org?: OrgFixture,
): Promise<StatementFixture> {
  const base = org ?? (await createOrgFixture(database));
  const house = await addBillingProperty(database, base.organisation.id, { ownerId: base.owner.id, ...users });
  return { org: base, ...house, request: exampleStatementRequest(house.property.id) };
}
