import { defineSearchAttributeKey } from '@temporalio/common';
import { SEARCH_KEYS } from '../../domain/search-attributes';

// Custom search attributes: lists and compliance queries are visibility queries over these.
export const SA = {
  obligation: defineSearchAttributeKey(SEARCH_KEYS.obligation, 'KEYWORD'),
  property: defineSearchAttributeKey(SEARCH_KEYS.property, 'KEYWORD'),
  unit: defineSearchAttributeKey(SEARCH_KEYS.unit, 'KEYWORD'),
  device: defineSearchAttributeKey(SEARCH_KEYS.device, 'KEYWORD'),
  dueAt: defineSearchAttributeKey(SEARCH_KEYS.dueAt, 'DATETIME'),
  light: defineSearchAttributeKey(SEARCH_KEYS.light, 'KEYWORD'),
  state: defineSearchAttributeKey(SEARCH_KEYS.state, 'KEYWORD'),
  period: defineSearchAttributeKey(SEARCH_KEYS.period, 'KEYWORD'),
  /** The owning organisation, set at start (workflows started before it existed carry only KlarProperty). */
  organisation: defineSearchAttributeKey(SEARCH_KEYS.organisation, 'KEYWORD'),
  /** True once the obligation's current deadline passed unmet (escalation, SLA breach): "closed late" is a closed state with this. */
  late: defineSearchAttributeKey(SEARCH_KEYS.late, 'BOOL'),
  /** True while the obligation is open and its KlarDueAt has passed (workflows/shared/overdue.ts). */
  overdue: defineSearchAttributeKey(SEARCH_KEYS.overdue, 'BOOL'),
} as const;

/**
 * patched() id of the change that publishes KlarLate: executions that ran before it keep their
 * recorded commands and carry no KlarLate until they act again under the new code.
 */
export const LATE_ATTRIBUTE_PATCH = 'search-attribute-klar-late';

/** patched() id of the change that tracks KlarOverdue beside every obligation workflow with a deadline. */
export const OVERDUE_ATTRIBUTE_PATCH = 'search-attribute-klar-overdue';

export type SearchAttributeTypeName = 'Keyword' | 'Datetime' | 'Bool';

const TYPE_NAMES: Readonly<Record<string, SearchAttributeTypeName>> = { KEYWORD: 'Keyword', DATETIME: 'Datetime', BOOL: 'Bool' };

/** `Name=Type` pairs as the Temporal CLI expects them (`--search-attribute` / operator create). */
export const SEARCH_ATTRIBUTE_DECLARATIONS: ReadonlyArray<{ name: string; type: SearchAttributeTypeName }> = Object.values(SA).map(
  (key) => ({ name: key.name, type: TYPE_NAMES[key.type] ?? 'Keyword' }),
);
