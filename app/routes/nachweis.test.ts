// The proof page and the tenant's objection as a browser meets them (real session cookies, real
// workflow): managers of the organisation see the chain, nobody else does; a tenant sees and objects
// to its own flat's statement only.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { User } from '../../db';
import { type StatementData } from '../../domain/billing/statement';
import { cookieFor, dataOf, makeRequest, run, testDb } from '../../tests/support/web';
import { eventually } from '../../tests/support/eventually';
import { createOrgFixture, createUserFixture, uniqueSuffix } from '../../tests/support/fixtures';
import { createStatementFixture, type StatementFixture } from '../../tests/support/statement-fixtures';
import { deliveredStatement } from '../../tests/support/delivered-statement';
import { startTestWorker, type RunningWorker } from '../../tests/support/temporal';
import { loader as proofLoader } from './abrechnungen.$id_.nachweis';
import { loader as proofPdfLoader } from './abrechnungen.$id.nachweis[.pdf]';
import { pdfRenderer } from '../../server/statements';
import { action as detailAction } from './abrechnungen.$id';
import { action as objectionAction, loader as myStatementLoader } from './meine-abrechnungen.$id';

const database = testDb();
process.env.TEMPORAL_TASK_QUEUE = `nachweis-${uniqueSuffix()}`;

type Who = 'manager' | 'tenantA' | 'tenantC' | 'otherManager';
const cookies = {} as Record<Who, string>;
let house: StatementFixture;
let statement: StatementData;
let worker: RunningWorker;
let tenantA: User;

beforeAll(async () => {
  worker = await startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE!, db: database });
  const org = await createOrgFixture(database);
  tenantA = await createUserFixture(database, org.organisation.id, 'tenant');
  const tenantC = await createUserFixture(database, org.organisation.id, 'tenant');
  house = await createStatementFixture(database, { tenantA, tenantC }, org);
  const other = await createOrgFixture(database);
  const manager = org.managers[0];
  statement = await deliveredStatement(database, house, manager);
  Object.assign(cookies, {
    manager: await cookieFor(manager),
    tenantA: await cookieFor(tenantA),
    tenantC: await cookieFor(tenantC),
    otherManager: await cookieFor(other.managers[0]),
  });
}, 120_000);

afterAll(async () => {
  await pdfRenderer().close();
  await worker?.stop();
  await database.close();
});

const id = () => statement.stored!.id;
const proof = (who: Who) => run(proofLoader, makeRequest(`/abrechnungen/${id()}/nachweis`, { cookie: cookies[who] }), { id: String(id()) });
const myStatement = (who: Who, unitId: number) =>
  run(myStatementLoader, makeRequest(`/meine-abrechnungen/${id()}?einheit=${unitId}`, { cookie: cookies[who] }), { id: String(id()) });
const object = (who: Who, unitId: number) =>
  run(
    objectionAction,
    makeRequest(`/meine-abrechnungen/${id()}?einheit=${unitId}`, {
      cookie: cookies[who],
      form: { positions: 'Heizkosten', reason: 'Zu hoch.', token: `tok${uniqueSuffix()}` },
    }),
    { id: String(id()) },
  );
const statusOf = (outcome: Awaited<ReturnType<typeof run>>) => (outcome.kind === 'response' ? outcome.status : 200);

describe('proof page', () => {
  test('the manager sees the verified chain', async () => {
    const data = dataOf(await proof('manager'));
    // The chain: the version's delivery after one delivery per tenant.
    const n = data.lifecycle.recipients.length;
    expect(n).toBeGreaterThan(1);
    expect(data.events.map((e) => e.label)).toEqual(['Erzeugt', 'Freigegeben', ...Array<string>(n + 1).fill('Zugestellt')]);
    expect(data.lifecycle.verdict).toEqual({ ok: true, checked: n + 3 });
    // The approval proved every unit's PDF: listed with its hash, the manifest's hash in each later event.
    expect(
      data.documents?.entries
        .filter((d) => d.occupancyKey === null)
        .map((d) => d.unitLabel)
        .sort(),
    ).toEqual(statement.units.map((u) => u.label).sort());
    // After a change of tenant each occupancy has its own document too.
    expect(data.documents?.entries.filter((d) => d.occupancyKey !== null)).toHaveLength(
      statement.units.filter((u) => u.occupancies.length > 1).reduce((n, u) => n + u.occupancies.length, 0),
    );
    expect(data.documents?.entries.every((d) => /^[0-9a-f]{64}$/.test(d.sha256))).toBe(true);
    expect(data.events.slice(1).map((e) => e.documentSha256)).toEqual(Array<string>(n + 2).fill(data.documents!.sha256));
  });

  test("a tenant and another organisation's manager do not", async () => {
    expect(statusOf(await proof('tenantA'))).toBe(403);
    expect(statusOf(await proof('otherManager'))).toBe(404);
    const pdf = (who: Who) =>
      run(proofPdfLoader, makeRequest(`/abrechnungen/${id()}/nachweis.pdf`, { cookie: cookies[who] }), { id: String(id()) });
    expect(statusOf(await pdf('tenantA'))).toBe(403);
    expect(statusOf(await pdf('otherManager'))).toBe(404);
  });

  test('exports the proof as a PDF', async () => {
    const outcome = await run(proofPdfLoader, makeRequest(`/abrechnungen/${id()}/nachweis.pdf`, { cookie: cookies.manager }), {
      id: String(id()),
    });
    expect(outcome.kind).toBe('response');
    const response = (outcome as { response: Response }).response;
    expect(response.headers.get('Content-Type')).toBe('application/pdf');
    expect(
      Buffer.from(await response.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  }, 60_000);

  test('a tenant cannot approve or deliver', async () => {
    const outcome = await run(
      detailAction,
      makeRequest(`/abrechnungen/${id()}`, { cookie: cookies.tenantA, form: { intent: 'approve' } }),
      { id: String(id()) },
    );
    expect(statusOf(outcome)).toBe(403);
  });
});

describe('tenant', () => {
  test("cannot see or object to another flat's statement", async () => {
    expect(statusOf(await myStatement('tenantC', house.units.a.id))).toBe(404);
    expect(statusOf(await object('tenantC', house.units.a.id))).toBe(404);
  });

  test('a reason over 4,000 characters is refused naming the field and the limit, never cut and stored', async () => {
    const outcome = await run(
      objectionAction,
      makeRequest(`/meine-abrechnungen/${id()}?einheit=${house.units.a.id}`, {
        cookie: cookies.tenantA,
        form: { positions: 'Heizkosten', reason: 'x'.repeat(1_000_000), token: `tok${uniqueSuffix()}` },
      }),
      { id: String(id()) },
    );
    expect(dataOf(outcome)).toEqual({
      ok: false,
      message: 'Begründung: höchstens 4.000 Zeichen erlaubt, Ihre Eingabe hat 1.000.000. Bitte kürzen Sie den Text.',
    });
    expect(await database.models.Objection.count({ where: { statementId: id() } })).toBe(0);
  });

  test('opening its own statement is proven, and its objection is accepted and shown in both timelines', async () => {
    expect(statusOf(await myStatement('tenantA', house.units.a.id))).toBe(200);
    const opened = await run(
      objectionAction,
      makeRequest(`/meine-abrechnungen/${id()}?einheit=${house.units.a.id}`, { cookie: cookies.tenantA, form: { intent: 'opened' } }),
      { id: String(id()) },
    );
    expect(dataOf(opened)).toMatchObject({ ok: true });
    await eventually(async () => expect(dataOf(await proof('manager')).events.map((e) => e.label)).toContain('Geöffnet'));
    expect(dataOf(await object('tenantA', house.units.a.id))).toMatchObject({ ok: true });
    const page = dataOf(await myStatement('tenantA', house.units.a.id));
    expect(page.objections).toHaveLength(1);
    expect(page.lifecycle.timeline.map((item) => item.label)).toEqual(['Erzeugt', 'Freigegeben', 'Zugestellt', 'Geöffnet', 'Einspruch']);
    // The tenant's timeline shows its own delivery; the chain holds every tenant's.
    const manager = dataOf(await proof('manager'));
    expect(manager.lifecycle.verdict).toEqual({ ok: true, checked: manager.lifecycle.recipients.length + 5 });
  });
});
