import { describe, expect, test } from 'vitest';
import { channelFor, recipientReceipt, recipientState, recipientSummary } from './statement-recipients';

describe('delivery per recipient', () => {
  test('the portal only for a tenant with an active account', () => {
    expect(channelFor({ hasActiveAccount: true }, 'portal')).toBe('portal');
    expect(channelFor({ hasActiveAccount: false }, 'portal')).toBe('post');
    expect(channelFor({ hasActiveAccount: true }, 'post')).toBe('post');
  });

  test("each recipient's receipt starts its own window and its own §556(3) check", () => {
    const base = { today: '2026-12-29', periodEnd: '2025-12-31', mode: 'end-of-month' as const };
    expect(recipientReceipt({ ...base, channel: 'portal' })).toEqual({
      channel: 'portal',
      dispatchedOn: null,
      receivedOn: '2026-12-29',
      deliveryDeadline: '2026-12-31',
      deadlineMissed: false,
      objectionDeadline: '2027-12-31',
    });
    // Posted on the 29th, received on 1 January: the letter misses the deadline and its window ends a month later.
    expect(recipientReceipt({ ...base, channel: 'post', dispatchedOn: '2026-12-29' })).toMatchObject({
      receivedOn: '2027-01-01',
      deadlineMissed: true,
      objectionDeadline: '2028-01-31',
    });
    expect(() => recipientReceipt({ ...base, channel: 'post', dispatchedOn: '2026-12-29', receivedOn: '2026-12-28' })).toThrow(
      /receivedOn/,
    );
  });

  test('states and the summary line', () => {
    const r = { channel: 'post' as const, receivedOn: '2026-12-05', openedAt: null, objections: 0 };
    expect(recipientState(r, '2026-12-04')).toBe('in-transit');
    expect(recipientState(r, '2026-12-05')).toBe('delivered');
    expect(recipientState({ ...r, channel: 'portal' }, '2026-12-01')).toBe('delivered');
    expect(recipientState({ ...r, openedAt: '2026-12-06T10:00:00.000Z' }, '2026-12-06')).toBe('opened');
    expect(recipientState({ ...r, openedAt: '2026-12-06T10:00:00.000Z', objections: 1 }, '2026-12-06')).toBe('objection');
    expect(recipientSummary(['delivered', 'in-transit', 'opened', 'delivered', 'objection'])).toBe(
      '5 Empfänger: 2 zugestellt, 1 geöffnet, 1 per Post unterwegs, 1 Einspruch',
    );
  });
});
