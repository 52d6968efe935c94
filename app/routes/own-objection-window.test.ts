// The tenant's objection form follows the tenant's own window (issue 10): letters posted long ago and
// received today, then one tenant's receipt corrected back to three days after the dispatch. That
// tenant's window has closed while the others' (and so the version's) still run: its page offers no
// objection and says that its own window ended, with its own date; another tenant may still object.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from 'react-router-dom/server';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { User } from '../../db';
import type { StatementData } from '../../domain/billing/statement';
import { addDays } from '../../domain/dates';
import { berlinDateOf } from '../../domain/business-hours';
import { formatDate } from '../../domain/format';
import { objectionDeadline } from '../../domain/statement-deadlines';
import { correctRecipientReceiptDate } from '../../server/statement-lifecycle';
import { pdfRenderer } from '../../server/statements';
import { deliveredStatement } from '../../tests/support/delivered-statement';
import { createOrgFixture, createUserFixture, uniqueSuffix } from '../../tests/support/fixtures';
import { createStatementFixture, type StatementFixture } from '../../tests/support/statement-fixtures';
import { startTestWorker, type RunningWorker } from '../../tests/support/temporal';
import { cookieFor, dataOf, makeRequest, run, testDb } from '../../tests/support/web';
import { ObjectionForm } from '~/components/statement-lifecycle';
import { action, loader } from './meine-abrechnungen.$id';

const database = testDb();
process.env.TEMPORAL_TASK_QUEUE = `own-objection-window-${uniqueSuffix()}`;

const TODAY = berlinDateOf(Date.now());
// Posted so long ago that a receipt three days later has a window that closed months before today.
const DISPATCHED_ON = addDays(TODAY, -500);
const EARLY_RECEIPT = addDays(DISPATCHED_ON, 3);

let worker: RunningWorker;
let house: StatementFixture;
let statement: StatementData;
let tenantA: User;
let tenantC: User;

beforeAll(async () => {
  worker = await startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE!, db: database });
  const org = await createOrgFixture(database);
  tenantA = await createUserFixture(database, org.organisation.id, 'tenant');
  tenantC = await createUserFixture(database, org.organisation.id, 'tenant');
  house = await createStatementFixture(database, { tenantA, tenantC }, org);
  const manager = org.managers[0]!;
  // By post to every tenant, those with an account too: their rows name no user, only their tenancy.
  statement = await deliveredStatement(database, house, manager, { channel: 'post', dispatchedOn: DISPATCHED_ON, receivedOn: TODAY });
  const ref = { id: statement.stored!.id, version: statement.stored!.version };
  const [own] = await database.sequelize.query<{ occupancyId: number }>(
    `SELECT r.occupancy_id AS "occupancyId" FROM statement_recipients r JOIN tenancies t ON t.id = r.tenancy_id
      WHERE r.statement_id = :id AND r.version = :version AND t.user_id = :userId`,
    { replacements: { ...ref, userId: tenantA.id }, type: QueryTypes.SELECT },
  );
  const corrected = await correctRecipientReceiptDate(ref, {
    actor: { userId: manager.id, name: manager.email, role: 'manager' },
    occupancyId: own!.occupancyId,
    receivedOn: EARLY_RECEIPT,
    reason: 'Laut Rückschein drei Tage nach dem Versand zugegangen.',
  });
  if (!corrected.ok) throw new Error(`the receipt could not be corrected: ${corrected.message}`);
}, 300_000);

afterAll(async () => {
  await pdfRenderer().close();
  await worker?.stop();
  await database.close();
});

function page(unitId: number) {
  const id = String(statement.stored!.id);
  return { path: `/meine-abrechnungen/${id}?einheit=${unitId}`, params: { id } };
}

async function load(tenant: User, unitId: number) {
  const { path, params } = page(unitId);
  return dataOf(await run(loader, makeRequest(path, { cookie: await cookieFor(tenant) }), params));
}

/** The page's objection panel as the server renders it. */
async function objectionPanel(data: Awaited<ReturnType<typeof load>>): Promise<string> {
  const element = createElement(ObjectionForm, {
    canObject: data.canObject,
    positions: data.positions,
    objectionDeadline: data.lifecycle.objectionDeadline,
    objectionWindowEndsAt: data.lifecycle.objectionWindowEndsAt,
    now: data.lifecycle.now,
    token: data.objectionToken,
    late: data.lateObjection,
  });
  const handler = createStaticHandler([{ path: '/', element }]);
  const context = await handler.query(new Request('http://klarmeter.test/'));
  if (context instanceof Response) throw new Error(`rendering answered ${context.status}`);
  return renderToStaticMarkup(createElement(StaticRouterProvider, { router: createStaticRouter(handler.dataRoutes, context), context }));
}

describe("the tenant's objection form", () => {
  test('closed for a tenant whose own window has closed, with its own date, while the version still runs', async () => {
    const ownDeadline = objectionDeadline(EARLY_RECEIPT, 'end-of-month');
    expect(ownDeadline < TODAY).toBe(true);
    const data = await load(tenantA, house.units.a.id);
    expect(data.lifecycle).toMatchObject({ state: 'delivered', objectionDeadline: ownDeadline, delivery: { receivedOn: EARLY_RECEIPT } });
    expect(data.canObject).toBe(false);
    const html = await objectionPanel(data);
    expect(html).toContain(`Ihre Einspruchsfrist endete am ${formatDate(ownDeadline)}; ein Einspruch ist nicht mehr möglich.`);
    expect(html).not.toContain('Einspruch einreichen');

    // Posted anyway, the objection is refused by the tenant's own workflow with the same date.
    const { path, params } = page(house.units.a.id);
    const form = { token: `t-${uniqueSuffix()}`, positions: ['Heizkosten'], reason: 'Der Verbrauch ist zu hoch angesetzt.' };
    const refused = dataOf(await run(action, makeRequest(path, { cookie: await cookieFor(tenantA), form }), params));
    expect(refused).toMatchObject({
      ok: false,
      message: `Die Einspruchsfrist ist am ${formatDate(ownDeadline)} abgelaufen; ein Einspruch ist nicht mehr möglich.`,
    });
  }, 120_000);

  test('open for a tenant whose own window runs, until its own date', async () => {
    const ownDeadline = objectionDeadline(TODAY, 'end-of-month');
    const data = await load(tenantC, house.units.c.id);
    expect(data.lifecycle).toMatchObject({ state: 'delivered', objectionDeadline: ownDeadline, delivery: { receivedOn: TODAY } });
    expect(data.canObject).toBe(true);
    const html = await objectionPanel(data);
    expect(html).toContain('Einspruch einreichen');
    expect(html).toContain(`Möglich bis einschließlich ${formatDate(ownDeadline)}.`);
  }, 120_000);
});
