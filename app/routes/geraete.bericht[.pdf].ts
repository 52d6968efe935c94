import type { LoaderFunctionArgs } from '@remix-run/node';
import { registerReportResponse } from '../../server/register-report';
import { requireUserWithPermission, visibleScope } from '../../server/permissions';
import { parseRegisterFilters } from '../../domain/register-filters';
import { clientIp } from '../../server/request';

/** GET /geraete/bericht.pdf?property=&type=&light=&serial= — the register's report with the page's filters (A4, page numbers). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'export:device:own');
  const filters = parseRegisterFilters(new URL(request.url));
  return registerReportResponse({ user, scope: await visibleScope(user), filters, ip: clientIp(context) });
}
