import { describe, expect, test } from 'vitest';
import { berlinWallTime } from './business-hours';
import { awaitsCounterAnswer, counterProposalFromFields } from './appointment-counter';

// A fixed clock: 2026-03-10 12:00 Berlin (CET, UTC+1); the offer's deadline a month later.
const NOW = Date.parse('2026-03-10T11:00:00Z');
const read = (fields: Record<string, string>) => (name: string) => fields[name] ?? '';
const parse = (fields: Record<string, string>, dueAt: string | null = '2026-04-10') =>
  counterProposalFromFields(read(fields), { nowMs: NOW, dueAt });

describe('the tenant’s counter-proposal', () => {
  test('rows become Berlin-time slots; empty rows are skipped; the note is trimmed', () => {
    const outcome = parse({
      counter1Date: '2026-03-12',
      counter1From: '07:30',
      counter1To: '09:00',
      counter3Date: '2026-03-31',
      counter3From: '17:00',
      counter3To: '18:15',
      counterNote: '  Bitte vorher klingeln. ',
    });
    expect(outcome).toEqual({
      ok: true,
      slots: [
        { startsAt: '2026-03-12T06:30:00.000Z', endsAt: '2026-03-12T08:00:00.000Z' },
        // Summer time from 29 March: UTC+2.
        { startsAt: '2026-03-31T15:00:00.000Z', endsAt: '2026-03-31T16:15:00.000Z' },
      ],
      note: 'Bitte vorher klingeln.',
    });
    expect(Date.parse(outcome.ok ? outcome.slots[0]!.startsAt : '')).toBe(berlinWallTime('2026-03-12', 7, 30));
  });

  test('each problem names its slot and field in German', () => {
    const outcome = parse({
      counter1Date: '2026-03-09',
      counter1From: '09:00',
      counter1To: '10:00',
      counter2Date: '2026-04-11',
      counter2From: '09:00',
      counter2To: '10:00',
      counter3Date: '2026-03-20',
      counter3From: '11:00',
      counter3To: '10:30',
    });
    expect(outcome).toEqual({
      ok: false,
      errors: {
        counter1Date: 'Termin 1, Datum: Der Termin muss in der Zukunft liegen.',
        counter2Date: 'Termin 2, Datum: Der Termin muss spätestens am 10.04.2026 liegen (Frist für den Gerätetausch).',
        counter3To: 'Termin 3, bis: Das Ende muss nach dem Beginn (11:00 Uhr) liegen.',
      },
    });
  });

  test('earlier today is past, later today is fine; without a deadline any future day is', () => {
    expect(parse({ counter1Date: '2026-03-10', counter1From: '11:45', counter1To: '12:30' })).toMatchObject({
      ok: false,
      errors: { counter1Date: 'Termin 1, Datum: Der Termin muss in der Zukunft liegen.' },
    });
    expect(parse({ counter1Date: '2026-03-10', counter1From: '12:15', counter1To: '13:00' })).toMatchObject({ ok: true });
    expect(parse({ counter1Date: '2027-01-05', counter1From: '08:00', counter1To: '09:00' }, null)).toMatchObject({ ok: true });
  });

  test('incomplete rows, bad times, duplicates, nothing at all and an overlong note', () => {
    expect(parse({ counter1Date: '2026-03-12' })).toEqual({
      ok: false,
      errors: {
        counter1From: 'Termin 1, von: Bitte geben Sie eine Uhrzeit an (hh:mm).',
        counter1To: 'Termin 1, bis: Bitte geben Sie eine Uhrzeit an (hh:mm).',
      },
    });
    expect(parse({ counter2Date: '12.03.2026', counter2From: '25:00', counter2To: '9' })).toEqual({
      ok: false,
      errors: {
        counter2Date: 'Termin 2, Datum: Bitte geben Sie ein gültiges Datum an.',
        counter2From: 'Termin 2, von: Bitte geben Sie eine Uhrzeit an (hh:mm).',
        counter2To: 'Termin 2, bis: Bitte geben Sie eine Uhrzeit an (hh:mm).',
      },
    });
    const twice = { counter1Date: '2026-03-12', counter1From: '09:00', counter1To: '10:00' };
    expect(parse({ ...twice, counter2Date: '2026-03-12', counter2From: '09:00', counter2To: '11:00' })).toEqual({
      ok: false,
      errors: { counter2Date: 'Termin 2, Datum: Diesen Termin haben Sie schon angegeben.' },
    });
    expect(parse({})).toEqual({ ok: false, errors: { counter1Date: 'Termin 1, Datum: Bitte geben Sie mindestens einen Termin an.' } });
    const long = parse({ ...twice, counterNote: 'x'.repeat(2_001) });
    expect(long.ok === false && long.errors.counterNote).toMatch(/^Nachricht: höchstens/);
  });
});

test('a counter-proposal awaits the technician: the tenant’s open slots after the technician’s offer', () => {
  const offer = [0, 1, 2].map((position) => ({ position, offeredBy: 'technician' as const }));
  const counter = [...offer, { position: 3, offeredBy: 'tenant' as const }];
  expect(awaitsCounterAnswer({ status: 'requested', openOffer: [3], slots: counter })).toBe(true);
  expect(awaitsCounterAnswer({ status: 'proposed', openOffer: [0, 1, 2], slots: offer })).toBe(false);
  expect(awaitsCounterAnswer({ status: 'confirmed', openOffer: [], slots: counter })).toBe(false);
  // A tenant's ordinary request: its own first wishes, no offer answered.
  expect(awaitsCounterAnswer({ status: 'requested', openOffer: [0], slots: [{ position: 0, offeredBy: 'tenant' }] })).toBe(false);
});
