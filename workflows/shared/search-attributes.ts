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
  /** The owning organisation, set at start (workflows started before it existed carry only KlarProperty). */
  organisation: defineSearchAttributeKey('KlarOrganisation', 'KEYWORD'),
  /** True once the obligation's current deadline passed unmet (escalation, SLA breach): "closed late" is a closed state with this. */
  late: defineSearchAttributeKey('KlarLate', 'BOOL'),
} as const;

/**
 * patched() id of the change that publishes KlarLate: executions that ran before it keep their
 * recorded commands and carry no KlarLate until they act again under the new code.
 */
export const LATE_ATTRIBUTE_PATCH = 'search-attribute-klar-late';

export type SearchAttributeTypeName = 'Keyword' | 'Datetime' | 'Bool';

const TYPE_NAMES: Readonly<Record<string, SearchAttributeTypeName>> = { KEYWORD: 'Keyword', DATETIME: 'Datetime', BOOL: 'Bool' };

/** `Name=Type` pairs as the Temporal CLI expects them (`--search-attribute` / operator create). */
export const SEARCH_ATTRIBUTE_DECLARATIONS: ReadonlyArray<{ name: string; type: SearchAttributeTypeName }> = Object.values(SA).map(
  (key) => ({ name: key.name, type: TYPE_NAMES[key.type] ?? 'Keyword' }),
);
