// Rows for tests that share one database: every call makes its own organisation, users, property,
// unit and devices with unique names, so tests and files never see each other's data.
import type { CreationAttributes } from 'sequelize';
import type { Db, Device, Organisation, Property, Unit, User } from '../../db';
import type { Role } from '../../domain/roles';
import type { SessionUser } from '../../server/session';

let counter = 0;

/** Unique within the test run (process, time and a counter): for names, e-mails, serials and task queues. */
export function uniqueSuffix(): string {
  counter += 1;
  return `${process.pid.toString(36)}${Date.now().toString(36)}${counter.toString(36)}`;
}

/** Never logs anyone in: fixtures that need a real password hash make their own. */
const NO_PASSWORD = 'fixture-without-password';

export interface OrgFixture {
  organisation: Organisation;
  managers: [User, ...User[]];
  owner: User;
  property: Property;
  unit: Unit;
}

export async function createUserFixture(db: Db, organisationId: number, role: Role, name = role): Promise<User> {
  const suffix = uniqueSuffix();
  return db.models.User.create({
    organisationId,
    role,
    name: `${name} ${suffix}`,
    email: `${role}-${suffix}@test.klarmeter.de`,
    passwordHash: NO_PASSWORD,
  });
}

/** An organisation with `managers` managers (default 1), an owner, one property owned by them and one unit. */
export async function createOrgFixture(
  db: Db,
  options: { managers?: number; reminderDays?: number[]; hkvLifetimeYears?: number } = {},
): Promise<OrgFixture> {
  const suffix = uniqueSuffix();
  const { Organisation, Property, Unit } = db.models;
  const organisation = await Organisation.create({
    name: `Hausverwaltung ${suffix}`,
    ...(options.reminderDays ? { reminderDays: options.reminderDays } : {}),
    ...(options.hkvLifetimeYears ? { hkvLifetimeYears: options.hkvLifetimeYears } : {}),
  });
  const managers: [User, ...User[]] = [await createUserFixture(db, organisation.id, 'manager')];
  for (let i = 1; i < (options.managers ?? 1); i++) managers.push(await createUserFixture(db, organisation.id, 'manager'));
  const owner = await createUserFixture(db, organisation.id, 'owner');
  const property = await Property.create({
    organisationId: organisation.id,
    name: `Teststraße ${suffix}`,
    street: `Teststraße ${suffix}`,
    postalCode: '10115',
    city: 'Berlin',
    ownerId: owner.id,
    technicianId: null,
  });
  const unit = await Unit.create({ propertyId: property.id, label: 'Whg. 1.03', floor: '1. OG', areaM2: 64.5 });
  return { organisation, managers, owner, property, unit };
}

/**
 * A device in the fixture's unit. Defaults: a cold-water meter calibrated this year, so its
 * deadline is years ahead (green); override any column.
 */
export async function createDeviceFixture(
  db: Db,
  place: { property: Property; unit?: Unit | null },
  attributes: Partial<CreationAttributes<Device>> = {},
): Promise<Device> {
  const year = new Date().getUTCFullYear();
  return db.models.Device.create({
    propertyId: place.property.id,
    unitId: place.unit?.id ?? null,
    type: 'WZ-K',
    serial: `WZ-${year}-${uniqueSuffix()}`,
    location: 'Bad',
    installedAt: `${year}-01-02`,
    calibratedYear: year,
    lastInspectionAt: null,
    batteryPercent: null,
    lastReadingAt: null,
    lastReadingValue: null,
    predecessorId: null,
    ...attributes,
  });
}

/** The signed-in user a server function receives, for a fixture's user. */
export function sessionUserOf(user: User): SessionUser {
  return {
    id: user.id,
    organisationId: user.organisationId,
    organisationName: 'Test',
    email: user.email,
    name: user.name,
    role: user.role,
  };
}
