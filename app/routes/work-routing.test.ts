// Work routing (issue 14, item 6) on real Temporal and PostgreSQL: the manager sets the property's
// technician, device work goes to it through the ticket workflow (history line, audit), tickets can
// be assigned to technicians, and a technician's work list and ticket pages show exactly its own.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { User } from '../../db';
import { liveEventFor } from '../../server/live';
import { cookieFor, createLoginUser, createWebFixture, dataOf, makeRequest, run, testDb, type WebFixture } from '../../tests/support/web';
import { eventually } from '../../tests/support/eventually';
import { uniqueSuffix } from '../../tests/support/fixtures';
import { bundleWorkflows, startTestWorker, type RunningWorker } from '../../tests/support/temporal';
import { action as newTicketAction } from './anliegen.neu';
import { action as ticketAction, loader as ticketLoader } from './vorgaenge.$id';
import { loader as workListLoader } from './arbeitsliste';
import { action as propertyAction, loader as propertyLoader } from './liegenschaften.$id';

const database = testDb();
let f: WebFixture;
let worker: RunningWorker;
let second: User;
const cookies = {} as Record<'manager' | 'tenant' | 'technician' | 'second', string>;

beforeAll(async () => {
  process.env.TEMPORAL_TASK_QUEUE = `web-routing-${uniqueSuffix()}`;
  worker = await startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE, db: database, workflowBundle: await bundleWorkflows() });
  f = await createWebFixture(database);
  second = await createLoginUser(database, f.organisation.id, 'technician');
  cookies.manager = await cookieFor(f.manager);
  cookies.tenant = await cookieFor(f.tenant);
  cookies.technician = await cookieFor(f.technician);
  cookies.second = await cookieFor(second);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await database.close();
});

async function fileTicket(topic: string, subject: string): Promise<number> {
  const outcome = await run(
    newTicketAction,
    makeRequest('/anliegen/neu', { cookie: cookies.tenant, form: { unitId: String(f.unit.id), topic, subject, body: `${subject}.` } }),
  );
  const location = outcome.kind === 'response' ? outcome.response.headers.get('Location') : null;
  expect(location).toMatch(/^\/anliegen\/\d+$/);
  return Number(location!.split('/').pop());
}

const page = async (cookie: string, ticketId: number) =>
  run(ticketLoader, makeRequest(`/vorgaenge/${ticketId}`, { cookie }), { id: String(ticketId) });
const post = async (cookie: string, ticketId: number, form: Record<string, string>) =>
  run(ticketAction, makeRequest(`/vorgaenge/${ticketId}`, { cookie, form }), { id: String(ticketId) });
const workList = async (cookie: string) => dataOf(await run(workListLoader, makeRequest('/arbeitsliste', { cookie })));

describe('the property’s technician', () => {
  test('the manager chooses it on the property page, audited; a non-technician is refused naming the field', async () => {
    const setTechnician = (technicianId: string) =>
      run(propertyAction, makeRequest(`/liegenschaften/${f.property.id}`, { cookie: cookies.manager, form: { technicianId } }), {
        id: String(f.property.id),
      }).then(dataOf);
    expect(await setTechnician(String(f.tenant.id))).toEqual({
      ok: false,
      message: 'Techniker: Bitte wählen Sie einen Techniker Ihrer Organisation.',
    });
    expect(await setTechnician(String(second.id))).toEqual({ ok: true, message: `${second.name} betreut jetzt diese Liegenschaft.` });
    expect(await setTechnician(String(f.technician.id))).toMatchObject({ ok: true });
    const audited = await database.models.AuditEntry.findAll({
      where: { action: 'property.technician_set', entityId: String(f.property.id) },
      order: [['id', 'ASC']],
    });
    expect(audited.map((a) => a.details)).toEqual([
      { before: f.technician.id, after: second.id },
      { before: second.id, after: f.technician.id },
    ]);
    const { technicians } = dataOf(
      await run(propertyLoader, makeRequest(`/liegenschaften/${f.property.id}`, { cookie: cookies.manager }), {
        id: String(f.property.id),
      }),
    );
    expect(technicians?.current).toEqual({ id: f.technician.id, name: f.technician.name });
    expect(technicians?.options.map((t) => t.id)).toEqual(expect.arrayContaining([f.technician.id, second.id]));
    const byTechnician = await run(
      propertyAction,
      makeRequest(`/liegenschaften/${f.property.id}`, { cookie: cookies.technician, form: { technicianId: '' } }),
      { id: String(f.property.id) },
    );
    expect(byTechnician.kind === 'response' && byTechnician.status).toBe(403);
  });
});

describe('routing tickets', () => {
  let deviceTicket: number;
  let question: number;

  beforeAll(async () => {
    deviceTicket = await fileTicket('device', 'Rauchwarnmelder piept');
    question = await fileTicket('other', 'Frage zur Hausordnung');
  });

  test('device work goes to the property’s technician through the workflow: history line and audit; a question waits for a manager', async () => {
    await eventually(async () => {
      const detail = dataOf(await page(cookies.manager, deviceTicket));
      expect(detail.ticket).toMatchObject({ assigneeId: f.technician.id, status: 'in_progress' });
      expect(detail.timeline.map((t) => [t.label, t.actor])).toEqual([
        ['Erstellt', f.tenant.name],
        [`Zugewiesen an ${f.technician.name}`, 'Klarmeter'],
      ]);
    });
    const audit = await database.models.AuditEntry.findAll({ where: { action: 'ticket.assigned', entityId: String(deviceTicket) } });
    expect(audit.map((a) => [a.actor, a.details.assigneeId])).toEqual([['system', f.technician.id]]);

    const waiting = dataOf(await page(cookies.manager, question));
    expect(waiting.ticket.assigneeId).toBeNull();
    // Managers route to managers and technicians alike.
    expect(waiting.assignees).toEqual(
      expect.arrayContaining([
        { id: second.id, name: second.name, role: 'technician', label: `${second.name} (Technik)` },
        { id: f.manager.id, name: f.manager.name, role: 'manager', label: `${f.manager.name} (Verwaltung)` },
      ]),
    );
  });

  test('the technician’s work list: its assigned open tickets with SLA standing; it works on them but cannot route', async () => {
    const list = await workList(cookies.technician);
    expect(list.tickets.map((t) => t.id)).toEqual([deviceTicket]);
    expect(Object.values(list.standings).reduce((a, b) => a + b, 0)).toBe(1);
    expect(list.tickets[0]!.sla.measure).toBe('reaction');
    // The question is of its property: readable, but not its work.
    expect(dataOf(await page(cookies.technician, question)).ticket.id).toBe(question);

    expect(dataOf(await post(cookies.technician, deviceTicket, { intent: 'reply', text: 'Ich komme morgen vorbei.' }))).toEqual({
      ok: true,
      message: 'Die Antwort wurde gesendet.',
    });
    const assign = await post(cookies.technician, deviceTicket, { intent: 'assign', assigneeId: String(second.id) });
    expect(assign.kind === 'response' && assign.status).toBe(403);
    expect(dataOf(await post(cookies.technician, deviceTicket, { intent: 'resolve', text: 'Batterie getauscht.' }))).toMatchObject({
      ok: true,
    });
    await eventually(async () => expect((await workList(cookies.technician)).tickets).toEqual([]));
  });

  test('a manager assigns a ticket to a technician of another property: it sees that one, and nothing else there', async () => {
    expect(await page(cookies.second, question)).toMatchObject({ kind: 'response', status: 404 });
    expect(dataOf(await post(cookies.manager, question, { intent: 'assign', assigneeId: String(second.id) }))).toEqual({
      ok: true,
      message: 'Der Vorgang wurde zugewiesen.',
    });
    await eventually(async () => expect((await workList(cookies.second)).tickets.map((t) => t.id)).toEqual([question]));
    const detail = dataOf(await page(cookies.second, question));
    expect(detail.timeline.map((t) => t.label)).toContain(`Zugewiesen an ${second.name}`);
    expect(await page(cookies.second, deviceTicket)).toMatchObject({ kind: 'response', status: 404 });
    const audit = await database.models.AuditEntry.findAll({ where: { action: 'ticket.assigned', entityId: String(question) } });
    expect(audit.map((a) => [a.actorId, a.details.assigneeId])).toEqual([[f.manager.id, second.id]]);
  });

  test('live: the assignee hears of a ticket outside its properties; others of that property do not', () => {
    const event = {
      type: 'ticket',
      ticketId: question,
      propertyId: f.property.id,
      unitId: f.unit.id,
      userId: f.tenant.id,
      userIds: [second.id],
    };
    const elsewhere = { properties: [], propertyIds: [f.otherProperty.id], unitIds: null };
    expect(liveEventFor({ id: second.id, role: 'technician' }, elsewhere, event)).toMatchObject({ type: 'ticket', ticketId: question });
    expect(liveEventFor({ id: second.id + 100_000, role: 'technician' }, elsewhere, event)).toBeNull();
  });
});
