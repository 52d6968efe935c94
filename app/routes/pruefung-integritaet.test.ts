// The findings of the proof verification on the compliance desk, as its loaders and actions answer
// real requests (real sessions and PostgreSQL; the on-demand run starts on the dev server). A
// finding stays as a banner on /pruefung and the dashboard until a compliance officer resolves it
// with a note, which the audit log records; another organisation never sees it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { QueryTypes } from 'sequelize';
import type { User } from '../../db';
import { recordFinding } from '../../server/proof-verification-run';
import { createOrgFixture, uniqueSuffix, type OrgFixture } from '../../tests/support/fixtures';
import { connectTestClient, type TestClient } from '../../tests/support/temporal';
import { cookieFor, createLoginUser, dataOf, makeRequest, run, testDb } from '../../tests/support/web';
import { action, loader } from './pruefung.integritaet';
import { loader as searchLoader } from './pruefung._index';
import { loader as dashboardLoader } from './dashboard';

const database = testDb();
let temporal: TestClient;
let orgA: OrgFixture;
let officer: User;
let officerCookie: string;
let managerCookie: string;
let foreignOfficerCookie: string;
let findingId: number;

beforeAll(async () => {
  process.env.TEMPORAL_TASK_QUEUE = `web-integritaet-${uniqueSuffix()}`;
  temporal = await connectTestClient();
  const orgB = await createOrgFixture(database);
  orgA = await createOrgFixture(database);
  officer = await createLoginUser(database, orgA.organisation.id, 'compliance');
  const foreignOfficer = await createLoginUser(database, orgB.organisation.id, 'compliance');
  [officerCookie, managerCookie, foreignOfficerCookie] = await Promise.all([
    cookieFor(officer),
    cookieFor(orgA.managers[0]!),
    cookieFor(foreignOfficer),
  ]);
  const [runRow] = await database.sequelize.query<{ id: number }>(
    `INSERT INTO proof_verification_runs (workflow_id, organisation_id) VALUES (:id, :org) RETURNING id::int AS id`,
    { replacements: { id: `proof-verification-web-${uniqueSuffix()}`, org: orgA.organisation.id }, type: QueryTypes.SELECT },
  );
  await recordFinding(database, runRow!.id, {
    organisationId: orgA.organisation.id,
    subject: `statement-web-${uniqueSuffix()}`,
    subjectLabel: 'Abrechnung DOC-TEST v1 (Testhaus)',
    link: '/abrechnungen/1/nachweis',
    problem: 'chain-broken',
    message: `Ereignis Nr. 2: Inhalt nachträglich geändert (${uniqueSuffix()})`,
  });
  const [finding] = await database.sequelize.query<{ id: number }>(
    'SELECT finding_id::int AS id FROM proof_verification_run_findings WHERE run_id = :run',
    { replacements: { run: runRow!.id }, type: QueryTypes.SELECT },
  );
  findingId = finding!.id;
});

afterAll(async () => {
  await temporal?.close();
  await database.close();
});

const page = (cookie: string) => run(loader, makeRequest('/pruefung/integritaet', { cookie }));
const post = (cookie: string, form: Record<string, string>, origin?: string | null) =>
  run(action, makeRequest('/pruefung/integritaet', { cookie, form, ...(origin === undefined ? {} : { origin }) }));
const ownFindings = (data: { open: Array<{ id: number }> }) => data.open.filter((f) => f.id === findingId);

describe('the findings desk', () => {
  test('an open finding is listed for the compliance officer and the manager, and as a banner on /pruefung and the dashboard', async () => {
    expect(ownFindings(dataOf(await page(officerCookie)))).toHaveLength(1);
    const managerView = dataOf(await page(managerCookie));
    expect(ownFindings(managerView)).toHaveLength(1);
    expect(managerView.canResolve).toBe(false);
    expect(dataOf(await run(searchLoader, makeRequest('/pruefung', { cookie: officerCookie }))).openFindings).toBeGreaterThanOrEqual(1);
    expect(dataOf(await run(dashboardLoader, makeRequest('/dashboard', { cookie: managerCookie }))).openFindings).toBeGreaterThanOrEqual(1);
  });

  test("another organisation's officer does not see it", async () => {
    expect(ownFindings(dataOf(await page(foreignOfficerCookie)))).toEqual([]);
    const refused = dataOf(await post(foreignOfficerCookie, { intent: 'resolve', findingId: String(findingId), note: 'fremd' }));
    expect(refused).toMatchObject({ ok: false, message: 'Dieser Befund ist nicht (mehr) offen.' });
  });

  test('only a compliance officer resolves, only with a note, only from the own origin; the resolution is audited', async () => {
    expect(dataOf(await post(managerCookie, { intent: 'resolve', findingId: String(findingId), note: 'geprüft' }))).toMatchObject({
      ok: false,
    });
    expect(await post(officerCookie, { intent: 'resolve', findingId: String(findingId), note: 'x' }, 'http://evil.example')).toMatchObject({
      kind: 'response',
      status: 403,
    });
    expect(dataOf(await post(officerCookie, { intent: 'resolve', findingId: String(findingId), note: '   ' }))).toMatchObject({
      ok: false,
      field: 'note',
      findingId,
    });
    expect(ownFindings(dataOf(await page(officerCookie)))).toHaveLength(1);

    const note = 'Mit der IT geprüft: Wiederherstellung aus der Sicherung, Anzeige erstattet.';
    expect(dataOf(await post(officerCookie, { intent: 'resolve', findingId: String(findingId), note }))).toMatchObject({ ok: true });
    const after = dataOf(await page(officerCookie));
    expect(ownFindings(after)).toEqual([]);
    expect(after.resolved.find((f) => f.id === findingId)).toMatchObject({ resolvedBy: officer.email, resolutionNote: note });
    const [audited] = await database.sequelize.query<{ actor: string; details: { note: string } }>(
      `SELECT actor, details FROM audit_log WHERE action = 'proof.finding_resolved' AND entity_id = :id`,
      { replacements: { id: String(findingId) }, type: QueryTypes.SELECT },
    );
    expect(audited).toMatchObject({ actor: officer.email, details: { note } });
  });

  test('"Jetzt prüfen" starts a verification of the organisation; a tenant gets no access', async () => {
    const started = dataOf(await post(managerCookie, { intent: 'run' }));
    expect(started.ok).toBe(true);
    const [audited] = await database.sequelize.query<{ workflowId: string }>(
      `SELECT entity_id AS "workflowId" FROM audit_log WHERE action = 'proof.verification_requested' AND organisation_id = :org`,
      { replacements: { org: orgA.organisation.id }, type: QueryTypes.SELECT },
    );
    const handle = temporal.client.workflow.getHandle(audited!.workflowId);
    const description = await handle.describe();
    expect(description.type).toBe('proofVerificationRun');
    await handle.terminate('test: no worker on this queue');

    const tenant = await createLoginUser(database, orgA.organisation.id, 'tenant');
    expect(await page(await cookieFor(tenant))).toMatchObject({ kind: 'response', status: 403 });
  });
});
