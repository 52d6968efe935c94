// The login form's answers to bad input: German, per field, never zod's English defaults.
import { afterAll, expect, test } from 'vitest';
import { closeWebResources, dataOf, run, testDb } from '../../tests/support/web';
import { action as loginAction } from './login';

testDb();
afterAll(closeWebResources);

function post(body: URLSearchParams | FormData) {
  return new Request('http://klarmeter.test/login', { method: 'POST', headers: { Origin: 'http://klarmeter.test' }, body });
}

test.each([
  [
    'both fields missing',
    new URLSearchParams(),
    { email: 'Bitte geben Sie Ihre E-Mail-Adresse ein.', password: 'Bitte geben Sie Ihr Passwort ein.' },
  ],
  [
    'an address over 254 characters',
    new URLSearchParams({ email: `${'a'.repeat(250)}@example.org`, password: 'x' }),
    { email: 'Die E-Mail-Adresse ist zu lang (höchstens 254 Zeichen).', password: undefined },
  ],
  [
    'a password over 1,024 characters',
    new URLSearchParams({ email: 'a@example.org', password: 'x'.repeat(1025) }),
    { email: undefined, password: 'Das Passwort ist zu lang (höchstens 1.024 Zeichen).' },
  ],
  [
    'no valid address',
    new URLSearchParams({ email: 'kein-at-zeichen', password: '' }),
    { email: 'Bitte geben Sie eine gültige E-Mail-Adresse ein.', password: 'Bitte geben Sie Ihr Passwort ein.' },
  ],
])('%s: German messages per field', async (_case, body, expected) => {
  expect(dataOf(await run(loginAction, post(body))).fieldErrors).toEqual(expected);
});

test('a file instead of a text field is a missing field, not a crash', async () => {
  const body = new FormData();
  body.append('email', new Blob(['x']), 'x.txt');
  body.append('password', 'x');
  expect(dataOf(await run(loginAction, post(body))).fieldErrors).toEqual({
    email: 'Bitte geben Sie Ihre E-Mail-Adresse ein.',
    password: undefined,
  });
});
