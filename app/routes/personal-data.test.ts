// One personal-data policy (issue 12, item 4) on the statement's pages, PDFs and proof, with a real
// approved and delivered statement: the manager sees who the tenants are; owner and compliance saw
// the tenant's name in /abrechnungen/:id?einheit=…, the per-unit PDFs and the proof page (with the
// tenant's e-mail and IP) and now see "Mietpartei"; a tenant sees only its own flat's steps.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { User } from '../../db';
import { type StatementData } from '../../domain/billing/statement';
import { TENANT_PLACEHOLDER } from '../../domain/personal-data';
import { cookieFor, createLoginUser, dataOf, makeRequest, run, testDb } from '../../tests/support/web';
import { eventually } from '../../tests/support/eventually';
import { createUserFixture, uniqueSuffix } from '../../tests/support/fixtures';
import { createStatementFixture, type StatementFixture } from '../../tests/support/statement-fixtures';
import { deliveredStatement } from '../../tests/support/delivered-statement';
import { startTestWorker, type RunningWorker } from '../../tests/support/temporal';
import { pdfRenderer } from '../../server/statements';
import { renderStatementHtml, statementDocumentModel, statementStyleHashes } from '../../server/statement-documents';
import { loader as statementLoader } from './abrechnungen.$id';
import { loader as unitPdfLoader } from './abrechnungen.$id.einheit.$unitId[.pdf]';
import { loader as proofLoader } from './abrechnungen.$id_.nachweis';
import { loader as proofPdfLoader } from './abrechnungen.$id.nachweis[.pdf]';
import { action as myStatementAction, loader as myStatementLoader } from './meine-abrechnungen.$id';
import { loader as myPdfLoader } from './meine-abrechnungen.$id[.pdf]';

const database = testDb();
process.env.TEMPORAL_TASK_QUEUE = `personal-data-${uniqueSuffix()}`;

type Who = 'manager' | 'owner' | 'compliance' | 'tenantA' | 'tenantC';
const cookies = {} as Record<Who, string>;
let house: StatementFixture;
let statement: StatementData;
let worker: RunningWorker;
let tenantA: User;
let tenantC: User;
const TENANT_IP = '198.51.100.77';

beforeAll(async () => {
  worker = await startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE!, db: database });
  house = await createStatementFixture(database);
  const org = house.org;
  tenantA = await createUserFixture(database, org.organisation.id, 'tenant');
  tenantC = await createUserFixture(database, org.organisation.id, 'tenant');
  await database.models.Tenancy.update({ userId: tenantA.id }, { where: { unitId: house.units.a.id, tenantName: 'Anna Neumieter' } });
  await database.models.Tenancy.update({ userId: tenantC.id }, { where: { unitId: house.units.c.id } });
  const manager = org.managers[0]!;
  const compliance = await createLoginUser(database, org.organisation.id, 'compliance');
  statement = await deliveredStatement(database, house, manager);
  const ref = { id: statement.stored!.id };
  Object.assign(cookies, {
    manager: await cookieFor(manager),
    owner: await cookieFor(org.owner),
    compliance: await cookieFor(compliance),
    tenantA: await cookieFor(tenantA),
    tenantC: await cookieFor(tenantC),
  });
  // Tenant A opens its statement: the proof records its e-mail and IP.
  const opened = await run(
    myStatementAction,
    makeRequest(`/meine-abrechnungen/${ref.id}?einheit=${house.units.a.id}`, { cookie: cookies.tenantA, form: { intent: 'opened' } }),
    { id: String(ref.id) },
    { clientIp: TENANT_IP },
  );
  expect(dataOf(opened)).toMatchObject({ ok: true });
  await eventually(async () => expect((await proofData('manager')).events.map((e) => e.label)).toContain('Geöffnet'));
}, 180_000);

afterAll(async () => {
  await pdfRenderer().close();
  await worker?.stop();
  await database.close();
});

const id = () => statement.stored!.id;
const NAMES = ['Anna Neumieter', 'Paul Altmieter', 'Clara Claus', 'Bernd Bauer'];

async function page(who: Who, unitId: number) {
  return dataOf(
    await run(statementLoader, makeRequest(`/abrechnungen/${id()}?einheit=${unitId}`, { cookie: cookies[who] }), { id: String(id()) }),
  );
}
async function proofData(who: Who) {
  return dataOf(await run(proofLoader, makeRequest(`/abrechnungen/${id()}/nachweis`, { cookie: cookies[who] }), { id: String(id()) }));
}

async function pdfText(response: Response): Promise<string> {
  const pdf = Buffer.from(await response.arrayBuffer());
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const child = promisify(execFile)('pdftotext', ['-layout', '-enc', 'UTF-8', '-', '-'], { maxBuffer: 10 * 1024 * 1024 });
  child.child.stdin!.end(pdf);
  return (await child).stdout;
}

async function unitPdf(who: Who, unitId: number): Promise<Response> {
  const outcome = await run(unitPdfLoader, makeRequest(`/abrechnungen/${id()}/einheit/${unitId}.pdf`, { cookie: cookies[who] }), {
    id: String(id()),
    unitId: String(unitId),
  });
  if (outcome.kind !== 'response' || outcome.status !== 200) throw new Error(`expected a PDF, got ${JSON.stringify(outcome)}`);
  return outcome.response;
}

describe('statement page', () => {
  test('the manager sees the tenants’ names, in the table and in the document', async () => {
    const data = await page('manager', house.units.a.id);
    expect(data.withTenants).toBe(true);
    expect(data.units.find((u) => u.unitId === house.units.a.id)!.occupancies.map((o) => o.name)).toEqual([
      'Paul Altmieter',
      'Anna Neumieter',
    ]);
    expect(data.selected!.html).toContain('Anna Neumieter');
  });

  test.each(['owner', 'compliance'] as const)('the %s sees units and amounts, never a tenant’s name', async (who) => {
    for (const unitId of [house.units.a.id, house.units.c.id]) {
      const data = await page(who, unitId);
      expect(data.withTenants).toBe(false);
      const json = JSON.stringify(data);
      for (const name of NAMES) expect(json).not.toContain(name);
      expect(data.selected!.html).toContain(TENANT_PLACEHOLDER);
      expect(data.units.find((u) => u.unitId === unitId)!.occupancies.every((o) => typeof o.amountDue === 'number')).toBe(true);
    }
  });
});

describe('per-unit PDFs', () => {
  test('the manager downloads the delivered document with the name', async () => {
    expect(await pdfText(await unitPdf('manager', house.units.c.id))).toContain('Clara Claus');
  });

  test.each(['owner', 'compliance'] as const)(
    'the %s gets a copy with "Mietpartei", rendered on the fly, not stored',
    async (who) => {
      const documentsBefore = await database.models.Document.count();
      const text = await pdfText(await unitPdf(who, house.units.c.id));
      expect(text).toContain(TENANT_PLACEHOLDER);
      for (const name of NAMES) expect(text).not.toContain(name);
      expect(await database.models.Document.count()).toBe(documentsBefore);
      const [audit] = await database.models.AuditEntry.findAll({
        where: { action: 'statement_document_downloaded' },
        order: [['id', 'DESC']],
        limit: 1,
        raw: true,
      });
      expect(audit?.details).toMatchObject({ pseudonymised: true, unitId: house.units.c.id });
    },
    60_000,
  );

  test('the tenant still gets its own delivered document with its name', async () => {
    const outcome = await run(
      myPdfLoader,
      makeRequest(`/meine-abrechnungen/${id()}.pdf?einheit=${house.units.c.id}`, { cookie: cookies.tenantC }),
      {
        id: String(id()),
      },
    );
    if (outcome.kind !== 'response') throw new Error('expected a PDF');
    expect(await pdfText(outcome.response)).toContain('Clara Claus');
  }, 60_000);
});

describe('proof', () => {
  test('the manager sees who opened the statement, with e-mail and IP', async () => {
    const opened = (await proofData('manager')).events.find((e) => e.step === 'opened')!;
    expect(opened).toMatchObject({ actor: tenantA.email, ip: TENANT_IP });
  });

  test.each(['owner', 'compliance'] as const)('the %s sees that a tenant opened it, not who or from where', async (who) => {
    const data = await proofData(who);
    const opened = data.events.find((e) => e.step === 'opened')!;
    expect(opened).toMatchObject({ actor: TENANT_PLACEHOLDER, ip: null });
    const json = JSON.stringify(data);
    expect(json).not.toContain(tenantA.email);
    expect(json).not.toContain(TENANT_IP);
    // The chain is still verified on the server, and the hashes are shown.
    expect(data.lifecycle.verdict).toMatchObject({ ok: true });
  });

  test('the compliance officer’s proof PDF has neither the tenant’s e-mail nor its IP', async () => {
    const outcome = await run(proofPdfLoader, makeRequest(`/abrechnungen/${id()}/nachweis.pdf`, { cookie: cookies.compliance }), {
      id: String(id()),
    });
    if (outcome.kind !== 'response') throw new Error('expected a PDF');
    const text = await pdfText(outcome.response);
    expect(text).toContain('Geöffnet');
    expect(text).not.toContain(tenantA.email);
    expect(text).not.toContain(TENANT_IP);
  }, 60_000);

  test('a tenant’s timeline shows its own flat’s steps, not another tenant’s opening', async () => {
    const own = dataOf(
      await run(myStatementLoader, makeRequest(`/meine-abrechnungen/${id()}?einheit=${house.units.a.id}`, { cookie: cookies.tenantA }), {
        id: String(id()),
      }),
    );
    expect(own.lifecycle.timeline.map((item) => item.label)).toContain('Geöffnet');
    const neighbour = dataOf(
      await run(myStatementLoader, makeRequest(`/meine-abrechnungen/${id()}?einheit=${house.units.c.id}`, { cookie: cookies.tenantC }), {
        id: String(id()),
      }),
    );
    expect(neighbour.lifecycle.timeline.map((item) => item.label)).toEqual(['Erzeugt', 'Freigegeben', 'Zugestellt']);
    expect(JSON.stringify(neighbour)).not.toContain(tenantA.email);
  });
});

test('the statement document’s inline styles are exactly the ones the CSP admits by hash', async () => {
  const { createHash } = await import('node:crypto');
  const model = statementDocumentModel(statement, { unitId: house.units.c.id, occupancyKey: null }, { standalone: false })!;
  const blocks = [...renderStatementHtml(model).matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
    (m) => `sha256-${createHash('sha256').update(m[1]!).digest('base64')}`,
  );
  expect(blocks.length).toBeGreaterThan(0);
  for (const hash of blocks) expect(statementStyleHashes()).toContain(hash);
});
