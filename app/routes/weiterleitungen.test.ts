// Issue 14 item 3: a manager forwards an approved statement to the property's owner; the owner gets a
// notice and a forwarded-documents list with its own delivery record (forwarded at/by, opened at).
// Real PostgreSQL, the routes' loaders and actions with real session cookies.
import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { User } from '../../db';
import { saveStatement } from '../../db/statements';
import type { StatementData } from '../../domain/billing/statement';
import { exampleStatementRequest } from '../../domain/billing/example-request';
import { cookieFor, dataOf, makeRequest, run, testDb } from '../../tests/support/web';
import { createOrgFixture, createUserFixture, type OrgFixture } from '../../tests/support/fixtures';
import { addBillingProperty, createStatementFixture } from '../../tests/support/statement-fixtures';
import { action as forwardAction } from './abrechnungen.$id_.weiterleiten';
import { loader as detailLoader } from './abrechnungen.$id';
import { action as openAction, loader as listLoader } from './weiterleitungen';

process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
const database = testDb();

let org: OrgFixture;
let manager: User;
let approved: StatementData;
let draft: StatementData;
let ownerless: StatementData;
const cookies: Record<'manager' | 'owner' | 'tenant' | 'otherOwner', string> = { manager: '', owner: '', tenant: '', otherOwner: '' };

const actor = (user: User) => ({ userId: user.id, email: user.email, organisationId: user.organisationId });
const setStatus = (statement: StatementData, status: string) =>
  database.sequelize.query('UPDATE statements SET status = :status WHERE id = :id', { replacements: { id: statement.stored!.id, status } });

beforeAll(async () => {
  org = await createOrgFixture(database);
  manager = org.managers[0]!;
  const tenant = await createUserFixture(database, org.organisation.id, 'tenant');
  const otherOwner = await createUserFixture(database, org.organisation.id, 'owner');
  const house = await createStatementFixture(database, { tenantA: tenant }, org);
  const noOwner = await addBillingProperty(database, org.organisation.id, { ownerId: null });
  approved = await saveStatement(database, house.request, actor(manager));
  await setStatus(approved, 'approved');
  draft = await saveStatement(database, { ...house.request, correctionReason: 'Entwurf' }, actor(manager));
  ownerless = await saveStatement(database, exampleStatementRequest(noOwner.property.id), actor(manager));
  await setStatus(ownerless, 'approved');
  Object.assign(cookies, {
    manager: await cookieFor(manager),
    owner: await cookieFor(org.owner),
    tenant: await cookieFor(tenant),
    otherOwner: await cookieFor(otherOwner),
  });
});

afterAll(async () => {
  await database.close();
});

const forward = (who: keyof typeof cookies, statement: StatementData, origin?: string) =>
  run(forwardAction, makeRequest(`/abrechnungen/${statement.stored!.id}/weiterleiten`, { cookie: cookies[who], form: {}, origin }), {
    id: String(statement.stored!.id),
  });
const location = (outcome: Awaited<ReturnType<typeof forward>>) =>
  outcome.kind === 'response' ? outcome.response.headers.get('Location') : null;
const forwardRows = () =>
  database.sequelize.query<{ id: string; ownerId: number; forwardedBy: number; openedAt: Date | null }>(
    `SELECT id, owner_id AS "ownerId", forwarded_by AS "forwardedBy", opened_at AS "openedAt" FROM owner_forwards
      WHERE document_kind = 'statement' AND document_id IN (:ids) ORDER BY id`,
    { replacements: { ids: [approved.stored!.id, draft.stored!.id, ownerless.stored!.id] }, type: QueryTypes.SELECT },
  );
const auditActions = async (entityId: number) =>
  (await database.models.AuditEntry.findAll({ where: { entity: 'statement', entityId: String(entityId) }, raw: true })).map(
    (a) => a.action,
  );

describe('forwarding a statement to the owner', () => {
  test('only managers, only from the own origin, only released versions, only where an owner has an account', async () => {
    const byOwner = await forward('owner', approved);
    expect(byOwner.kind === 'response' ? byOwner.status : 200).toBe(403);
    const foreign = await forward('manager', approved, 'https://evil.example');
    expect(foreign.kind === 'response' ? foreign.status : 200).toBe(403);
    expect(location(await forward('manager', draft))).toBe(`/abrechnungen/${draft.stored!.id}?weiterleitung=status#weiterleitung`);
    expect(location(await forward('manager', ownerless))).toBe(`/abrechnungen/${ownerless.stored!.id}?weiterleitung=owner#weiterleitung`);
    expect(await forwardRows()).toEqual([]);
  });

  test('the owner gets a notice and one delivery record, also when forwarded twice; both audited', async () => {
    expect(location(await forward('manager', approved))).toBe(`/abrechnungen/${approved.stored!.id}?weiterleitung=ok#weiterleitung`);
    await forward('manager', approved);
    const rows = await forwardRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ownerId: org.owner.id, forwardedBy: manager.id, openedAt: null });
    const notices = await database.models.Notification.findAll({ where: { userId: org.owner.id, kind: 'statement-forwarded' }, raw: true });
    expect(notices).toHaveLength(1);
    expect(notices[0]!.link).toBe('/weiterleitungen');
    expect(await auditActions(approved.stored!.id)).toContain('statement.forwarded-to-owner');
  });

  test("the owner's list shows it; opening records the first opening only; the manager sees it on the statement", async () => {
    const list = dataOf(await run(listLoader, makeRequest('/weiterleitungen', { cookie: cookies.owner })));
    expect(list.isOwner).toBe(true);
    expect(list.forwards).toHaveLength(1);
    const record = list.forwards[0]!;
    expect(record).toMatchObject({ documentId: approved.stored!.id, forwardedByName: manager.name, openedAt: null });
    expect(dataOf(await run(listLoader, makeRequest('/weiterleitungen', { cookie: cookies.otherOwner }))).forwards).toEqual([]);

    // Someone else's forward is not found, for another owner and for a manager.
    for (const who of ['otherOwner', 'manager'] as const) {
      const other = await run(openAction, makeRequest('/weiterleitungen', { cookie: cookies[who], form: { forward: String(record.id) } }));
      expect(other.kind === 'response' ? other.status : 200).toBe(404);
    }
    const tenant = await run(openAction, makeRequest('/weiterleitungen', { cookie: cookies.tenant, form: { forward: String(record.id) } }));
    expect(tenant.kind === 'response' ? tenant.status : 200).toBe(403);

    const opened = await run(openAction, makeRequest('/weiterleitungen', { cookie: cookies.owner, form: { forward: String(record.id) } }));
    expect(opened.kind === 'response' && opened.response.headers.get('Location')).toBe(`/abrechnungen/${approved.stored!.id}`);
    const firstOpening = (await forwardRows())[0]!.openedAt;
    expect(firstOpening).toBeInstanceOf(Date);
    await run(openAction, makeRequest('/weiterleitungen', { cookie: cookies.owner, form: { forward: String(record.id) } }));
    expect((await forwardRows())[0]!.openedAt).toEqual(firstOpening);
    expect((await auditActions(approved.stored!.id)).filter((a) => a === 'statement.forward-opened')).toHaveLength(1);

    const page = dataOf(
      await run(detailLoader, makeRequest(`/abrechnungen/${approved.stored!.id}?weiterleitung=ok`, { cookie: cookies.manager }), {
        id: String(approved.stored!.id),
      }),
    );
    expect(page.forwarding.canForward).toBe(true);
    expect(page.forwarding.message).toEqual({ ok: true, message: expect.stringContaining('weitergeleitet') });
    expect(page.forwarding.records).toHaveLength(1);
    expect(page.forwarding.records[0]!.openedAt).toEqual(firstOpening);
  });
});
