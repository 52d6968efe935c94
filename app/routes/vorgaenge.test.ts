// Tickets and appointments as the browser meets them: loaders and actions called with real session
// cookies, workflows running on a worker of this file. Who may see and do what, and that the
// workflow's refusals reach the page in German.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { User } from '../../db';
import { cookieFor, createLoginUser, dataOf, makeRequest, run, testDb, type WebFixture, createWebFixture } from '../../tests/support/web';
import { eventually } from '../../tests/support/eventually';
import { uniqueSuffix } from '../../tests/support/fixtures';
import { bundleWorkflows, startTestWorker, type RunningWorker } from '../../tests/support/temporal';
import { action as newTicketAction, loader as newTicketLoader } from './anliegen.neu';
import { loader as myTicketsLoader } from './anliegen._index';
import { action as myTicketAction, loader as myTicketLoader } from './anliegen.$id';
import { loader as ticketsLoader } from './vorgaenge._index';
import { action as ticketAction, loader as ticketLoader } from './vorgaenge.$id';
import { action as newAppointmentAction } from './termine.neu';
import { loader as appointmentsLoader } from './termine._index';
import { action as appointmentAction, loader as appointmentLoader } from './termine.$id';
import { action as settingsAction, loader as settingsLoader } from './einstellungen.benachrichtigungen';
import { loader as mailSinkLoader } from './entwicklung.mails';

const database = testDb();
let f: WebFixture;
let worker: RunningWorker;
let compliance: User;
let otherTechnician: User;
const cookies = {} as Record<'manager' | 'tenant' | 'otherTenant' | 'technician' | 'otherTechnician' | 'compliance' | 'owner', string>;

beforeAll(async () => {
  // The app starts workflows on TEMPORAL_TASK_QUEUE; this file's worker serves its own queue.
  process.env.TEMPORAL_TASK_QUEUE = `web-tickets-${uniqueSuffix()}`;
  worker = await startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE, db: database, workflowBundle: await bundleWorkflows() });
  f = await createWebFixture(database);
  compliance = await createLoginUser(database, f.organisation.id, 'compliance');
  otherTechnician = await createLoginUser(database, f.organisation.id, 'technician');
  await f.otherProperty.update({ technicianId: otherTechnician.id });
  for (const [name, user] of Object.entries({
    manager: f.manager,
    tenant: f.tenant,
    otherTenant: f.otherTenant,
    technician: f.technician,
    otherTechnician,
    compliance,
    owner: f.owner,
  })) {
    cookies[name as keyof typeof cookies] = await cookieFor(user);
  }
});

afterAll(async () => {
  await worker?.stop();
  await database.close();
});

function redirectTarget(outcome: Awaited<ReturnType<typeof run>>): string | null {
  return outcome.kind === 'response' ? outcome.response.headers.get('Location') : null;
}

async function fileTicket(cookie: string, form: Record<string, string> = {}): Promise<number> {
  const outcome = await run(
    newTicketAction,
    makeRequest('/anliegen/neu', {
      cookie,
      form: { unitId: String(f.unit.id), topic: 'hot_water', subject: 'Bad', body: 'Seit heute kein Warmwasser.', ...form },
    }),
  );
  const location = redirectTarget(outcome);
  expect(location).toMatch(/^\/anliegen\/\d+$/);
  return Number(location!.split('/').pop());
}

describe('tickets', () => {
  let ticketId: number;

  beforeAll(async () => {
    ticketId = await fileTicket(cookies.tenant);
  });

  test('the tenant files for its own unit only; the form checks its fields', async () => {
    const { units } = dataOf(await run(newTicketLoader, makeRequest('/anliegen/neu', { cookie: cookies.tenant })));
    expect(units.map((u) => u.id)).toEqual([f.unit.id]);
    const foreignUnit = await run(
      newTicketAction,
      makeRequest('/anliegen/neu', {
        cookie: cookies.tenant,
        form: { unitId: String(f.otherUnit.id), topic: 'reading', subject: 'x', body: 'y' },
      }),
    );
    expect(dataOf(foreignUnit).errors).toEqual({ unitId: 'Bitte wählen Sie Ihre Wohnung.' });
    const empty = dataOf(
      await run(
        newTicketAction,
        makeRequest('/anliegen/neu', {
          cookie: cookies.tenant,
          form: { unitId: String(f.unit.id), topic: 'bogus', subject: '', body: '' },
        }),
      ),
    );
    expect(Object.keys(empty.errors).sort()).toEqual(['body', 'subject', 'topic']);
    const manager = await run(newTicketLoader, makeRequest('/anliegen/neu', { cookie: cookies.manager }));
    expect(manager.kind === 'response' && manager.status).toBe(403);
  });

  test('the tenant sees its ticket; another tenant of the same house gets 404, also when posting', async () => {
    const own = dataOf(
      await run(myTicketLoader, makeRequest(`/anliegen/${ticketId}`, { cookie: cookies.tenant }), { id: String(ticketId) }),
    );
    expect(own.ticket).toMatchObject({ id: ticketId, status: 'open', statusLabel: 'Eingegangen' });
    expect(own.ticket.answerBy).not.toBeNull();
    expect(own.timeline.map((t) => [t.label, t.actor])).toEqual([['Erstellt', 'Sie']]);

    const other = await run(myTicketLoader, makeRequest(`/anliegen/${ticketId}`, { cookie: cookies.otherTenant }), {
      id: String(ticketId),
    });
    expect(other.kind === 'response' && other.status).toBe(404);
    const otherPost = await run(
      myTicketAction,
      makeRequest(`/anliegen/${ticketId}`, { cookie: cookies.otherTenant, form: { intent: 'close', text: '' } }),
      { id: String(ticketId) },
    );
    expect(otherPost.kind === 'response' && otherPost.status).toBe(404);
    const { tickets } = dataOf(await run(myTicketsLoader, makeRequest('/anliegen', { cookie: cookies.otherTenant })));
    expect(tickets).toEqual([]);
  });

  test('staff pages: the manager handles, compliance reads, the technician works on its property’s, tenants and owners are refused', async () => {
    // Device work: the workflow assigns it to the property's technician as its first step.
    await eventually(async () => {
      const list = dataOf(await run(ticketsLoader, makeRequest('/vorgaenge', { cookie: cookies.manager })));
      const row = list.tickets.find((t) => t.id === ticketId)!;
      expect(row).toMatchObject({
        category: 'device_report',
        priority: 'urgent',
        statusLabel: 'In Bearbeitung',
        assigneeName: f.technician.name,
        sla: { measure: 'reaction', state: 'running', clock: 'calendar' },
      });
      expect(list.counts.active).toBeGreaterThanOrEqual(1);
    });

    const read = dataOf(
      await run(ticketLoader, makeRequest(`/vorgaenge/${ticketId}`, { cookie: cookies.compliance }), { id: String(ticketId) }),
    );
    expect(read.canHandle).toBe(false);
    expect(read.deadlines.map((d) => d.name)).toEqual(['Reaktion', 'Lösung (Runde 1)']);
    expect(read.deadlines[0]!.budget).toBe('2 h');
    const compliancePost = await run(
      ticketAction,
      makeRequest(`/vorgaenge/${ticketId}`, { cookie: cookies.compliance, form: { intent: 'resolve', text: 'x' } }),
      { id: String(ticketId) },
    );
    expect(compliancePost.kind === 'response' && compliancePost.status).toBe(403);

    const technician = dataOf(
      await run(ticketLoader, makeRequest(`/vorgaenge/${ticketId}`, { cookie: cookies.technician }), { id: String(ticketId) }),
    );
    expect({ canHandle: technician.canHandle, canRoute: technician.canRoute, assignees: technician.assignees }).toEqual({
      canHandle: true,
      canRoute: false,
      assignees: [],
    });
    const foreignTechnician = await run(ticketLoader, makeRequest(`/vorgaenge/${ticketId}`, { cookie: cookies.otherTechnician }), {
      id: String(ticketId),
    });
    expect(foreignTechnician.kind === 'response' && foreignTechnician.status).toBe(404);
    // The tenant reads its ticket on its own page only.
    const tenantStaffPage = await run(ticketLoader, makeRequest(`/vorgaenge/${ticketId}`, { cookie: cookies.tenant }), {
      id: String(ticketId),
    });
    expect(tenantStaffPage.kind === 'response' && tenantStaffPage.status).toBe(404);
    const ownerPage = await run(ticketLoader, makeRequest(`/vorgaenge/${ticketId}`, { cookie: cookies.owner }), { id: String(ticketId) });
    expect(ownerPage.kind === 'response' && ownerPage.status).toBe(403);
    for (const role of ['tenant', 'owner'] as const) {
      const post = await run(
        ticketAction,
        makeRequest(`/vorgaenge/${ticketId}`, { cookie: cookies[role], form: { intent: 'resolve', text: 'x' } }),
        { id: String(ticketId) },
      );
      expect(post.kind === 'response' && post.status, role).toBe(403);
    }
    const stranger = await createLoginUser(
      database,
      (await database.models.Organisation.create({ name: 'Fremdverwaltung' })).id,
      'manager',
    );
    const foreign = await run(ticketLoader, makeRequest(`/vorgaenge/${ticketId}`, { cookie: await cookieFor(stranger) }), {
      id: String(ticketId),
    });
    expect(foreign.kind === 'response' && foreign.status).toBe(404);
  });

  test('the manager assigns, asks, resolves; the tenant answers and sees each status; refusals come back in German', async () => {
    const post = (cookie: string, form: Record<string, string>, action = ticketAction) =>
      run(action, makeRequest(`/vorgaenge/${ticketId}`, { cookie, form }), { id: String(ticketId) }).then(dataOf);

    expect(await post(cookies.manager, { intent: 'assign', assigneeId: String(f.manager.id) })).toEqual({
      ok: true,
      message: 'Der Vorgang wurde zugewiesen.',
    });
    expect(await post(cookies.manager, { intent: 'assign', assigneeId: String(f.tenant.id) })).toEqual({
      ok: false,
      message: 'Bitte wählen Sie eine zuständige Person.',
    });
    expect(await post(cookies.manager, { intent: 'ask', text: 'Betrifft es Küche und Bad?' })).toMatchObject({ ok: true });
    const waiting = dataOf(
      await run(myTicketLoader, makeRequest(`/anliegen/${ticketId}`, { cookie: cookies.tenant }), { id: String(ticketId) }),
    );
    expect(waiting.ticket.statusLabel).toBe('Wartet auf Ihre Antwort');

    expect(await post(cookies.tenant, { intent: 'reply', text: 'Nur das Bad.' }, myTicketAction)).toEqual({
      ok: true,
      message: 'Ihre Nachricht wurde gesendet.',
    });
    expect(await post(cookies.manager, { intent: 'resolve', text: 'Boiler neu gestartet.' })).toEqual({
      ok: true,
      message: 'Der Vorgang ist gelöst.',
    });
    expect(await post(cookies.manager, { intent: 'resolve', text: 'Nochmal.' })).toEqual({
      ok: false,
      message: 'Der Vorgang ist bereits gelöst.',
    });

    const resolved = dataOf(
      await run(myTicketLoader, makeRequest(`/anliegen/${ticketId}`, { cookie: cookies.tenant }), { id: String(ticketId) }),
    );
    expect(resolved.ticket.statusLabel).toBe('Gelöst');
    expect(resolved.timeline.map((t) => t.label)).toEqual([
      'Erstellt',
      `Zugewiesen an ${f.technician.name}`,
      `Zugewiesen an ${f.manager.name}`,
      'Rückfrage an den Mieter',
      'Antwort des Mieters',
      'Gelöst',
    ]);

    const staff = dataOf(
      await run(ticketLoader, makeRequest(`/vorgaenge/${ticketId}`, { cookie: cookies.manager }), { id: String(ticketId) }),
    );
    expect(staff.ticket.status).toBe('resolved');
    expect(staff.deadlines.map((d) => d.stateLabel)).toEqual(['Eingehalten', 'Eingehalten']);

    // The tenant was told about each status change in its inbox.
    await eventually(async () => {
      const titles = (await database.models.Notification.findAll({ where: { userId: f.tenant.id }, order: [['id', 'ASC']] })).map(
        (n) => n.title,
      );
      expect(titles).toEqual(
        expect.arrayContaining([
          `Ihr Anliegen #${ticketId} ist eingegangen`,
          `Ihr Anliegen #${ticketId} wird bearbeitet`,
          `Rückfrage zu Ihrem Anliegen #${ticketId}`,
          `Ihr Anliegen #${ticketId} wurde gelöst`,
        ]),
      );
    });

    expect(await post(cookies.tenant, { intent: 'close', text: '' }, myTicketAction)).toEqual({
      ok: true,
      message: 'Ihr Anliegen ist geschlossen.',
    });
    expect(await post(cookies.tenant, { intent: 'reopen', text: 'Doch nicht.' }, myTicketAction)).toEqual({
      ok: false,
      message: 'Ein geschlossener Vorgang kann nicht wieder geöffnet werden.',
    });
  });
});

describe('appointments', () => {
  let appointmentId: number;
  const tomorrowPlus = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    const outcome = await run(
      newAppointmentAction,
      makeRequest('/termine/neu', {
        cookie: cookies.tenant,
        form: {
          unitId: String(f.unit.id),
          reason: 'reading',
          note: '',
          slot1Date: tomorrowPlus(3),
          slot1Window: '08-10',
          slot2Date: tomorrowPlus(4),
          slot2Window: '14-16',
        },
      }),
    );
    appointmentId = Number(redirectTarget(outcome)!.split('/').pop());
  });

  test('a request needs at least one future slot', async () => {
    const outcome = await run(
      newAppointmentAction,
      makeRequest('/termine/neu', { cookie: cookies.tenant, form: { unitId: String(f.unit.id), reason: 'reading' } }),
    );
    expect(dataOf(outcome)).toEqual({ error: 'Bitte geben Sie mindestens einen Termin an.' });
  });

  test('the technician sees only its properties’ requests; others get 404', async () => {
    const own = dataOf(await run(appointmentsLoader, makeRequest('/termine', { cookie: cookies.technician })));
    expect(own.appointments.map((a) => a.id)).toContain(appointmentId);
    expect(own.appointments[0]).toMatchObject({ reasonLabel: 'Ablesung', statusLabel: 'Angefragt' });
    const other = dataOf(await run(appointmentsLoader, makeRequest('/termine', { cookie: cookies.otherTechnician })));
    expect(other.appointments).toEqual([]);
    for (const role of ['otherTechnician', 'otherTenant'] as const) {
      const outcome = await run(appointmentLoader, makeRequest(`/termine/${appointmentId}`, { cookie: cookies[role] }), {
        id: String(appointmentId),
      });
      expect(outcome.kind === 'response' && outcome.status, role).toBe(404);
    }
    const otherPost = await run(
      appointmentAction,
      makeRequest(`/termine/${appointmentId}`, { cookie: cookies.otherTechnician, form: { intent: 'choose', position: '0' } }),
      { id: String(appointmentId) },
    );
    expect(otherPost.kind === 'response' && otherPost.status).toBe(404);
    const owner = await run(appointmentsLoader, makeRequest('/termine', { cookie: cookies.owner }));
    expect(owner.kind === 'response' && owner.status).toBe(403);
    const managers = dataOf(await run(appointmentsLoader, makeRequest('/termine', { cookie: cookies.manager })));
    expect(managers.appointments.map((a) => a.id)).toContain(appointmentId);
  });

  test('the technician confirms a wish; the tenant sees it confirmed and cannot confirm its own wishes', async () => {
    const detail = dataOf(
      await run(appointmentLoader, makeRequest(`/termine/${appointmentId}`, { cookie: cookies.technician }), { id: String(appointmentId) }),
    );
    expect(detail.can).toMatchObject({ choose: [0, 1], propose: true, outcome: false, cancel: true });
    const tenantView = dataOf(
      await run(appointmentLoader, makeRequest(`/termine/${appointmentId}`, { cookie: cookies.tenant }), { id: String(appointmentId) }),
    );
    expect(tenantView.can).toMatchObject({ choose: [], propose: false, cancel: true });
    const tenantTry = await run(
      appointmentAction,
      makeRequest(`/termine/${appointmentId}`, { cookie: cookies.tenant, form: { intent: 'choose', position: '0' } }),
      { id: String(appointmentId) },
    );
    expect(dataOf(tenantTry)).toEqual({ ok: false, message: 'Bitte warten Sie auf die Bestätigung durch die Technik.' });

    const confirmed = await run(
      appointmentAction,
      makeRequest(`/termine/${appointmentId}`, { cookie: cookies.technician, form: { intent: 'choose', position: '1' } }),
      { id: String(appointmentId) },
    );
    expect(dataOf(confirmed)).toEqual({ ok: true, message: 'Der Termin ist bestätigt.' });
    const after = dataOf(
      await run(appointmentLoader, makeRequest(`/termine/${appointmentId}`, { cookie: cookies.tenant }), { id: String(appointmentId) }),
    );
    expect(after.appointment).toMatchObject({ status: 'confirmed', statusLabel: 'Bestätigt', confirmedSlot: 1 });
    expect(after.appointment.slots.find((s) => s.confirmed)?.label).toMatch(/14:00–16:00 Uhr$/);
  });
});

describe('notification settings and the development mail sink', () => {
  test('each user sets its own channels per topic of its role', async () => {
    const before = dataOf(await run(settingsLoader, makeRequest('/einstellungen/benachrichtigungen', { cookie: cookies.tenant })));
    expect(before.topics.map((t) => [t.topic, t.inPortal, t.email])).toEqual([
      ['ticket', true, true],
      ['appointment', true, true],
      ['statement', true, true],
      ['monthly-information', true, true],
    ]);
    expect(before.topics.find((t) => t.topic === 'statement')?.label).toBe('Heizkostenabrechnungen');
    await run(
      settingsAction,
      makeRequest('/einstellungen/benachrichtigungen', {
        cookie: cookies.tenant,
        form: { 'ticket:portal': 'on', 'appointment:email': 'on', 'statement:portal': 'on', 'monthly-information:email': 'on' },
      }),
    );
    const after = dataOf(await run(settingsLoader, makeRequest('/einstellungen/benachrichtigungen', { cookie: cookies.tenant })));
    expect(after.topics.map((t) => [t.topic, t.inPortal, t.email])).toEqual([
      ['ticket', true, false],
      ['appointment', false, true],
      ['statement', true, false],
      ['monthly-information', false, true],
    ]);
    const topicsOf = async (cookie: string) =>
      dataOf(await run(settingsLoader, makeRequest('/einstellungen/benachrichtigungen', { cookie }))).topics.map((t) => t.topic);
    expect(await topicsOf(cookies.manager)).toEqual([
      'ticket',
      'ticket-escalation',
      'appointment',
      'device',
      'statement',
      'monthly-information',
      'archive',
    ]);
    expect(await topicsOf(cookies.owner)).toEqual(['device', 'statement']);
    expect(await topicsOf(cookies.technician)).toEqual(['appointment', 'device']);
    expect(await topicsOf(cookies.compliance)).toEqual([]);
  });

  test('the sink shows managers their organisation’s mails, only while no SMTP_URL is set', async () => {
    const { mails } = dataOf(await run(mailSinkLoader, makeRequest('/entwicklung/mails', { cookie: cookies.manager })));
    expect(mails.length).toBeGreaterThan(0);
    const addresses = new Set((await database.models.User.findAll({ where: { organisationId: f.organisation.id } })).map((u) => u.email));
    expect(mails.every((m) => addresses.has(m.toAddress))).toBe(true);
    const tenant = await run(mailSinkLoader, makeRequest('/entwicklung/mails', { cookie: cookies.tenant }));
    expect(tenant.kind === 'response' && tenant.status).toBe(404);
    process.env.SMTP_URL = 'smtp://127.0.0.1:2525';
    try {
      const withSmtp = await run(mailSinkLoader, makeRequest('/entwicklung/mails', { cookie: cookies.manager }));
      expect(withSmtp.kind === 'response' && withSmtp.status).toBe(404);
    } finally {
      delete process.env.SMTP_URL;
    }
  });
});
