// A small portfolio with two years of monthly radio readings for the monthly information tests:
// a tenant's flat whose October 2026 is 12 % above both September and October 2025, three
// comparable flats, a flat whose allocator missed the end of October (substitute value), a vacant
// flat, a flat whose tenant changed mid-October and whose cold water meter is not remotely
// readable, and a second property.
import type { Db, Device, Property, Unit, User } from '../../db';
import { createMonthlyObligation } from '../../server/monthly-obligation';
import { createMailer } from '../../server/mail';
import { addMonthsTo, monthStartInstant, monthsEnding, type YearMonth } from '../../domain/monthly';
import { createDeviceFixture, createOrgFixture, uniqueSuffix, type OrgFixture } from './fixtures';

export const FIXTURE_MONTH: YearMonth = '2026-10';
/** kWh per allocator unit set for the first property (hot water: 2.5 × 50 K = 125 kWh per m³). */
export const FIXTURE_HKV_FACTOR = 5;

export type FixtureUnitKey = 'own' | 'peerA' | 'peerB' | 'peerC' | 'gap' | 'vacant' | 'moved';

export interface MonthlyFixture extends OrgFixture {
  units: Record<FixtureUnitKey, Unit>;
  devices: Record<FixtureUnitKey, Device[]>;
  secondProperty: Property;
  secondUnits: Unit[];
  /** The allocator of the `gap` flat, without a reading at the end of the month. */
  gapDevice: Device;
}

/** Boundaries of the 26 months up to and including the one after FIXTURE_MONTH. */
const READ_MONTHS = monthsEnding(addMonthsTo(FIXTURE_MONTH, 1), 26);

/** Monthly radio readings of a device, 06:00 German time on each 1st, from cumulative consumptions. */
export async function seedMonthlyReadings(
  db: Db,
  device: Device,
  usedIn: (month: YearMonth) => number,
  options: { skip?: YearMonth[] } = {},
): Promise<void> {
  let value = 100;
  const rows = READ_MONTHS.map((month, i) => {
    if (i > 0) value += usedIn(READ_MONTHS[i - 1]!);
    return { month, value: Math.round(value * 1000) / 1000 };
  }).filter(({ month }) => !options.skip?.includes(month));
  await db.models.Reading.bulkCreate(
    rows.map(({ month, value }) => ({
      deviceId: device.id,
      readAt: new Date(monthStartInstant(month).getTime() + 6 * 3_600_000),
      value,
      unit: device.type === 'HKV' ? 'Einheiten' : device.type === 'WMZ' ? 'kWh' : 'm³',
      setDateValue: null,
      source: 'radio' as const,
    })),
  );
}

async function flat(
  db: Db,
  property: Property,
  label: string,
  areaM2: number,
  allocatorUnits: (month: YearMonth) => number,
  options: { remoteReadable?: boolean; skip?: YearMonth[] } = {},
) {
  const unit = await db.models.Unit.create({ propertyId: property.id, label, floor: '1. OG', areaM2 });
  return { unit, devices: await equip(db, property, unit, allocatorUnits, options) };
}

/** Two allocators, a hot and a cold water meter, all installed before the readings start. */
async function equip(
  db: Db,
  property: Property,
  unit: Unit,
  allocatorUnits: (month: YearMonth) => number,
  options: { remoteReadable?: boolean; skip?: YearMonth[] } = {},
): Promise<Device[]> {
  const suffix = uniqueSuffix();
  const place = { property, unit };
  const devices = [
    await createDeviceFixture(db, place, { type: 'HKV', serial: `HKV-M-${suffix}-1`, installedAt: '2020-01-01', location: 'Wohnzimmer' }),
    await createDeviceFixture(db, place, { type: 'HKV', serial: `HKV-M-${suffix}-2`, installedAt: '2020-01-01', location: 'Schlafzimmer' }),
    await createDeviceFixture(db, place, { type: 'WZ-W', serial: `WZ-W-M-${suffix}`, installedAt: '2020-01-01' }),
    await createDeviceFixture(db, place, {
      type: 'WZ-K',
      serial: `WZ-K-M-${suffix}`,
      installedAt: '2020-01-01',
      remoteReadable: options.remoteReadable ?? true,
    }),
  ];
  await seedMonthlyReadings(db, devices[0]!, allocatorUnits, { skip: options.skip });
  await seedMonthlyReadings(db, devices[1]!, allocatorUnits);
  await seedMonthlyReadings(db, devices[2]!, () => 0.4);
  await seedMonthlyReadings(db, devices[3]!, () => 0.9);
  return devices;
}

/**
 * The portfolio. `tenant` (a user of the organisation) rents the `own` flat since 2020, `neighbour`
 * the flat `peerA`; the other tenants have no portal account.
 */
export async function createMonthlyFixture(
  db: Db,
  options: { tenant?: User; neighbour?: User; org?: OrgFixture } = {},
): Promise<MonthlyFixture> {
  const org = options.org ?? (await createOrgFixture(db));
  const { Tenancy, Property, MonthlyPropertySetting } = db.models;
  await MonthlyPropertySetting.create({
    propertyId: org.property.id,
    hkvKwhPerUnit: FIXTURE_HKV_FACTOR,
    hotWaterTempC: 60,
    districtHeating: false,
    updatedBy: null,
  });
  // 20 + 20 allocator units a month (200 kWh) and 50 kWh hot water; October 2026: 23 + 23 → 280 kWh.
  const ownUnits = (month: YearMonth) => (month === FIXTURE_MONTH ? 23 : 20);
  const own = { unit: org.unit, devices: await equip(db, org.property, org.unit, ownUnits) };
  const peerA = await flat(db, org.property, 'Whg. 1.04', 60, () => 18);
  const peerB = await flat(db, org.property, 'Whg. 2.03', 62, () => 18);
  const peerC = await flat(db, org.property, 'Whg. 2.04', 68, () => 18);
  const gap = await flat(db, org.property, 'Whg. 3.03', 66, () => 19, { skip: [addMonthsTo(FIXTURE_MONTH, 1)] });
  const vacant = await flat(db, org.property, 'Whg. 0.01', 45, () => 12);
  const moved = await flat(db, org.property, 'Whg. 3.04', 90, () => 25, { remoteReadable: false });

  await Tenancy.bulkCreate([
    {
      unitId: own.unit.id,
      userId: options.tenant?.id ?? null,
      tenantName: options.tenant?.name ?? 'Julia Becker',
      startsOn: '2020-01-01',
      endsOn: null,
    },
    ...[peerA, peerB, peerC, gap].map(({ unit }) => ({
      unitId: unit.id,
      userId: unit === peerA.unit ? (options.neighbour?.id ?? null) : null,
      tenantName: `Mieter ${unit.label}`,
      startsOn: '2019-05-01',
      endsOn: null,
    })),
    { unitId: moved.unit.id, userId: null, tenantName: 'Vormieter', startsOn: '2018-01-01', endsOn: '2026-10-14' },
    { unitId: moved.unit.id, userId: null, tenantName: 'Nachmieter', startsOn: '2026-10-15', endsOn: null },
  ]);

  const secondProperty = await Property.create({
    organisationId: org.organisation.id,
    name: `Zweitstraße ${uniqueSuffix()}`,
    street: 'Zweitstraße 1',
    postalCode: '10117',
    city: 'Berlin',
    ownerId: null,
    technicianId: null,
  });
  const second = [await flat(db, secondProperty, 'Whg. 1', 70, () => 21), await flat(db, secondProperty, 'Whg. 2', 72, () => 22)];
  await Tenancy.bulkCreate(
    second.map(({ unit }) => ({ unitId: unit.id, userId: null, tenantName: `Mieter ${unit.label}`, startsOn: '2015-01-01', endsOn: null })),
  );

  const entries = { own, peerA, peerB, peerC, gap, vacant, moved };
  return {
    ...org,
    units: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, v.unit])) as Record<FixtureUnitKey, Unit>,
    devices: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, v.devices])) as Record<FixtureUnitKey, Device[]>,
    secondProperty,
    secondUnits: second.map((s) => s.unit),
    gapDevice: gap.devices[0]!,
  };
}

/**
 * Publishes the fixture month by calling the activities in the order the workflows do, without
 * Temporal: for tests of the pages, which need published information but no worker.
 */
export async function publishFixtureMonth(db: Db, fixture: MonthlyFixture): Promise<void> {
  const activities = createMonthlyObligation({ db, mailer: createMailer({ db, from: 'test@klarmeter.local' }) });
  const { runId, properties } = await activities.startMonthlyRun({
    workflowId: `monthly-fixture-${uniqueSuffix()}`,
    month: FIXTURE_MONTH,
    organisationIds: [fixture.organisation.id],
  });
  for (const { propertyId } of properties) await activities.processMonthlyBatch({ runId, month: FIXTURE_MONTH, propertyId });
  await activities.finishMonthlyRun({ runId, status: 'completed', summary: {} });
}
