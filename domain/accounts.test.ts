import { describe, expect, test } from 'vitest';
import {
  CODE_ALPHABET,
  activationCodeFrom,
  formatActivationCode,
  normaliseActivationCode,
  passwordProblem,
  retainedUntil,
  surnameMatches,
} from './accounts';

describe('activation codes', () => {
  test('12 Crockford characters, printed in groups of four, read back whatever the reader typed', () => {
    const code = activationCodeFrom(Uint8Array.from({ length: 12 }, (_, i) => i * 21));
    expect(code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{12}$`));
    const printed = formatActivationCode(code);
    expect(printed).toMatch(/^.{4}-.{4}-.{4}$/);
    expect(normaliseActivationCode(printed.toLowerCase())).toBe(code);
    expect(normaliseActivationCode(` ${printed.replace(/-/g, ' ')} `)).toBe(code);
  });

  test('letters people mistake for digits count as the digits; anything else is not a code', () => {
    expect(normaliseActivationCode('OIL0-1111-2222')).toBe('011011112222');
    expect(normaliseActivationCode('ABCD-EFGH-JKM')).toBeNull();
    expect(normaliseActivationCode('ABCD-EFGH-JKMU')).toBeNull();
  });
});

describe('surname confirmation', () => {
  test.each([
    ['Anna Müller', 'Müller', true],
    ['Anna Müller', 'mueller', true],
    ['Anna Müller', 'Anna Müller', true],
    ['Anna Müller', 'Anna', false],
    ['Jörg Schmidt-Weber', 'Schmidt-Weber', true],
    ['Jörg Schmidt-Weber', 'Weber', true],
    ['Murat Yılmaz', 'Yilmaz', true],
    ['Anna Müller', '', false],
  ])('%s / %s → %s', (recorded, typed, expected) => {
    expect(surnameMatches(recorded, typed)).toBe(expected);
  });
});

describe('password policy', () => {
  test('at least 12 characters, not the address, not a known one; long passphrases are fine', () => {
    expect(passwordProblem('kurz')).toMatch(/mindestens 12/);
    expect(passwordProblem('anna@example.de', { email: 'Anna@example.de' })).toMatch(/E-Mail/);
    expect(passwordProblem('passwort1234')).toMatch(/leicht zu erraten/);
    expect(passwordProblem('aaaaaaaaaaaaaaa')).toMatch(/leicht zu erraten/);
    expect(passwordProblem('x'.repeat(129))).toMatch(/höchstens 128/);
    expect(passwordProblem('Mein Hund heißt Bello und frisst Möhren')).toBeNull();
  });
});

test('delivered documents are kept until the end of the tenth year after the period', () => {
  expect(retainedUntil('2025-12-31')).toBe('2035-12-31');
  expect(retainedUntil('2024-03-01')).toBe('2034-12-31');
});
