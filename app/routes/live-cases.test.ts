// New tickets and appointment requests reach open lists at once: filing one issues its live event
// in the filing transaction (delivered at commit), before any workflow step, to exactly the
// viewers whose pages show it.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { liveEventFor, liveHub, type LiveEvent } from '../../server/live';
import { visibleScope } from '../../server/permissions';
import { getOptionalUser } from '../../server/auth';
import { eventually } from '../../tests/support/eventually';
import { closeWebResources, cookieFor, createWebFixture, makeRequest, run, testDb, type WebFixture } from '../../tests/support/web';
import { action as newTicket } from './anliegen.neu';
import { action as newAppointment } from './termine.neu';

const database = testDb();
let f: WebFixture;
const events: LiveEvent[] = [];
let unsubscribe: () => void;

beforeAll(async () => {
  f = await createWebFixture(database);
  unsubscribe = liveHub().subscribe((event) => events.push(event));
  await liveHub().ensureConnected();
});

afterAll(async () => {
  unsubscribe?.();
  await closeWebResources();
});

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

async function idFiled(outcome: Awaited<ReturnType<typeof run>>): Promise<number> {
  const location = outcome.kind === 'response' ? outcome.response.headers.get('Location') : null;
  if (!location) throw new Error(`filing failed: ${JSON.stringify(outcome)}`);
  return Number(location.split('/').pop());
}

/** Who of the fixture's users would get the event on their stream. */
async function audience(event: LiveEvent) {
  const who = { manager: f.manager, technician: f.technician, owner: f.owner, tenant: f.tenant, otherTenant: f.otherTenant };
  const result: string[] = [];
  for (const [name, user] of Object.entries(who)) {
    const sessionUser = await getOptionalUser(makeRequest('/live', { cookie: await cookieFor(user) }));
    if (sessionUser && liveEventFor(sessionUser, await visibleScope(sessionUser), event)) result.push(name);
  }
  return result.sort();
}

test('a new ticket: its event reaches the managers, the property’s technician and the tenant who filed it, not owners or neighbours', async () => {
  const cookie = await cookieFor(f.tenant);
  const ticketId = await idFiled(
    await run(
      newTicket,
      makeRequest('/anliegen/neu', { cookie, form: { unitId: String(f.unit.id), topic: 'heating', subject: 'Heizung', body: 'Kalt.' } }),
    ),
  );
  const event = await eventually(() => {
    const found = events.find((e) => e.type === 'ticket' && e.ticketId === ticketId);
    expect(found).toBeDefined();
    return found!;
  });
  expect(event).toMatchObject({ propertyId: f.property.id, status: 'open' });
  expect(await audience(event)).toEqual(['manager', 'technician', 'tenant']);
});

test('a new appointment request: its event reaches the managers, the property’s technician and the tenant', async () => {
  const cookie = await cookieFor(f.tenant);
  const appointmentId = await idFiled(
    await run(
      newAppointment,
      makeRequest('/termine/neu', {
        cookie,
        form: { unitId: String(f.unit.id), reason: 'reading', slot1Date: inDays(5), slot1Window: '08-10' },
      }),
    ),
  );
  const event = await eventually(() => {
    const found = events.find((e) => e.type === 'appointment' && e.appointmentId === appointmentId);
    expect(found).toBeDefined();
    return found!;
  });
  expect(await audience(event)).toEqual(['manager', 'technician', 'tenant']);
});
