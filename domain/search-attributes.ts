// The names of Klarmeter's custom search attributes: the workflows publish them
// (workflows/shared/search-attributes.ts defines their keys from these names), the compliance
// desk's list filters query them.
export const SEARCH_KEYS = {
  obligation: 'KlarObligation',
  property: 'KlarProperty',
  unit: 'KlarUnit',
  device: 'KlarDevice',
  dueAt: 'KlarDueAt',
  light: 'KlarLight',
  state: 'KlarState',
  period: 'KlarPeriod',
  organisation: 'KlarOrganisation',
  late: 'KlarLate',
  overdue: 'KlarOverdue',
} as const;
