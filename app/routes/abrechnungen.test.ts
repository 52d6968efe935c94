// Statement pages as a browser meets them: loaders and actions called with real session cookies.
// A forbidden statement answers 404 (or 403 for a page the role may not open at all).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { User } from '../../db';
import { saveStatement } from '../../db/statements';
import { type StatementData } from '../../domain/billing/statement';
import { cookieFor, dataOf, makeRequest, run, testDb } from '../../tests/support/web';
import { createOrgFixture, createUserFixture, type OrgFixture } from '../../tests/support/fixtures';
import { addBillingProperty, createStatementFixture, type StatementFixture } from '../../tests/support/statement-fixtures';
import { exampleStatementRequest } from '../../domain/billing/example-request';
import { formValuesOf, withBlankRows } from '../../server/statements';
import { pdfRenderer } from '../../server/statements';
import { loader as listLoader } from './abrechnungen._index';
import { loader as detailLoader } from './abrechnungen.$id';
import { action as newAction, loader as newLoader } from './abrechnungen.neu';
import { loader as unitPdfLoader } from './abrechnungen.$id.einheit.$unitId[.pdf]';
import { loader as myListLoader } from './meine-abrechnungen';
import { loader as myStatementLoader } from './meine-abrechnungen.$id';
import { loader as myPdfLoader } from './meine-abrechnungen.$id[.pdf]';
import { formFields } from '../../tests/support/statement-form';

process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
const database = testDb();

type Who = 'manager' | 'owner' | 'compliance' | 'technician' | 'tenantA' | 'tenantC' | 'otherManager';
const cookies = {} as Record<Who, string>;
let org: OrgFixture;
let house: StatementFixture;
let tenantA: User;
let statement: StatementData;
let foreignStatement: StatementData;
let otherOrgStatement: StatementData;
let draftCorrection: StatementData;

const actor = (user: User) => ({ userId: user.id, email: user.email, organisationId: user.organisationId });

beforeAll(async () => {
  org = await createOrgFixture(database);
  const [compliance, technician, tenantC] = await Promise.all([
    createUserFixture(database, org.organisation.id, 'compliance'),
    createUserFixture(database, org.organisation.id, 'technician'),
    createUserFixture(database, org.organisation.id, 'tenant'),
  ]);
  tenantA = await createUserFixture(database, org.organisation.id, 'tenant');
  house = await createStatementFixture(database, { tenantA, tenantC }, org);
  // A house in the same organisation that the owner does not own.
  const foreign = await addBillingProperty(database, org.organisation.id, { ownerId: null });
  const otherOrg = await createStatementFixture(database);

  const manager = org.managers[0];
  statement = await saveStatement(database, house.request, actor(manager));
  foreignStatement = await saveStatement(database, exampleStatementRequest(foreign.property.id), actor(manager));
  otherOrgStatement = await saveStatement(database, otherOrg.request, actor(otherOrg.org.managers[0]));
  // Delivered to the tenants; a later correction is still a draft they must not see.
  await database.sequelize.query("UPDATE statements SET status = 'delivered' WHERE id = :id", {
    replacements: { id: statement.stored!.id },
  });
  draftCorrection = await saveStatement(database, { ...house.request, correctionReason: 'Entwurf' }, actor(manager));

  Object.assign(cookies, {
    manager: await cookieFor(manager),
    owner: await cookieFor(org.owner),
    compliance: await cookieFor(compliance),
    technician: await cookieFor(technician),
    tenantA: await cookieFor(tenantA),
    tenantC: await cookieFor(tenantC),
    otherManager: await cookieFor(otherOrg.org.managers[0]),
  });
});

afterAll(async () => {
  await pdfRenderer().close();
  await database.close();
});

const detail = (who: Who, id: number, query = '') =>
  run(detailLoader, makeRequest(`/abrechnungen/${id}${query}`, { cookie: cookies[who] }), { id: String(id) });
const unitPdf = (who: Who, id: number, unitId: number, query = '') =>
  run(unitPdfLoader, makeRequest(`/abrechnungen/${id}/einheit/${unitId}.pdf${query}`, { cookie: cookies[who] }), {
    id: String(id),
    unitId: String(unitId),
  });
const myStatement = (who: Who, id: number, unitId: number) =>
  run(myStatementLoader, makeRequest(`/meine-abrechnungen/${id}?einheit=${unitId}`, { cookie: cookies[who] }), { id: String(id) });
const myPdf = (who: Who, id: number, unitId: number) =>
  run(myPdfLoader, makeRequest(`/meine-abrechnungen/${id}.pdf?einheit=${unitId}`, { cookie: cookies[who] }), { id: String(id) });
const statusOf = (outcome: Awaited<ReturnType<typeof run>>) => (outcome.kind === 'response' ? outcome.status : 200);

describe('without a session', () => {
  test('the pages redirect to the login', async () => {
    const outcome = await run(listLoader, makeRequest('/abrechnungen'));
    expect(outcome.kind === 'response' && outcome.response.headers.get('Location')).toMatch(/^\/login/);
  });
});

describe('manager', () => {
  test('lists the statements of its organisation, every version', async () => {
    const { statements, canCreate } = dataOf(await run(listLoader, makeRequest('/abrechnungen', { cookie: cookies.manager })));
    const ids = statements.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining([statement.stored!.id, draftCorrection.stored!.id, foreignStatement.stored!.id]));
    expect(ids).not.toContain(otherOrgStatement.stored!.id);
    expect(canCreate).toBe(true);
    expect(statements.find((s) => s.id === statement.stored!.id)!.latest).toBe(false);
  });

  test('sees every unit and the derivation of a chosen one', async () => {
    const data = dataOf(await detail('manager', statement.stored!.id, `?einheit=${house.units.b.id}`));
    expect(data.units).toHaveLength(4);
    expect(data.selected!.html).toContain('Ersatzwert');
    expect(data.versions.map((v) => v.version)).toEqual([2, 1]);
  });

  test('a statement of another organisation is not found', async () => {
    expect(statusOf(await detail('manager', otherOrgStatement.stored!.id))).toBe(404);
    expect(statusOf(await unitPdf('manager', otherOrgStatement.stored!.id, otherOrgStatement.units[0]!.unitId))).toBe(404);
  });

  test('downloads a unit’s PDF as an attachment, stored once', async () => {
    const first = await unitPdf('manager', statement.stored!.id, house.units.c.id);
    expect(first.kind === 'response' && first.status).toBe(200);
    if (first.kind !== 'response') return;
    expect(first.response.headers.get('Content-Type')).toBe('application/pdf');
    expect(first.response.headers.get('Content-Disposition')).toMatch(/^attachment; filename=".*\.pdf"$/);
    const bytes = Buffer.from(await first.response.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const second = await unitPdf('manager', statement.stored!.id, house.units.c.id);
    expect(second.kind === 'response' && second.response.headers.get('X-Content-SHA256')).toBe(
      first.response.headers.get('X-Content-SHA256'),
    );
    expect(statusOf(await unitPdf('manager', statement.stored!.id, house.units.a.id, '?nutzung=gibt-es-nicht'))).toBe(404);
  });

  test('previews, then saves the next version', async () => {
    const values = withBlankRows(formValuesOf(house.request, null));
    const preview = dataOf(
      await run(
        newAction,
        makeRequest('/abrechnungen/neu', { cookie: cookies.manager, form: formFields(values, `preview:${house.units.a.id}`) }),
      ),
    );
    expect(preview.errors).toEqual({});
    expect(preview.preview!.units).toHaveLength(4);
    expect(preview.preview!.nextVersion).toBe(3);
    expect(preview.preview!.selected!.html).toContain('Aufteilung');

    const saved = await run(
      newAction,
      makeRequest('/abrechnungen/neu', { cookie: cookies.manager, form: formFields(values, 'save', { token: preview.token! }) }),
    );
    expect(saved.kind === 'response' && saved.status).toBe(302);
    const location = saved.kind === 'response' ? saved.response.headers.get('Location')! : '';
    const saveId = Number(/^\/abrechnungen\/(\d+)$/.exec(location)![1]);
    expect(dataOf(await detail('manager', saveId)).statement.version).toBe(3);
  });

  test('saving values other than the previewed ones shows a new preview instead', async () => {
    const values = withBlankRows(formValuesOf(house.request, null));
    const outcome = dataOf(
      await run(
        newAction,
        makeRequest('/abrechnungen/neu', { cookie: cookies.manager, form: formFields(values, 'save', { token: 'stale' }) }),
      ),
    );
    expect(outcome.notice).toMatch(/geändert/);
    expect(outcome.preview).not.toBeNull();
  });

  test('invalid input is named by field, in German', async () => {
    const values = { ...withBlankRows(formValuesOf(house.request, null)), heatingShare: '80' };
    values.fuel = [{ ...values.fuel[0]!, amount: '12,345' }, ...values.fuel.slice(1)];
    const { errors, preview } = dataOf(
      await run(newAction, makeRequest('/abrechnungen/neu', { cookie: cookies.manager, form: formFields(values, 'preview') })),
    );
    expect(preview).toBeNull();
    expect(errors.heatingShare).toMatch(/höchstens 70/);
    expect(errors['fuel[0].amount']).toMatch(/Nachkommastellen/);
  });

  test('a form posted from another site is refused', async () => {
    const values = withBlankRows(formValuesOf(house.request, null));
    const outcome = await run(
      newAction,
      makeRequest('/abrechnungen/neu', { cookie: cookies.manager, form: formFields(values, 'preview'), origin: 'https://evil.example' }),
    );
    expect(statusOf(outcome)).toBe(403);
  });

  test('a correction starts from the stored inputs of that version', async () => {
    const { values, correction } = dataOf(
      await run(newLoader, makeRequest(`/abrechnungen/neu?korrektur=${statement.stored!.id}`, { cookie: cookies.manager })),
    );
    expect(correction).toMatchObject({ id: statement.stored!.id, version: 1 });
    expect(values.fuel[0]).toMatchObject({ category: 'Erdgas', amount: '10000', kwh: '100000' });
    expect(
      statusOf(
        await run(newLoader, makeRequest(`/abrechnungen/neu?korrektur=${otherOrgStatement.stored!.id}`, { cookie: cookies.manager })),
      ),
    ).toBe(404);
  });
});

describe('owner', () => {
  test('sees the statements of its own properties only', async () => {
    const { statements, canCreate } = dataOf(await run(listLoader, makeRequest('/abrechnungen', { cookie: cookies.owner })));
    expect(statements.map((s) => s.id)).toContain(statement.stored!.id);
    expect(statements.map((s) => s.id)).not.toContain(foreignStatement.stored!.id);
    expect(canCreate).toBe(false);
    expect(statusOf(await detail('owner', statement.stored!.id))).toBe(200);
    expect(statusOf(await detail('owner', foreignStatement.stored!.id))).toBe(404);
    expect(statusOf(await unitPdf('owner', foreignStatement.stored!.id, foreignStatement.units[0]!.unitId))).toBe(404);
  });

  test('cannot create statements', async () => {
    expect(statusOf(await run(newLoader, makeRequest('/abrechnungen/neu', { cookie: cookies.owner })))).toBe(403);
  });
});

describe('compliance and technician', () => {
  test('compliance reads but does not create; the technician sees no statements', async () => {
    expect(statusOf(await detail('compliance', statement.stored!.id))).toBe(200);
    expect(statusOf(await run(newLoader, makeRequest('/abrechnungen/neu', { cookie: cookies.compliance })))).toBe(403);
    expect(statusOf(await run(listLoader, makeRequest('/abrechnungen', { cookie: cookies.technician })))).toBe(403);
  });
});

describe('tenant', () => {
  test('cannot open the manager pages', async () => {
    expect(statusOf(await run(listLoader, makeRequest('/abrechnungen', { cookie: cookies.tenantA })))).toBe(403);
    expect(statusOf(await detail('tenantA', statement.stored!.id))).toBe(403);
    expect(statusOf(await unitPdf('tenantA', statement.stored!.id, house.units.a.id))).toBe(403);
    expect(statusOf(await run(newLoader, makeRequest('/abrechnungen/neu', { cookie: cookies.tenantA })))).toBe(403);
  });

  test('lists its own delivered statement for its part of the period, not the draft correction', async () => {
    const { statements } = dataOf(await run(myListLoader, makeRequest('/meine-abrechnungen', { cookie: cookies.tenantA })));
    expect(statements).toHaveLength(1);
    const own = statement.units.find((u) => u.unitId === house.units.a.id)!.occupancies[1]!;
    expect(statements[0]).toMatchObject({
      id: statement.stored!.id,
      unitId: house.units.a.id,
      occupancyFrom: '2025-03-16',
      amountDue: own.amounts.amountDue,
    });
  });

  test('sees its own statement: its name, not its predecessor’s', async () => {
    const { html, pdfHref } = dataOf(await myStatement('tenantA', statement.stored!.id, house.units.a.id));
    expect(html).toContain(tenantA.name);
    expect(html).not.toContain('Paul Altmieter');
    expect(pdfHref).toBe(`/meine-abrechnungen/${statement.stored!.id}.pdf?einheit=${house.units.a.id}`);
  });

  test.each([
    ['another unit of the same statement', () => [statement.stored!.id, house.units.c.id]],
    ['the undelivered correction', () => [draftCorrection.stored!.id, house.units.a.id]],
    ['a statement of another house', () => [foreignStatement.stored!.id, foreignStatement.units[0]!.unitId]],
    ['a statement of another organisation', () => [otherOrgStatement.stored!.id, otherOrgStatement.units[0]!.unitId]],
  ] as ReadonlyArray<readonly [string, () => readonly [number, number]]>)('gets 404 for %s, as page and as PDF', async (_case, target) => {
    const [id, unitId] = target();
    expect(statusOf(await myStatement('tenantA', id, unitId))).toBe(404);
    expect(statusOf(await myPdf('tenantA', id, unitId))).toBe(404);
  });

  test('downloads its own PDF; the other tenant gets its own flat only', async () => {
    const own = await myPdf('tenantA', statement.stored!.id, house.units.a.id);
    expect(own.kind === 'response' && own.status).toBe(200);
    expect(statusOf(await myStatement('tenantC', statement.stored!.id, house.units.c.id))).toBe(200);
    expect(statusOf(await myStatement('tenantC', statement.stored!.id, house.units.a.id))).toBe(404);
  });

  test('a manager of another organisation finds none of it', async () => {
    const { statements } = dataOf(await run(listLoader, makeRequest('/abrechnungen', { cookie: cookies.otherManager })));
    expect(statements.map((s) => s.id)).not.toContain(statement.stored!.id);
    expect(statusOf(await detail('otherManager', statement.stored!.id))).toBe(404);
  });
});
