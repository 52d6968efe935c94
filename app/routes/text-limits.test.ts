// Free-text limits (issue 12): every text that travels to a workflow is checked against
// domain/text-limits.ts first and refused with a German message naming the field; nothing is cut.
// This file's task queue has no worker, so a text that reached Temporal would hang until the
// update's deadline: the quick, exact answers below show that it never got there.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cookieFor, createWebFixture, dataOf, makeRequest, run, testDb, type WebFixture } from '../../tests/support/web';
import { uniqueSuffix } from '../../tests/support/fixtures';
import { TEXT_LIMITS } from '../../domain/text-limits';
import { action as newTicketAction } from './anliegen.neu';
import { action as myTicketAction } from './anliegen.$id';
import { action as ticketAction } from './vorgaenge.$id';
import { action as newAppointmentAction } from './termine.neu';
import { action as appointmentAction } from './termine.$id';

const database = testDb();
let f: WebFixture;
const cookies = {} as Record<'manager' | 'tenant' | 'technician', string>;
let ticketId: number;
let appointmentId: number;

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const MB = 'x'.repeat(1_000_000);

beforeAll(async () => {
  process.env.TEMPORAL_TASK_QUEUE = `text-limits-no-worker-${uniqueSuffix()}`;
  f = await createWebFixture(database);
  cookies.manager = await cookieFor(f.manager);
  cookies.tenant = await cookieFor(f.tenant);
  cookies.technician = await cookieFor(f.technician);
  // Filing starts the workflows (on the queue nobody serves); their rows are what the pages act on.
  const filed = await run(
    newTicketAction,
    makeRequest('/anliegen/neu', {
      cookie: cookies.tenant,
      form: { unitId: String(f.unit.id), topic: 'hot_water', subject: 'Bad', body: 'Kalt.' },
    }),
  );
  ticketId = Number(filed.kind === 'response' && filed.response.headers.get('Location')!.split('/').pop());
  const requested = await run(
    newAppointmentAction,
    makeRequest('/termine/neu', {
      cookie: cookies.tenant,
      form: { unitId: String(f.unit.id), reason: 'reading', note: '', slot1Date: inDays(3), slot1Window: '08-10' },
    }),
  );
  appointmentId = Number(requested.kind === 'response' && requested.response.headers.get('Location')!.split('/').pop());
});

afterAll(async () => {
  await database.close();
});

const refusal = (label: string, max: number, length: number) =>
  `${label}: höchstens ${new Intl.NumberFormat('de-DE').format(max)} Zeichen erlaubt, Ihre Eingabe hat ${new Intl.NumberFormat('de-DE').format(length)}. Bitte kürzen Sie den Text.`;

/** Runs an action and checks it answered at once (a workflow update without a worker would take 20 s). */
async function quickly<T>(action: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await action();
  expect(performance.now() - started).toBeLessThan(3_000);
  return result;
}

describe('tickets', () => {
  test('a new ticket’s subject and description over their limits: German messages per field, nothing filed', async () => {
    const before = await database.models.Ticket.count({ where: { createdBy: f.tenant.id } });
    const outcome = await run(
      newTicketAction,
      makeRequest('/anliegen/neu', {
        cookie: cookies.tenant,
        form: { unitId: String(f.unit.id), topic: 'hot_water', subject: 's'.repeat(201), body: MB },
      }),
    );
    expect(dataOf(outcome).errors).toEqual({
      subject: refusal('Betreff', TEXT_LIMITS.ticketSubject, 201),
      body: refusal('Beschreibung', TEXT_LIMITS.ticketBody, 1_000_000),
    });
    expect(await database.models.Ticket.count({ where: { createdBy: f.tenant.id } })).toBe(before);
  });

  test('a 1 MB reply of the tenant is refused before it reaches Temporal', async () => {
    const outcome = await quickly(() =>
      run(myTicketAction, makeRequest(`/anliegen/${ticketId}`, { cookie: cookies.tenant, form: { intent: 'reply', text: MB } }), {
        id: String(ticketId),
      }),
    );
    expect(dataOf(outcome)).toEqual({ ok: false, message: refusal('Nachricht', TEXT_LIMITS.ticketMessage, 1_000_000) });
  });

  test.each(['reply', 'ask', 'resolve'])('the manager’s %s with 5,001 characters is refused the same way', async (intent) => {
    const outcome = await quickly(() =>
      run(ticketAction, makeRequest(`/vorgaenge/${ticketId}`, { cookie: cookies.manager, form: { intent, text: 'y'.repeat(5_001) } }), {
        id: String(ticketId),
      }),
    );
    expect(dataOf(outcome)).toEqual({ ok: false, message: refusal('Nachricht', TEXT_LIMITS.ticketMessage, 5_001) });
  });
});

describe('appointments', () => {
  test('a request’s note over 2,000 characters is refused, not cut; nothing is filed', async () => {
    const before = await database.models.AppointmentRequest.count({ where: { tenantId: f.tenant.id } });
    const outcome = await run(
      newAppointmentAction,
      makeRequest('/termine/neu', {
        cookie: cookies.tenant,
        form: { unitId: String(f.unit.id), reason: 'reading', note: 'n'.repeat(2_001), slot1Date: inDays(3), slot1Window: '08-10' },
      }),
    );
    expect(dataOf(outcome)).toEqual({ error: refusal('Hinweis', TEXT_LIMITS.appointmentNote, 2_001) });
    expect(await database.models.AppointmentRequest.count({ where: { tenantId: f.tenant.id } })).toBe(before);
  });

  test.each([
    ['done', 'note', 'Notiz', TEXT_LIMITS.appointmentNote],
    ['cancel', 'reason', 'Grund', TEXT_LIMITS.appointmentCancelReason],
  ] as const)('the technician’s %s with a 1 MB %s is refused before it reaches Temporal', async (intent, field, label, max) => {
    const outcome = await quickly(() =>
      run(appointmentAction, makeRequest(`/termine/${appointmentId}`, { cookie: cookies.technician, form: { intent, [field]: MB } }), {
        id: String(appointmentId),
      }),
    );
    expect(dataOf(outcome)).toEqual({ ok: false, message: refusal(label, max, 1_000_000) });
  });
});
