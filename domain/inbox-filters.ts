// The inbox's filters (server/inbox.ts): parsed from a query string or form, and back into one. Pure,
// so the page's components may build their links with them.
import { isDate } from './dates';
import { isNoticeCategory, type NoticeCategory } from './notifications';
import { parseId } from './params';

export interface InboxFilters {
  category: NoticeCategory | null;
  /** A property id, 0 for notices about none, null for all. */
  propertyId: number | null;
  unreadOnly: boolean;
  /** One German calendar day 'YYYY-MM-DD' (a group's "alle anzeigen"). */
  day: string | null;
}

/** From the query string or a form; unknown values are ignored, as in every filter here. */
export function parseInboxFilters(params: URLSearchParams | FormData): InboxFilters {
  const category = params.get('kind');
  const property = String(params.get('property') ?? '');
  const day = String(params.get('day') ?? '');
  return {
    category: isNoticeCategory(category) ? category : null,
    propertyId: property === '0' ? 0 : parseId(property),
    unreadOnly: params.get('status') === 'unread',
    day: isDate(day) ? day : null,
  };
}

export function inboxQuery(filters: InboxFilters, changes: Partial<InboxFilters> = {}): string {
  const f = { ...filters, ...changes };
  const params = new URLSearchParams();
  if (f.category) params.set('kind', f.category);
  if (f.propertyId !== null) params.set('property', String(f.propertyId));
  if (f.unreadOnly) params.set('status', 'unread');
  if (f.day) params.set('day', f.day);
  const query = params.toString();
  return query ? `?${query}` : '';
}
