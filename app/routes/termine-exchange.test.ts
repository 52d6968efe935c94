// The tenant's answer to the portal's device-exchange offer on /termine/$id, as the browser meets it:
// loaders and actions with real session cookies, the offer filed by the real obligation code, the
// appointment workflow on this file's worker (Temporal dev server), PostgreSQL of the run. The tenant
// picks an offered slot or proposes own ones; the technician sees the counter-proposal and confirms one.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addDays } from '../../domain/dates';
import { calendarDate } from '../../domain/calendar';
import { connectTestClient, bundleWorkflows, startTestWorker, type RunningWorker, type TestClient } from '../../tests/support/temporal';
import { cookieFor, createWebFixture, dataOf, makeRequest, run, testDb, type WebFixture } from '../../tests/support/web';
import { uniqueSuffix } from '../../tests/support/fixtures';
import { fileExchangeOffer } from '../../tests/support/exchange-offer';
import { action as newAppointmentAction } from './termine.neu';
import { action as appointmentAction, loader as appointmentLoader } from './termine.$id';
import { loader as workListLoader } from './arbeitsliste';

const database = testDb();
// Several Temporal round trips per test on a loaded two-core machine.
const TIMEOUT_MS = 120_000;
let f: WebFixture;
let worker: RunningWorker;
let temporal: TestClient;
const cookies = {} as Record<'tenant' | 'otherTenant' | 'technician' | 'manager', string>;
// Berlin's today: the form's dates are local dates. Only distances matter below, no weekdays or month ends.
const today = calendarDate(new Date());
const dueAt = addDays(today, 40);

beforeAll(async () => {
  process.env.TEMPORAL_TASK_QUEUE = `web-exchange-${uniqueSuffix()}`;
  worker = await startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE, db: database, workflowBundle: await bundleWorkflows() });
  temporal = await connectTestClient();
  f = await createWebFixture(database);
  cookies.tenant = await cookieFor(f.tenant);
  cookies.otherTenant = await cookieFor(f.otherTenant);
  cookies.technician = await cookieFor(f.technician);
  cookies.manager = await cookieFor(f.manager);
});

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await database.close();
});

const exchangeOffer = () => fileExchangeOffer(database, f, { dueAt, client: temporal.client, taskQueue: process.env.TEMPORAL_TASK_QUEUE! });

const page = async (cookie: string, id: number) =>
  dataOf(await run(appointmentLoader, makeRequest(`/termine/${id}`, { cookie }), { id: String(id) }));
const post = (cookie: string, id: number, form: Record<string, string>) =>
  run(appointmentAction, makeRequest(`/termine/${id}`, { cookie, form }), { id: String(id) });

const slot = (n: number, date: string, from: string, to: string) => ({
  [`counter${n}Date`]: date,
  [`counter${n}From`]: from,
  [`counter${n}To`]: to,
});

describe('the tenant answers the exchange offer with own slots', () => {
  let offerId: number;
  beforeAll(async () => {
    offerId = await exchangeOffer();
  });

  test(
    'only the request’s tenant gets the form; another tenant gets 404, the technician 403',
    async () => {
      const tenant = await page(cookies.tenant, offerId);
      expect(tenant.appointment).toMatchObject({ status: 'proposed', reasonLabel: 'Gerätetausch' });
      expect(tenant.can).toMatchObject({ choose: [0, 1, 2], counter: true, propose: false });
      expect(tenant.exchangeDueAt).toBe(dueAt);
      expect((await page(cookies.technician, offerId)).can).toMatchObject({ counter: false, choose: [] });

      const form = { intent: 'counter', ...slot(1, addDays(today, 3), '09:00', '11:00') };
      const other = await post(cookies.otherTenant, offerId, form);
      expect(other.kind === 'response' && other.status).toBe(404);
      const technician = await post(cookies.technician, offerId, form);
      expect(technician.kind === 'response' && technician.status).toBe(403);
      expect((await page(cookies.tenant, offerId)).appointment.status).toBe('proposed');
    },
    TIMEOUT_MS,
  );

  test(
    'bad slots come back with German messages naming the field, the entries kept, nothing sent',
    async () => {
      const outcome = dataOf(
        await post(cookies.tenant, offerId, {
          intent: 'counter',
          ...slot(1, addDays(today, -1), '09:00', '11:00'),
          ...slot(2, addDays(dueAt, 1), '09:00', '11:00'),
          ...slot(3, addDays(today, 4), '12:00', '10:00'),
          counterNote: 'Vormittags geht es nicht.',
        }),
      );
      expect(outcome).toMatchObject({
        ok: false,
        message: 'Termin 1, Datum: Der Termin muss in der Zukunft liegen.',
        errors: {
          counter1Date: 'Termin 1, Datum: Der Termin muss in der Zukunft liegen.',
          counter2Date: expect.stringMatching(/^Termin 2, Datum: Der Termin muss spätestens am \d\d\.\d\d\.\d{4} liegen/),
          counter3To: 'Termin 3, bis: Das Ende muss nach dem Beginn (12:00 Uhr) liegen.',
        },
        values: { counter3From: '12:00', counterNote: 'Vormittags geht es nicht.' },
      });
      const after = await page(cookies.tenant, offerId);
      expect(after.appointment.status).toBe('proposed');
      expect(after.timeline).toHaveLength(1);
    },
    TIMEOUT_MS,
  );

  test(
    'the counter-proposal reaches the technician (page and work list), who confirms one; all in the history',
    async () => {
      const sent = dataOf(
        await post(cookies.tenant, offerId, {
          intent: 'counter',
          ...slot(1, addDays(today, 3), '17:00', '18:30'),
          ...slot(3, addDays(today, 5), '07:30', '08:15'),
          counterNote: 'Nur abends oder ganz früh.',
        }),
      );
      expect(sent).toEqual({ ok: true, message: 'Ihre Terminvorschläge wurden an die Technik gesendet.' });

      const tenant = await page(cookies.tenant, offerId);
      expect(tenant.appointment).toMatchObject({ status: 'requested', openOffer: [3, 4] });
      expect(tenant.can).toMatchObject({ counter: false, choose: [] });
      expect(tenant.counterProposal).toBe(true);
      expect(tenant.appointment.slots.filter((s) => s.offeredBy === 'tenant').map((s) => s.label)).toEqual([
        expect.stringMatching(/17:00–18:30 Uhr$/),
        expect.stringMatching(/07:30–08:15 Uhr$/),
      ]);
      expect(tenant.timeline.map((t) => [t.label, t.actor, t.body])).toEqual([
        ['Terminangebot zum Gerätetausch', 'Klarmeter', expect.stringContaining('bitte wählen Sie einen Termin')],
        ['Gegenvorschlag der Mietpartei', 'Sie', 'Nur abends oder ganz früh.'],
      ]);

      const technician = await page(cookies.technician, offerId);
      expect(technician.can).toMatchObject({ choose: [3, 4], counter: false });
      expect(technician.counterProposal).toBe(true);
      const list = dataOf(await run(workListLoader, makeRequest('/arbeitsliste', { cookie: cookies.technician })));
      expect(list.appointments.find((a) => a.id === offerId)).toMatchObject({
        counterProposal: true,
        statusLabel: 'Angefragt',
        when: [expect.stringMatching(/17:00–18:30 Uhr$/), expect.stringMatching(/07:30–08:15 Uhr$/)],
      });

      // The tenant cannot counter twice while the technician's answer is due.
      const again = dataOf(await post(cookies.tenant, offerId, { intent: 'counter', ...slot(1, addDays(today, 6), '09:00', '10:00') }));
      expect(again).toEqual({ ok: false, message: 'Nur die Technik kann andere Termine vorschlagen.' });

      expect(dataOf(await post(cookies.technician, offerId, { intent: 'choose', position: '4' }))).toEqual({
        ok: true,
        message: 'Der Termin ist bestätigt.',
      });
      const confirmed = await page(cookies.tenant, offerId);
      expect(confirmed.appointment).toMatchObject({ status: 'confirmed', confirmedSlot: 4 });
      expect(confirmed.counterProposal).toBe(false);
      expect(confirmed.timeline.map((t) => [t.label, t.actor])).toEqual([
        ['Terminangebot zum Gerätetausch', 'Klarmeter'],
        ['Gegenvorschlag der Mietpartei', 'Sie'],
        ['Termin bestätigt', f.technician.name],
      ]);
      const technicianView = await page(cookies.technician, offerId);
      expect(technicianView.timeline.map((t) => [t.label, t.actor])[1]).toEqual(['Gegenvorschlag der Mietpartei', f.tenant.name]);
      const listed = dataOf(await run(workListLoader, makeRequest('/arbeitsliste', { cookie: cookies.manager })));
      expect(listed.appointments.find((a) => a.id === offerId)).toMatchObject({ counterProposal: false, confirmed: true });
    },
    TIMEOUT_MS,
  );
});

test(
  'an ordinary request shows no form and refuses own slots from the tenant',
  async () => {
    const filed = await run(
      newAppointmentAction,
      makeRequest('/termine/neu', {
        cookie: cookies.tenant,
        form: { unitId: String(f.unit.id), reason: 'device_exchange', note: '', slot1Date: addDays(today, 3), slot1Window: '08-10' },
      }),
    );
    const location = filed.kind === 'response' ? filed.response.headers.get('Location') : null;
    expect(location).toMatch(/^\/termine\/\d+$/);
    const id = Number(location!.split('/').pop());
    const tenant = await page(cookies.tenant, id);
    expect(tenant.can.counter).toBe(false);
    expect(tenant.exchangeDueAt).toBeNull();
    expect(dataOf(await post(cookies.tenant, id, { intent: 'counter', ...slot(1, addDays(today, 4), '09:00', '10:00') }))).toEqual({
      ok: false,
      message: 'Eigene Termine können Sie nur auf ein Terminangebot zum Gerätetausch vorschlagen.',
    });
    expect((await page(cookies.tenant, id)).timeline).toHaveLength(1);
  },
  TIMEOUT_MS,
);
