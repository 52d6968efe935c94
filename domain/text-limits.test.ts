import { expect, test } from 'vitest';
import { TEXT_LIMITS, formatLimit, lengthHint, normaliseText, textTooLong } from './text-limits';

test('limits are stated in German', () => {
  expect(formatLimit(TEXT_LIMITS.ticketMessage)).toBe('5.000 Zeichen');
  expect(lengthHint(TEXT_LIMITS.objectionReason)).toBe('Höchstens 4.000 Zeichen.');
});

test('a text over its limit is refused naming the field, one that fits is not', () => {
  expect(textTooLong('Notiz', 'x'.repeat(2_001), TEXT_LIMITS.appointmentNote)).toBe(
    'Notiz: höchstens 2.000 Zeichen erlaubt, Ihre Eingabe hat 2.001. Bitte kürzen Sie den Text.',
  );
  expect(textTooLong('Notiz', 'x'.repeat(2_000), TEXT_LIMITS.appointmentNote)).toBeNull();
});

test('line breaks count once, as the browser’s maxLength counts them (forms send CRLF)', () => {
  const text = `a${'\r\nb'.repeat(1_999)}`;
  expect(text.length).toBe(5_998);
  expect(normaliseText(text).length).toBe(3_999);
  expect(textTooLong('Begründung', text, TEXT_LIMITS.objectionReason)).toBeNull();
  expect(normaliseText('a\rb\r\nc\nd')).toBe('a\nb\nc\nd');
});
