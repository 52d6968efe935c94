import type { LoaderFunctionArgs } from '@remix-run/node';
import { calendarDate } from '../../domain/calendar';
import { parseAuditFilters } from '../../domain/compliance/audit-filters';
import { auditCsv } from '../../server/compliance-audit';
import { requireUserWithPermission } from '../../server/permissions';
import { clientIp } from '../../server/request';

/** GET /pruefung/protokoll.csv?actor=&action=&… — the organisation's audit log with the page's filters. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'export:compliance:any');
  const parsed = parseAuditFilters(new URL(request.url).searchParams);
  if (!parsed.ok) {
    return new Response(Object.values(parsed.errors).join(' '), { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  return new Response(await auditCsv(user, parsed.filters, clientIp(context)), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="pruefprotokoll-${calendarDate(new Date())}.csv"`,
      'Cache-Control': 'private, no-store',
    },
  });
}
