// Redirect targets from user input (login's redirectTo, notification links): every spelling that a
// browser would read as another host is refused, whatever control characters or encodings hide it.
import { describe, expect, test } from 'vitest';
import { parseId, safeRedirectPath } from './params';

describe('safeRedirectPath', () => {
  test.each([
    ['/geraete?light=red', '/geraete?light=red'],
    ['/abrechnungen/12?einheit=3#nachweis', '/abrechnungen/12?einheit=3#nachweis'],
    ['/vorgaenge/7', '/vorgaenge/7'],
    // Non-ASCII is percent-encoded, so the Location header is always valid.
    ['/liegenschaften?q=Müller', '/liegenschaften?q=M%C3%BCller'],
  ])('keeps the same-site path %j', (target, expected) => {
    expect(safeRedirectPath(target, '/fallback')).toBe(expected);
  });

  test.each([
    // The finding: %09 in the query decodes to a tab in the hidden field; browsers drop it.
    ['tab after the slash', '/\t/evil.example'],
    ['encoded tab', '/%09/evil.example'],
    ['CR/LF (was a 500)', '/\r\n/evil.example'],
    ['encoded CR/LF', '/%0D%0A/evil.example'],
    ['LF alone', '/\n/evil.example'],
    ['NUL and other controls', '/\u0000/\u001f/evil.example'],
    ['DEL', '/\u007f/evil.example'],
    ['leading space and control', ' \t//evil.example'],
    ['protocol-relative', '//evil.example'],
    ['three slashes', '///evil.example'],
    ['backslash', '/\\evil.example'],
    ['two backslashes', '\\\\evil.example'],
    ['backslash after controls', '/\t\\evil.example'],
    ['encoded backslash', '/%5Cevil.example'],
    ['encoded slash', '/%2Fevil.example'],
    ['doubly encoded slash', '/%252Fevil.example'],
    ['doubly encoded tab', '/%2509/evil.example'],
    ['absolute URL', 'https://evil.example/'],
    ['scheme', 'javascript:alert(1)'],
    ['relative path', 'geraete'],
    ['empty', ''],
  ])('refuses %s', (_case, target) => {
    expect(safeRedirectPath(target, '/fallback')).toBe('/fallback');
  });

  test('anything but a string falls back', () => {
    expect(safeRedirectPath(null)).toBe('/');
    expect(safeRedirectPath(undefined, '/x')).toBe('/x');
  });
});

describe('parseId', () => {
  test.each([
    ['12', 12],
    ['12abc', null],
    ['-1', null],
    ['0', null],
    ['1234567890', null],
    [undefined, null],
  ])('%j → %j', (value, expected) => {
    expect(parseId(value)).toBe(expected);
  });
});
