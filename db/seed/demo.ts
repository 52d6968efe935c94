// The demo portfolio from the product brochure, seeded into an empty database by `npm start`.
import { hash } from '@node-rs/argon2';
import { deadlineOf, lightAt, type DeviceFacts } from '../../domain/deadlines';
import type { Db } from '../index';
import type { Role } from '../../domain/roles';
import { seededRandom } from './random';
import { seedDemoReadings } from './readings';
import { seedDemoCases } from './cases';
import { seedDemoInvitations } from './invitations';
import { seedProperty, serialCounter, type LightWeights, type PropertySpec } from './portfolio';

export const DEMO_PASSWORD = 'klarmeter-demo';

/** A hash of the demo password with a salt of its own: no two seeded users share one (issue 12). */
export function demoPasswordHash(): Promise<string> {
  return hash(DEMO_PASSWORD);
}

export const DEMO_LOGINS: ReadonlyArray<{ email: string; name: string; role: Role }> = [
  { email: 'verwaltung@klarmeter.de', name: 'Katrin Schneider', role: 'manager' },
  { email: 'eigentuemer@klarmeter.de', name: 'Dr. Hans Albrecht', role: 'owner' },
  { email: 'mieter@klarmeter.de', name: 'Julia Becker', role: 'tenant' },
  { email: 'technik@klarmeter.de', name: 'Murat Yılmaz', role: 'technician' },
  { email: 'pruefung@klarmeter.de', name: 'Sabine Roth', role: 'compliance' },
];

/**
 * A well-run portfolio as in the brochure's table: nearly every device green, a handful yellow
 * (deadline within three months) and red (past it, or silent), besides the brochure's own devices.
 */
const DEMO_LIGHTS: LightWeights = [
  ['green', 985],
  ['yellow', 12],
  ['red', 3],
];

const PROPERTIES: ReadonlyArray<Omit<PropertySpec, 'ownerId' | 'technicianId'> & { owned: boolean }> = [
  { name: 'Musterstraße 12', street: 'Musterstraße 12', postalCode: '10115', city: 'Berlin', federalState: 'BE', units: 48, owned: true },
  { name: 'Lindenweg 5', street: 'Lindenweg 5', postalCode: '14467', city: 'Potsdam', federalState: 'BB', units: 32, owned: true },
  { name: 'Hauptstr. 88', street: 'Hauptstraße 88', postalCode: '04109', city: 'Leipzig', federalState: 'SN', units: 24, owned: false },
  { name: 'Parkring 3', street: 'Parkring 3', postalCode: '20095', city: 'Hamburg', federalState: 'HH', units: 96, owned: false },
  { name: 'Am Markt 17', street: 'Am Markt 17', postalCode: '01067', city: 'Dresden', federalState: 'SN', units: 18, owned: false },
];

/** Devices the brochure names, with facts that give each its light; the first three are in the demo tenant's flat. */
const BROCHURE_DEVICES: ReadonlyArray<{ serial: string; inTenantUnit: boolean; facts: DeviceFacts }> = [
  { serial: 'WZ-2021-01887', inTenantUnit: true, facts: { type: 'WZ-K', installedAt: '2021-06-01', calibratedYear: 2021 } },
  { serial: 'HKV-2023-00412', inTenantUnit: true, facts: { type: 'HKV', installedAt: '2023-03-14', batteryPercent: 86 } },
  {
    serial: 'RWM-2019-00234',
    inTenantUnit: true,
    facts: { type: 'RWM', installedAt: '2019-04-10', lastInspectionAt: '2025-10-15', batteryPercent: 64 },
  },
  { serial: 'HKV-2018-00091', inTenantUnit: false, facts: { type: 'HKV', installedAt: '2018-02-20', batteryPercent: 18 } },
  { serial: 'WZ-2020-00553', inTenantUnit: false, facts: { type: 'WZ-W', installedAt: '2020-05-12', calibratedYear: 2020 } },
  {
    serial: 'RWM-2022-01102',
    inTenantUnit: false,
    facts: { type: 'RWM', installedAt: '2022-08-03', lastInspectionAt: '2025-07-20', batteryPercent: 71 },
  },
  // MessEV §34(2): marked 2020 from stock, installed 2021 → valid until 31.12.2026, not 2027.
  { serial: 'WZ-2020-02214', inTenantUnit: false, facts: { type: 'WZ-K', installedAt: '2021-09-01', calibratedYear: 2020 } },
  // Calibration year not known: the register flags it and asks for it (the deadline is only a latest bound).
  { serial: 'WZ-2022-00710', inTenantUnit: false, facts: { type: 'WZ-W', installedAt: '2022-04-05', calibratedYear: null } },
];

const TENANT_UNIT_INDEX = 10; // Whg. 1.03 of Musterstraße 12

export async function isEmpty(db: Db): Promise<boolean> {
  return (await db.models.Organisation.count()) === 0;
}

/** `publicUrl`: where the portal answers, for the links in the demo's invitation e-mails. */
export async function seedDemo(db: Db, today: string, options: { publicUrl?: string } = {}): Promise<{ organisationId: number }> {
  const { Organisation, User, Tenancy, Device } = db.models;
  const random = seededRandom(20261126);
  const serials = serialCounter(new Set(BROCHURE_DEVICES.map((d) => d.serial)));
  // Hashed before the transaction (argon2 takes a while), one hash and salt per user.
  const passwordHashes = await Promise.all(DEMO_LOGINS.map(() => demoPasswordHash()));
  return db.sequelize.transaction(async (transaction) => {
    const org = await Organisation.create({ name: 'Hausverwaltung Schneider GmbH' }, { transaction });
    const users = new Map<Role, number>();
    for (const [i, login] of DEMO_LOGINS.entries()) {
      const user = await User.create({ ...login, organisationId: org.id, passwordHash: passwordHashes[i]! }, { transaction });
      users.set(login.role, user.id);
    }
    const seeded = [];
    for (const { owned, ...spec } of PROPERTIES) {
      seeded.push(
        await seedProperty(
          db,
          org.id,
          { ...spec, ownerId: owned ? users.get('owner') : null, technicianId: users.get('technician') },
          { today, random, serials, profile: 'full', transaction, lights: DEMO_LIGHTS },
        ),
      );
    }
    const musterstrasse = seeded[0]!;
    const tenantUnitId = musterstrasse.unitIds[TENANT_UNIT_INDEX]!;
    await Tenancy.update({ userId: users.get('tenant'), tenantName: 'Julia Becker' }, { where: { unitId: tenantUnitId }, transaction });

    let otherUnit = 0;
    for (const { serial, inTenantUnit, facts } of BROCHURE_DEVICES) {
      const unitId = inTenantUnit ? tenantUnitId : musterstrasse.unitIds[otherUnit++];
      const device = await Device.findOne({ where: { unitId, type: facts.type }, order: [['id', 'ASC']], transaction });
      if (!device) throw new Error(`demo unit ${unitId} has no ${facts.type}`);
      const deadline = deadlineOf(facts);
      await device.update(
        {
          serial,
          installedAt: facts.installedAt,
          calibratedYear: facts.calibratedYear ?? null,
          lastInspectionAt: facts.lastInspectionAt ?? null,
          batteryPercent: facts.batteryPercent ?? null,
          deadlineKind: deadline.kind,
          dueAt: deadline.dueAt,
          light: lightAt({ ...facts, lastReadingAt: today }, today),
          radioStatus: 'ok',
        },
        { transaction },
      );
    }
    await seedDemoReadings(db, { organisationId: org.id, today, transaction });
    await seedDemoCases(db, { organisationId: org.id, tenantUnitId, passwordHash: demoPasswordHash, transaction });
    await seedDemoInvitations(db, {
      organisationId: org.id,
      unitIds: musterstrasse.unitIds,
      managerId: users.get('manager')!,
      baseUrl: options.publicUrl ?? 'http://localhost:3000',
      transaction,
    });
    return { organisationId: org.id };
  });
}

/** A large portfolio for benchmarks: `units` units in properties of 40–120 units, about five devices each. */
export async function seedLargePortfolio(db: Db, units: number, today: string): Promise<{ organisationId: number; devices: number }> {
  const { Organisation, Property, Device } = db.models;
  const random = seededRandom(units);
  const existing = new Set((await Device.findAll({ attributes: ['serial'], raw: true })).map((d) => d.serial));
  const serials = serialCounter(existing);
  const org = await Organisation.create({ name: `Benchmark Immobilien (${units} Einheiten)` });
  let left = units;
  let n = 0;
  while (left > 0) {
    const size = Math.min(left, random.int(40, 120));
    n += 1;
    await db.sequelize.transaction((transaction) =>
      seedProperty(
        db,
        org.id,
        {
          name: `Benchmark-Liegenschaft ${n}`,
          street: `Teststraße ${n}`,
          postalCode: '10115',
          city: 'Berlin',
          federalState: 'BE',
          units: size,
        },
        { today, random, serials, profile: 'compact', transaction },
      ),
    );
    left -= size;
  }
  const propertyIds = (await Property.findAll({ where: { organisationId: org.id }, attributes: ['id'], raw: true })).map((p) => p.id);
  const devices = await Device.count({ where: { propertyId: propertyIds } });
  return { organisationId: org.id, devices };
}
