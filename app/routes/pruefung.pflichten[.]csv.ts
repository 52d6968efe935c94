import type { LoaderFunctionArgs } from '@remix-run/node';
import { calendarDate } from '../../domain/calendar';
import { parseObligationFilters } from '../../domain/compliance/obligation-search';
import { obligationsCsv } from '../../server/compliance';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { clientIp } from '../../server/request';

/** GET /pruefung/pflichten.csv?kind=&property=&… — the obligation search with the page's filters, for German Excel. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'export:compliance:any');
  const parsed = parseObligationFilters(new URL(request.url).searchParams);
  if (!parsed.ok) {
    const message = Object.values(parsed.errors).join(' ');
    return new Response(message, { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  const exported = await obligationsCsv(user, parsed.filters, clientIp(context));
  if (!exported) throw notFound();
  return new Response(exported.csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="pflichten-${calendarDate(new Date())}.csv"`,
      'Cache-Control': 'private, no-store',
      // Cut at the limit: said in a header, since a CSV has no place for it.
      ...(exported.truncated ? { 'X-Klarmeter-Truncated': 'true' } : {}),
    },
  });
}
