// The objects the route × role × object matrix (tests/access) asks for, per kind in three places:
// `in-scope` is in the house every role's scope covers (tenant A's flat of a property the owner
// owns and the technician serves), `outside` is in the same organisation but in a property none of
// them is assigned to and another tenant's flat, `foreign` is in another organisation.
import type { Db, User } from '../../db';
import { saveStatement } from '../../db/statements';
import type { Role } from '../../domain/roles';
import { action as newTicketAction } from '../../app/routes/anliegen.neu';
import { action as newAppointmentAction } from '../../app/routes/termine.neu';
import { createLoginUser, cookieFor, makeRequest, run } from './web';
import { createOrgFixture, createUserFixture } from './fixtures';
import { addBillingProperty, createStatementFixture, type BillingProperty } from './statement-fixtures';
import { exampleStatementRequest } from '../../domain/billing/example-request';
import { uploadArchiveDocument } from '../../server/archive';

export const PLACES = ['in-scope', 'outside', 'foreign'] as const;
export type Place = (typeof PLACES)[number];

export type ObjectKind =
  | 'device'
  | 'property'
  | 'statement'
  | 'statement-unit'
  | 'tenant-statement'
  // One delivery of a statement: the statement and the occupancy it went to.
  | 'statement-recipient'
  | 'ticket'
  // A workflow by its id (the compliance desk's history): the ticket's, which the filing started.
  | 'obligation'
  | 'appointment'
  | 'archived-month'
  | 'tenancy'
  | 'flat'
  | 'archive-document'
  | 'archive-version';

/** What a request names: route params and query, and form fields for actions. */
export interface ObjectRef {
  params: Record<string, string>;
  query?: Record<string, string>;
  form?: Record<string, string>;
}

export interface MatrixFixture {
  users: Record<Role, User>;
  objects: Record<ObjectKind, Record<Place, ObjectRef>>;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** A ticket and an appointment request filed through the tenant's own forms (their workflows start on a queue nobody serves). */
async function fileCases(tenant: User, unitId: number): Promise<{ ticketId: number; appointmentId: number }> {
  const cookie = await cookieFor(tenant);
  const idOf = (outcome: Awaited<ReturnType<typeof run>>) => {
    const location = outcome.kind === 'response' ? outcome.response.headers.get('Location') : null;
    if (!location) throw new Error(`filing failed: ${JSON.stringify(outcome)}`);
    return Number(location.split('/').pop());
  };
  const ticketId = idOf(
    await run(
      newTicketAction,
      makeRequest('/anliegen/neu', { cookie, form: { unitId: String(unitId), topic: 'heating', subject: 'Heizung', body: 'Kalt.' } }),
    ),
  );
  const appointmentId = idOf(
    await run(
      newAppointmentAction,
      makeRequest('/termine/neu', {
        cookie,
        form: { unitId: String(unitId), reason: 'reading', slot1Date: inDays(5), slot1Window: '08-10' },
      }),
    ),
  );
  return { ticketId, appointmentId };
}

async function storedStatement(database: Db, house: BillingProperty, by: User): Promise<number> {
  const saved = await saveStatement(database, exampleStatementRequest(house.property.id), {
    userId: by.id,
    email: by.email,
    organisationId: by.organisationId,
  });
  // Delivered, as a tenant sees it (the lifecycle is not under test here).
  await database.models.Statement.update({ status: 'delivered' }, { where: { id: saved.stored!.id } });
  return saved.stored!.id;
}

export async function createMatrixFixture(database: Db): Promise<MatrixFixture> {
  // Organisation A: the house (in scope of everybody) and a second property (outside).
  const orgA = await createOrgFixture(database);
  const tenant = await createLoginUser(database, orgA.organisation.id, 'tenant');
  const neighbour = await createUserFixture(database, orgA.organisation.id, 'tenant');
  const users: Record<Role, User> = {
    manager: orgA.managers[0]!,
    owner: orgA.owner,
    tenant,
    technician: await createLoginUser(database, orgA.organisation.id, 'technician'),
    compliance: await createLoginUser(database, orgA.organisation.id, 'compliance'),
    operator: await createLoginUser(database, orgA.organisation.id, 'operator'),
  };
  const house = await addBillingProperty(database, orgA.organisation.id, { ownerId: orgA.owner.id, tenantA: tenant });
  await house.property.update({ technicianId: users.technician.id });
  const other = await addBillingProperty(database, orgA.organisation.id, { ownerId: null, tenantA: neighbour });

  // Organisation B: the same again, nobody of A's business.
  const orgB = await createStatementFixture(database);
  const stranger = await createUserFixture(database, orgB.org.organisation.id, 'tenant');
  await database.models.Tenancy.update({ userId: stranger.id }, { where: { unitId: orgB.units.a.id, endsOn: null } });

  const [statementA, statementOther, statementB] = await Promise.all([
    storedStatement(database, house, users.manager),
    storedStatement(database, other, users.manager),
    storedStatement(database, orgB, orgB.org.managers[0]!),
  ]);
  const [casesA, casesOther, casesB] = [
    await fileCases(tenant, house.units.a.id),
    await fileCases(neighbour, other.units.a.id),
    await fileCases(stranger, orgB.units.a.id),
  ];
  const device = async (place: BillingProperty) =>
    String((await database.models.Device.findOne({ where: { unitId: place.units.a.id }, order: [['id', 'ASC']] }))!.id);
  const tenancyOf = async (unitId: number) =>
    String((await database.models.Tenancy.findOne({ where: { unitId, endsOn: null }, order: [['id', 'DESC']] }))!.id);

  // An archived month: tenant A lived in flat B of the house before (tenancy ended), and its
  // information of a month then stays readable; the neighbour's and the stranger's likewise.
  const archived = async (user: User, unitId: number, propertyId: number) => {
    const tenancy = await database.models.Tenancy.create({
      unitId,
      userId: user.id,
      tenantName: user.name,
      startsOn: '2024-01-01',
      endsOn: '2024-12-31',
    });
    const row = await database.models.MonthlyInformation.create({
      month: '2024-11-01',
      unitId,
      propertyId,
      tenancyId: tenancy.id,
      recipientId: user.id,
      delivery: 'portal',
      estimated: false,
      devicesOk: true,
      remoteReadable: true,
      // The page only passes the stored content on; its shape is not under test here.
      content: {} as never,
      contentSha256: '0'.repeat(64),
    });
    return String(row.id);
  };

  // An inspection protocol of the flat (the tenant's own in the house), uploaded by the organisation's manager.
  const proof = async (by: User, propertyId: number, unitId: number) => {
    const outcome = await uploadArchiveDocument(
      { id: by.id, organisationId: by.organisationId, organisationName: '', email: by.email, name: by.name, role: by.role },
      {
        propertyId,
        unitId,
        deviceId: null,
        kind: 'smoke-alarm-protocol',
        title: 'Prüfprotokoll',
        documentDate: '2026-01-15',
        note: null,
        fileName: 'protokoll.pdf',
        content: Buffer.from('%PDF-1.4\n% Prüfprotokoll\n'),
      },
    );
    if (!outcome.ok) throw new Error(`archive upload failed: ${JSON.stringify(outcome.errors)}`);
    return { params: { id: String(outcome.documentId), versionId: String(outcome.versionId) } };
  };
  const [proofA, proofOther, proofB] = [
    await proof(users.manager, house.property.id, house.units.a.id),
    await proof(users.manager, other.property.id, other.units.a.id),
    await proof(orgB.org.managers[0]!, orgB.property.id, orgB.units.a.id),
  ];

  // A delivery to the current tenant of flat A (the lifecycle is not under test here: its row only).
  const recipient = async (statementId: number, unitId: number): Promise<ObjectRef> => {
    const occupancy = await database.models.StatementOccupancy.findOne({
      where: { statementId, unitId },
      order: [['position', 'DESC']],
      rejectOnEmpty: true,
    });
    await database.sequelize.query(
      `INSERT INTO statement_recipients (occupancy_id, statement_id, version, unit_id, tenancy_id, user_id, tenant_name, channel,
              received_on, delivered_at, delivery_deadline, deadline_missed, objection_deadline)
       SELECT o.id, o.statement_id, 1, o.unit_id, o.tenancy_id, t.user_id, coalesce(o.tenant_name, t.tenant_name), 'portal',
              '2026-01-20', now(), '2026-12-31', false, '2027-01-31'
         FROM statement_occupancies o JOIN tenancies t ON t.id = o.tenancy_id WHERE o.id = :id`,
      { replacements: { id: occupancy.id } },
    );
    return { params: { id: String(statementId), occupancyId: String(occupancy.id) } };
  };

  const byPlace = (refs: Record<Place, ObjectRef>) => refs;
  return {
    users,
    objects: {
      device: byPlace({
        'in-scope': { params: { id: await device(house) } },
        outside: { params: { id: await device(other) } },
        foreign: { params: { id: await device(orgB) } },
      }),
      property: byPlace({
        'in-scope': { params: { id: String(house.property.id), propertyId: String(house.property.id) } },
        outside: { params: { id: String(other.property.id), propertyId: String(other.property.id) } },
        foreign: { params: { id: String(orgB.property.id), propertyId: String(orgB.property.id) } },
      }),
      statement: byPlace({
        'in-scope': { params: { id: String(statementA) } },
        outside: { params: { id: String(statementOther) } },
        foreign: { params: { id: String(statementB) } },
      }),
      'statement-unit': byPlace({
        'in-scope': { params: { id: String(statementA), unitId: String(house.units.a.id) } },
        outside: { params: { id: String(statementOther), unitId: String(other.units.a.id) } },
        foreign: { params: { id: String(statementB), unitId: String(orgB.units.a.id) } },
      }),
      // The tenant's own flat; the flat next door in the same statement; another organisation's.
      'tenant-statement': byPlace({
        'in-scope': { params: { id: String(statementA) }, query: { einheit: String(house.units.a.id) } },
        outside: { params: { id: String(statementA) }, query: { einheit: String(house.units.c.id) } },
        foreign: { params: { id: String(statementB) }, query: { einheit: String(orgB.units.a.id) } },
      }),
      'statement-recipient': byPlace({
        'in-scope': await recipient(statementA, house.units.a.id),
        outside: await recipient(statementOther, other.units.a.id),
        foreign: await recipient(statementB, orgB.units.a.id),
      }),
      ticket: byPlace({
        'in-scope': { params: { id: String(casesA.ticketId) } },
        outside: { params: { id: String(casesOther.ticketId) } },
        foreign: { params: { id: String(casesB.ticketId) } },
      }),
      obligation: byPlace({
        'in-scope': { params: { workflowId: `ticket-${casesA.ticketId}` } },
        outside: { params: { workflowId: `ticket-${casesOther.ticketId}` } },
        foreign: { params: { workflowId: `ticket-${casesB.ticketId}` } },
      }),
      appointment: byPlace({
        'in-scope': { params: { id: String(casesA.appointmentId) } },
        outside: { params: { id: String(casesOther.appointmentId) } },
        foreign: { params: { id: String(casesB.appointmentId) } },
      }),
      'archived-month': byPlace({
        'in-scope': { params: { id: await archived(tenant, house.units.b.id, house.property.id) } },
        outside: { params: { id: await archived(neighbour, other.units.b.id, other.property.id) } },
        foreign: { params: { id: await archived(stranger, orgB.units.b.id, orgB.property.id) } },
      }),
      // A tenant's flat named in a form (the consumption page reports its opening).
      flat: byPlace({
        'in-scope': { params: {}, form: { wohnung: String(house.units.a.id) } },
        outside: { params: {}, form: { wohnung: String(other.units.a.id) } },
        foreign: { params: {}, form: { wohnung: String(orgB.units.a.id) } },
      }),
      'archive-document': byPlace({
        'in-scope': { params: { id: proofA.params.id } },
        outside: { params: { id: proofOther.params.id } },
        foreign: { params: { id: proofB.params.id } },
      }),
      'archive-version': byPlace({ 'in-scope': proofA, outside: proofOther, foreign: proofB }),
      // A property's page with one of its tenancies in the form (invitations, letters, move-out).
      tenancy: byPlace({
        'in-scope': { params: { propertyId: String(house.property.id) }, form: { tenancy: await tenancyOf(house.units.c.id) } },
        outside: { params: { propertyId: String(other.property.id) }, form: { tenancy: await tenancyOf(other.units.c.id) } },
        foreign: { params: { propertyId: String(orgB.property.id) }, form: { tenancy: await tenancyOf(orgB.units.c.id) } },
      }),
    },
  };
}
