import { defineSearchAttributeKey } from '@temporalio/common';

// Custom search attributes: lists and compliance queries are visibility queries over these.
export const SA = {
  obligation: defineSearchAttributeKey('KlarObligation', 'KEYWORD'),
  property: defineSearchAttributeKey('KlarProperty', 'KEYWORD'),
  unit: defineSearchAttributeKey('KlarUnit', 'KEYWORD'),
  device: defineSearchAttributeKey('KlarDevice', 'KEYWORD'),
  dueAt: defineSearchAttributeKey('KlarDueAt', 'DATETIME'),
  light: defineSearchAttributeKey('KlarLight', 'KEYWORD'),
  state: defineSearchAttributeKey('KlarState', 'KEYWORD'),
  period: defineSearchAttributeKey('KlarPeriod', 'KEYWORD'),
} as const;

/** `Name=Type` pairs as the Temporal CLI expects them (`--search-attribute` / operator create). */
export const SEARCH_ATTRIBUTE_DECLARATIONS: ReadonlyArray<{ name: string; type: 'Keyword' | 'Datetime' }> = Object.values(SA).map(
  (key) => ({ name: key.name, type: key.type === 'DATETIME' ? 'Datetime' : 'Keyword' }),
);
