// The compliance desk as its loaders answer real requests: real sessions and PostgreSQL, device
// workflows running on this file's worker against the dev server, visibility queried for real.
// A compliance officer finds an expired calibration, reads and exports its history, reads the
// audit log; never sees another organisation's workflows, however the filters are crafted.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { Device, User } from '../../db';
import { ensureCostDeadlines } from '../../server/cost-deadlines';
import { ensureDeviceWorkflow, reportDeviceHealth } from '../../server/device-obligation';
import { pdfRenderer } from '../../server/statements';
import { COUNT_REUSE_MS, searchObligations } from '../../server/compliance';
import { EMPTY_OBLIGATION_FILTERS, NO_LOOKUPS, obligationQuery, parseObligationFilters } from '../../domain/compliance/obligation-search';
import { eventually } from '../../tests/support/eventually';
import { createDeviceFixture, createOrgFixture, sessionUserOf, uniqueSuffix, type OrgFixture } from '../../tests/support/fixtures';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../../tests/support/temporal';
import { cookieFor, createLoginUser, dataOf, makeRequest, run, testDb } from '../../tests/support/web';
import { loader as searchLoader } from './pruefung._index';
import { loader as csvLoader } from './pruefung.pflichten[.]csv';
import { loader as historyLoader } from './pruefung.verlauf.$workflowId';
import { loader as exportLoader } from './pruefung.verlauf.$workflowId.export';
import { loader as auditLoader } from './pruefung.protokoll';
import { loader as coverageLoader } from './pruefung.abdeckung';
import { loader as rootLoader } from '../root';
import { runTrackOverdue, signalUntracked } from '../../scripts/cli/track-overdue';
import { SA } from '../../workflows/shared/search-attributes';

const database = testDb();
let worker: RunningWorker;
let temporal: TestClient;
let orgA: OrgFixture;
let orgB: OrgFixture;
let expired: Device;
let current: Device;
let foreignExpired: Device;
let officer: User;
let officerCookie: string;
let managerCookie: string;
let tenantCookie: string;
let officerB: User;

// A warm-water meter calibrated in 2019 lost its calibration at the end of 2025 (six years).
const EXPIRED = { type: 'WZ-W' as const, installedAt: '2019-03-01', calibratedYear: 2019 };

let taskQueue: string;

beforeAll(async () => {
  taskQueue = `web-pruefung-${uniqueSuffix()}`;
  process.env.TEMPORAL_TASK_QUEUE = taskQueue;
  worker = await startTestWorker({ taskQueue, db: database, workflowBundle: await bundleWorkflows() });
  temporal = await connectTestClient();
  [orgA, orgB] = await Promise.all([createOrgFixture(database), createOrgFixture(database)]);
  expired = await createDeviceFixture(database, orgA, EXPIRED);
  current = await createDeviceFixture(database, orgA);
  foreignExpired = await createDeviceFixture(database, orgB, EXPIRED);
  for (const device of [expired, current, foreignExpired])
    await ensureDeviceWorkflow(temporal.client, device.id, { taskQueue, db: database });
  officer = await createLoginUser(database, orgA.organisation.id, 'compliance');
  officerB = await createLoginUser(database, orgB.organisation.id, 'compliance');
  const tenant = await createLoginUser(database, orgA.organisation.id, 'tenant');
  [officerCookie, managerCookie, tenantCookie] = await Promise.all([cookieFor(officer), cookieFor(orgA.managers[0]!), cookieFor(tenant)]);
  // The workflows escalate at once and publish it; visibility follows shortly after.
  await eventually(
    async () => {
      for (const device of [expired, foreignExpired]) {
        const description = await temporal.client.workflow.getHandle(`device-${device.id}`).describe();
        expect(description.searchAttributes.KlarState).toEqual(['escalated']);
      }
    },
    { timeoutMs: 30_000 },
  );
});

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await pdfRenderer().close();
  await database.close();
});

const search = (query: string, cookie = officerCookie) => run(searchLoader, makeRequest(`/pruefung?${query}`, { cookie }));
const history = (workflowId: string, query = '', cookie = officerCookie) =>
  run(historyLoader, makeRequest(`/pruefung/verlauf/${workflowId}${query}`, { cookie }), { workflowId });

describe('obligation search', () => {
  test('finds the expired calibration among the overdue ones of its organisation, and nothing of another', async () => {
    const rows = await eventually(
      async () => {
        const page = dataOf(await search('kind=calibration&overdue=1')).page;
        expect(page?.rows.map((row) => row.workflowId)).toContain(`device-${expired.id}`);
        return page!.rows;
      },
      { timeoutMs: 20_000 },
    );
    const row = rows.find((r) => r.workflowId === `device-${expired.id}`)!;
    expect(row).toMatchObject({
      kind: 'Eichfrist',
      state: 'Frist abgelaufen (eskaliert)',
      dueText: '31.12.2025',
      overdue: true,
      device: expired.serial,
    });
    expect(rows.map((r) => r.workflowId)).not.toContain(`device-${foreignExpired.id}`);
    expect(rows.map((r) => r.workflowId)).not.toContain(`device-${current.id}`);

    // The same device by its serial, and for the manager (who may read the desk too): its deadline and
    // the tenant's exchange offer the expired calibration started (both carry the device).
    await eventually(
      async () => {
        const bySerial = dataOf(await search(`number=${encodeURIComponent(expired.serial)}`, managerCookie)).page!.rows;
        expect(bySerial.map((r) => r.workflowId).sort()).toEqual([`device-${expired.id}`, `device-exchange-${expired.id}-2025-12-31`]);
      },
      { timeoutMs: 30_000 },
    );
  });

  test("a page's filter and the count's select the same workflows, however each is written", async () => {
    const scope = { organisationId: orgA.organisation.id, propertyIds: [orgA.property.id] };
    const listed = async (query: string) => {
      const ids: string[] = [];
      for await (const workflow of temporal.client.workflow.list({ query })) ids.push(workflow.workflowId);
      return ids.sort();
    };
    for (const filter of [
      'overdue=1',
      `kind=calibration&property=${orgA.property.id}`,
      'kind=calibration&overdue=1',
      `property=${orgA.property.id}&overdue=1`,
      '',
    ]) {
      const parsed = parseObligationFilters(new URLSearchParams(filter));
      if (!parsed.ok) throw new Error(`invalid filter ${filter}`);
      const page = obligationQuery(scope, parsed.filters, NO_LOOKUPS, 'page');
      const count = obligationQuery(scope, parsed.filters, NO_LOOKUPS, 'count');
      if (filter !== '') expect(page).not.toBe(count);
      await eventually(
        async () => {
          const [byPage, byCount] = await Promise.all([listed(page), listed(count)]);
          expect(byPage).toContain(`device-${expired.id}`);
          expect(byPage).toEqual(byCount);
          expect(byPage).not.toContain(`device-${foreignExpired.id}`);
        },
        { timeoutMs: 20_000 },
      );
    }
  });

  test('crafted filters never widen the organisation', async () => {
    // Another organisation's property: not found, not its workflows.
    expect((await search(`property=${orgB.property.id}`)).kind).toBe('response');
    expect(await search(`property=${orgB.property.id}`)).toMatchObject({ status: 404 });
    // Another organisation's workflow id or device serial: nothing.
    expect(dataOf(await search(`number=device-${foreignExpired.id}`)).page!.rows).toEqual([]);
    expect(dataOf(await search(`number=${encodeURIComponent(foreignExpired.serial)}`)).page!.rows).toEqual([]);
    // Query syntax in a field is refused by name, never passed on.
    const injected = dataOf(await search(`kind=${encodeURIComponent("calibration' OR KlarOrganisation IS NOT NULL OR '")}&state=x`));
    expect(injected.page).toBeNull();
    expect(injected.errors).toMatchObject({ kind: expect.stringContaining('Art') });
    const unit = dataOf(await search(`unit=${encodeURIComponent("1') OR ('1'='1")}`));
    expect(unit.errors).toMatchObject({ unit: expect.stringContaining('Einheit') });
    // The other organisation's officer sees its own expired device, not ours.
    const theirs = await eventually(
      async () => {
        const rows = dataOf(await search('overdue=1', await cookieFor(officerB))).page!.rows;
        expect(rows.map((r) => r.workflowId)).toContain(`device-${foreignExpired.id}`);
        return rows;
      },
      { timeoutMs: 20_000 },
    );
    expect(theirs.map((r) => r.workflowId)).not.toContain(`device-${expired.id}`);
  });

  test('the CSV holds the same rows and the export is audited', async () => {
    const outcome = await run(csvLoader, makeRequest('/pruefung/pflichten.csv?kind=calibration&overdue=1', { cookie: officerCookie }));
    expect(outcome.kind).toBe('response');
    if (outcome.kind !== 'response') return;
    expect(outcome.response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    // Read as bytes: Response.text() would drop the BOM that German Excel needs.
    const csv = Buffer.from(await outcome.response.arrayBuffer()).toString('utf8');
    expect(csv.split('\r\n')[0]).toBe(
      '\uFEFFWorkflow-ID;Art;Liegenschaft;Einheit;Gerät;Status;Frist;Überfällig;Verspätet erledigt;Begonnen;Beendet',
    );
    expect(csv).toContain(`device-${expired.id};Eichfrist;${orgA.property.name};`);
    expect(csv).not.toContain(`device-${foreignExpired.id}`);
    const entry = await database.models.AuditEntry.findOne({ where: { actorId: officer.id, entity: 'obligation', action: 'export' } });
    expect(entry?.details).toMatchObject({ format: 'csv' });
  });

  test('counts a filter once a minute, shared by its pages and clients, and again after it', async () => {
    const org = await createOrgFixture(database);
    const user = sessionUserOf(await createLoginUser(database, org.organisation.id, 'compliance'));
    const startDevice = async () => {
      const device = await createDeviceFixture(database, org);
      await ensureDeviceWorkflow(temporal.client, device.id, { taskQueue, db: database });
      return `device-${device.id}`;
    };
    const listed = async (workflowId: string) =>
      eventually(
        async () => {
          const page = await searchObligations(user, EMPTY_OBLIGATION_FILTERS, null, { client: temporal.client, count: false });
          expect(page!.rows.map((r) => r.workflowId)).toContain(workflowId);
        },
        { timeoutMs: 20_000 },
      );
    await listed(await startDevice());
    const at = new Date();
    const options = { client: temporal.client, pageSize: 1, now: at };
    const first = await searchObligations(user, EMPTY_OBLIGATION_FILTERS, null, options);
    expect(first).toMatchObject({ total: 1, countedAt: at.toISOString() });
    // Another device since: within the minute a page of one shows the count taken then …
    const added = await startDevice();
    await listed(added);
    const soon = new Date(at.getTime() + 1_000);
    const within = await searchObligations(user, EMPTY_OBLIGATION_FILTERS, null, { ...options, now: soon });
    expect(within!.next).not.toBeNull();
    expect(within).toMatchObject({ total: 1, countedAt: at.toISOString() });
    // … but a page holding every match is its own count: never fewer hits than rows shown.
    const whole = await searchObligations(user, EMPTY_OBLIGATION_FILTERS, null, { ...options, pageSize: 50, now: soon });
    expect(whole!.rows).toHaveLength(2);
    expect(whole).toMatchObject({ next: null, total: 2, countedAt: soon.toISOString() });
    const later = new Date(at.getTime() + COUNT_REUSE_MS);
    expect(await searchObligations(user, EMPTY_OBLIGATION_FILTERS, null, { ...options, now: later })).toMatchObject({
      total: 2,
      countedAt: later.toISOString(),
    });
  });

  test("finds its properties' workflows without KlarOrganisation by property while visibility holds some, never another's", async () => {
    const [org, other] = await Promise.all([createOrgFixture(database), createOrgFixture(database)]);
    const officerOf = async (o: OrgFixture) => sessionUserOf(await createLoginUser(database, o.organisation.id, 'compliance'));
    const [user, otherUser] = await Promise.all([officerOf(org), officerOf(other)]);
    const listedFor = async (who: typeof user, now: Date) =>
      (await searchObligations(who, EMPTY_OBLIGATION_FILTERS, null, { client: temporal.client, count: false, now }))!.rows.map(
        (r) => r.workflowId,
      );
    // None yet: the filter leaves the property arm out, and keeps that answer for a minute.
    const at = new Date();
    expect(await listedFor(user, at)).toEqual([]);
    // As started before KlarOrganisation existed: its property only, on a queue no worker polls.
    const unmarked = await temporal.client.workflow.start('deviceDeadline', {
      taskQueue: `${taskQueue}-idle`,
      workflowId: `device-unmarked-${uniqueSuffix()}`,
      args: [],
      typedSearchAttributes: [
        { key: SA.obligation, value: 'calibration' },
        { key: SA.property, value: String(org.property.id) },
      ],
    });
    try {
      await eventually(
        async () => {
          const visible = await temporal.client.workflow.count(`WorkflowId = '${unmarked.workflowId}'`);
          expect(visible.count).toBe(1);
        },
        { timeoutMs: 20_000 },
      );
      expect(await listedFor(user, new Date(at.getTime() + 1_000))).toEqual([]);
      // Checked again after the minute: found, and the arm stays while it exists.
      const later = new Date(at.getTime() + COUNT_REUSE_MS);
      expect(await listedFor(user, later)).toEqual([unmarked.workflowId]);
      expect(await listedFor(user, new Date(later.getTime() + 1_000))).toEqual([unmarked.workflowId]);
      expect(await listedFor(otherUser, later)).toEqual([]);
    } finally {
      await unmarked.terminate('test over');
    }
  });

  test('tenants may not open the desk', async () => {
    expect(await search('', tenantCookie)).toMatchObject({ kind: 'response', status: 403 });
  });
});

describe('the kinds later issues added', () => {
  test("a missed cost-data deadline is found, named in German and told as a timeline; another organisation's is not", async () => {
    // A fixed past period: its deadline (31.03.2025) has passed whatever the day the test runs.
    const period = { start: '2024-01-01', end: '2024-12-31' };
    await ensureCostDeadlines(period, {
      propertyIds: [orgA.property.id, orgB.property.id],
      db: database,
      client: temporal.client,
      taskQueue,
    });
    const ours = `cost-deadline-${orgA.property.id}-2024-12-31`;
    const rows = await eventually(
      async () => {
        const found = dataOf(await search('kind=cost-data&overdue=1')).page!.rows;
        expect(found.find((row) => row.workflowId === ours)?.state).toBe('Frist abgelaufen (eskaliert)');
        return found;
      },
      { timeoutMs: 30_000 },
    );
    expect(rows.find((row) => row.workflowId === ours)).toMatchObject({
      kind: 'Kostenerfassung für die Abrechnung',
      dueText: '31.03.2025',
      overdue: true,
      pagePath: `/liegenschaften/${orgA.property.id}`,
    });
    expect(rows.map((row) => row.workflowId)).not.toContain(`cost-deadline-${orgB.property.id}-2024-12-31`);
    const texts = dataOf(await history(ours)).entries.map((entry) => entry.text);
    expect(texts[0]).toBe('Kostenfrist 31.03.2025 für den Abrechnungszeitraum 01.01.2024–31.12.2024 gesetzt');
    expect(texts.some((text) => text.startsWith('Kostenfrist 31.03.2025 verpasst: eskaliert an '))).toBe(true);
  });

  test('the tenant’s exchange offer an expired calibration started is found by its kind, named in German and told as a timeline', async () => {
    // The expired meter is in a flat: its deadline workflow offered the exchange at once (the
    // deadline is past, so within any lead time). The flat has no tenancy, so the managers arrange it.
    const ours = `device-exchange-${expired.id}-2025-12-31`;
    const rows = await eventually(
      async () => {
        const found = dataOf(await search('kind=device-exchange')).page!.rows;
        expect(found.find((row) => row.workflowId === ours)?.state).toBe('Termine angeboten');
        return found;
      },
      { timeoutMs: 60_000 },
    );
    expect(rows.find((row) => row.workflowId === ours)).toMatchObject({
      kind: 'Gerätetausch mit der Mietpartei',
      dueText: '31.12.2025',
      overdue: true,
      device: expired.serial,
      pagePath: `/geraete/${expired.id}`,
    });
    // Only this organisation's: the other one's expired meter has its own offer.
    expect(rows.map((row) => row.workflowId)).not.toContain(`device-exchange-${foreignExpired.id}-2025-12-31`);
    // The state filter takes the kind's own states; a state it does not have is named.
    expect(dataOf(await search('kind=device-exchange&state=entered')).errors).toMatchObject({ state: expect.stringContaining('Status') });
    const texts = await eventually(
      async () => {
        const lines = dataOf(await history(ours)).entries.map((entry) => entry.text);
        expect(lines).toContain('Keine Mietpartei erfasst: Verwaltung soll den Termin selbst vereinbaren');
        return lines;
      },
      { timeoutMs: 30_000 },
    );
    expect(texts[0]).toBe('Gerätetausch mit der Mietpartei zur Frist 31.12.2025 begonnen');
    // The device's own timeline names the hand-over.
    const deviceTexts = dataOf(await history(`device-${expired.id}`)).entries.map((entry) => entry.text);
    expect(deviceTexts).toContain('Frist 31.12.2025 im Vorlauf: Terminangebot zum Gerätetausch an die Mietpartei gestartet');
  }, 120_000);

  test("a smoke alarm's radio fault is found as a device fault: the ticket its workflow filed", async () => {
    // An organisation of its own, so the other tests' counts stay as they are.
    const orgC = await createOrgFixture(database);
    const officerC = await cookieFor(await createLoginUser(database, orgC.organisation.id, 'compliance'));
    const alarm = await createDeviceFixture(database, orgC, {
      type: 'RWM',
      installedAt: '2026-01-05',
      calibratedYear: null,
      lastInspectionAt: '2026-01-05',
    });
    await ensureDeviceWorkflow(temporal.client, alarm.id, { taskQueue, db: database });
    await reportDeviceHealth(temporal.client, alarm.id, { reportedStatus: 'ERROR_FLAGS_800' });
    const rows = await eventually(
      async () => {
        const found = dataOf(await search('kind=device-fault', officerC)).page!.rows;
        expect(found).toHaveLength(1);
        return found;
      },
      { timeoutMs: 30_000 },
    );
    expect(rows[0]).toMatchObject({ kind: 'Vorgang', workflowId: expect.stringMatching(/^ticket-\d+$/) });
    // The device's own timeline says what happened and which ticket it filed.
    // (The activity's completion may reach the history a moment after the ticket's workflow started.)
    await eventually(
      async () => {
        const texts = dataOf(await history(`device-${alarm.id}`, '', officerC)).entries.map((entry) => entry.text);
        expect(texts).toContain(
          `Störung „ERROR_FLAGS_800“ per Funk gemeldet: Vorgang Nr. ${rows[0]!.workflowId.slice('ticket-'.length)} für die Technik angelegt`,
        );
      },
      { timeoutMs: 20_000 },
    );
    // The other organisation has no device fault.
    expect(dataOf(await search('kind=device-fault')).page!.rows).toEqual([]);
  });
});

describe('history', () => {
  test('reads as a German timeline, with the raw events behind each line', async () => {
    const data = dataOf(await history(`device-${expired.id}`));
    const texts = data.entries.map((entry) => entry.text);
    expect(texts[0]).toBe(`Fristüberwachung für ${expired.serial} begonnen (eingebaut am 01.03.2019)`);
    expect(texts).toContain('Eichfrist 31.12.2025 gesetzt, Ampel Kritisch');
    const escalation = data.entries.find((entry) => entry.text.startsWith('Eichfrist 31.12.2025 abgelaufen: eskaliert an '))!;
    expect(escalation.text).toContain(orgA.managers[0]!.email);
    expect(escalation.tone).toBe('yellow');
    expect(JSON.parse(escalation.raw)[0]).toMatchObject({
      type: 'ActivityTaskScheduled',
      attributes: { activityType: { name: 'escalateDevice' } },
    });
    // Every engine event is there at the technical level.
    const all = dataOf(await history(`device-${expired.id}`, '?detail=technical'));
    expect(all.entries.length).toBeGreaterThan(data.entries.length);
  });

  test('of another organisation, or of something that is no obligation, is not found', async () => {
    expect(await history(`device-${foreignExpired.id}`)).toMatchObject({ status: 404 });
    expect(await history('device-999999999')).toMatchObject({ status: 404 });
    expect(await history(`device-${expired.id}`, '?run=not-a-run')).toMatchObject({ status: 404 });
  });

  test('exports as the raw JSON the replayer takes, and as PDF; both audited', async () => {
    const exported = (format: string) =>
      run(exportLoader, makeRequest(`/pruefung/verlauf/device-${expired.id}/export?format=${format}`, { cookie: officerCookie }), {
        workflowId: `device-${expired.id}`,
      });
    const json = await exported('json');
    if (json.kind !== 'response') throw new Error('expected a file');
    const parsed = historyFromJSON(JSON.parse(await json.response.text()));
    expect(parsed.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe('deviceDeadline');

    const pdf = await exported('pdf');
    if (pdf.kind !== 'response') throw new Error('expected a file');
    expect(pdf.response.headers.get('Content-Type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.response.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');

    const formats = await database.models.AuditEntry.findAll({ where: { actorId: officer.id, entity: 'obligation-history' } });
    expect(formats.map((entry) => entry.details.format).sort()).toEqual(['json', 'pdf']);
    expect(await exported('html')).toMatchObject({ status: 400 });
  });
});

describe('coverage', () => {
  test('names the devices in service without a running obligation, and why', async () => {
    // Never started (an import that did not reach Temporal), and terminated from outside.
    const unwatched = await createDeviceFixture(database, orgA);
    const stopped = await createDeviceFixture(database, orgA);
    await ensureDeviceWorkflow(temporal.client, stopped.id, { taskQueue: process.env.TEMPORAL_TASK_QUEUE!, db: database });
    await temporal.client.workflow.getHandle(`device-${stopped.id}`).terminate('coverage test');

    const devices = await eventually(
      async () => {
        const { devices } = dataOf(await run(coverageLoader, makeRequest('/pruefung/abdeckung', { cookie: officerCookie })));
        expect(devices.gaps.find((gap) => gap.workflowId === `device-${stopped.id}`)?.reason).toBe('Workflow von außen beendet');
        return devices;
      },
      { timeoutMs: 20_000 },
    );
    expect(devices.gaps.find((gap) => gap.workflowId === `device-${unwatched.id}`)).toMatchObject({
      reason: 'Kein Workflow vorhanden',
      pagePath: `/geraete/${unwatched.id}`,
    });
    // The watched ones are covered; another organisation's devices are not counted.
    for (const device of [expired, current]) expect(devices.gaps.map((gap) => gap.workflowId)).not.toContain(`device-${device.id}`);
    expect(devices.gaps.map((gap) => gap.workflowId)).not.toContain(`device-${foreignExpired.id}`);
    expect(devices).toMatchObject({ expected: 4, covered: 2 });
  });
});

describe('audit log', () => {
  test('shows the organisation’s entries with the chain’s verdict, filtered; never another organisation’s', async () => {
    const data = dataOf(await run(auditLoader, makeRequest('/pruefung/protokoll?action=export', { cookie: officerCookie })));
    expect(data.chain).toMatchObject({ ok: true });
    expect(data.chain.head?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(data.page!.rows.length).toBeGreaterThan(0);
    expect(data.page!.rows.every((row) => row.action === 'export')).toBe(true);
    expect(data.page!.rows.some((row) => row.entity === 'obligation-history' && row.entityId === `device-${expired.id}`)).toBe(true);
    expect(data.page!.rows[0]).toMatchObject({ actor: officer.email, role: 'compliance' });

    const theirs = dataOf(await run(auditLoader, makeRequest('/pruefung/protokoll', { cookie: await cookieFor(officerB) })));
    expect(theirs.page!.rows.some((row) => row.actor === officer.email)).toBe(false);

    const bad = dataOf(
      await run(auditLoader, makeRequest('/pruefung/protokoll?ip=1%27%20OR%201=1&from=gestern', { cookie: officerCookie })),
    );
    expect(Object.keys(bad.errors ?? {}).sort()).toEqual(['from', 'ip']);
  });

  test('the desk has nothing to write', async () => {
    const modules = await Promise.all([
      import('./pruefung._index'),
      import('./pruefung.protokoll'),
      import('./pruefung.verlauf.$workflowId'),
      import('./pruefung.verlauf.$workflowId.export'),
    ]);
    for (const module of modules) expect('action' in module).toBe(false);
  });
});

describe('KlarOverdue', () => {
  test('the workflows publish it; `cli track-overdue` signals the running obligations that ran before it', async () => {
    const overdueOf = async (workflowId: string) =>
      (await temporal.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(SA.overdue);
    expect(await overdueOf(`device-${expired.id}`)).toBe(true);
    expect(await overdueOf(`device-${current.id}`)).toBe(false);
    // As if started before the upgrade: on a queue no worker polls, it has run nothing and publishes nothing.
    const untracked = await temporal.client.workflow.start('costDataDeadline', {
      taskQueue: `${taskQueue}-idle`,
      workflowId: `cost-deadline-untracked-${uniqueSuffix()}`,
      args: [],
    });
    try {
      const signalled = await eventually(
        async () => {
          const ids = await signalUntracked(temporal.client);
          expect(ids).toContain(untracked.workflowId);
          return ids;
        },
        { timeoutMs: 20_000 },
      );
      expect(signalled).not.toContain(`device-${expired.id}`);
      expect(signalled).not.toContain(`device-${current.id}`);
      const events = (await untracked.fetchHistory()).events ?? [];
      expect(events.map((event) => event.workflowExecutionSignaledEventAttributes?.signalName).filter(Boolean)).toContain(
        'startOverdueTracking',
      );
      let printed = '';
      const out = new PassThrough().on('data', (chunk: Buffer) => (printed += chunk.toString()));
      expect(await runTrackOverdue([], { client: temporal.client, out })).toBe(0);
      expect(printed).toMatch(/^signalled [1-9]\d* running obligation workflows without KlarOverdue\n$/);
      expect(await runTrackOverdue(['--all'], { client: temporal.client, out })).toBe(2);
    } finally {
      await untracked.terminate('test over');
    }
  });
});

describe('Temporal Web UI', () => {
  test('is linked for operators only; compliance officers and managers never get its address', async () => {
    process.env.TEMPORAL_UI_URL = 'http://temporal-ui.intern:8233';
    try {
      const operator = await createLoginUser(database, orgA.organisation.id, 'operator');
      const linkFor = async (cookie: string) => dataOf(await run(rootLoader, makeRequest('/', { cookie }))).user?.temporalUi;
      expect(await linkFor(await cookieFor(operator))).toBe('http://temporal-ui.intern:8233');
      expect(await linkFor(officerCookie)).toBeNull();
      expect(await linkFor(managerCookie)).toBeNull();
    } finally {
      delete process.env.TEMPORAL_UI_URL;
    }
  });
});
