import type { LoaderFunctionArgs } from '@remix-run/node';
import { registerCsvResponse } from '../../server/devices';
import { requireUserWithPermission, visibleScope } from '../../server/permissions';
import { parseRegisterFilters } from '../../domain/register-filters';
import { clientIp } from '../../server/request';

/** GET /geraete.csv?property=&type=&light= — the register with the page's filters, for German Excel. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'export:device:own');
  const filters = parseRegisterFilters(new URL(request.url));
  return registerCsvResponse({ user, scope: await visibleScope(user), filters, ip: clientIp(context) });
}
