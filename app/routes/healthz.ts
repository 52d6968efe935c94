import type { LoaderFunctionArgs } from '@remix-run/node';
import { hasPermission } from '../../domain/permissions';
import { getOptionalUser } from '../../server/auth';
import { healthReport } from '../../server/health';
import { clientIp, isLoopback } from '../../server/request';

/**
 * GET /healthz: 200 when database, Temporal and at least one worker are up, else 503. Anonymous
 * callers (load balancers, the internet) get the status only; each dependency's latency and error
 * text (host names, task queue, Temporal's messages) only a caller on this machine or a signed-in
 * user with `read:health-details:any` (managers).
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const report = await healthReport();
  const local = isLoopback(clientIp(context));
  const user = local ? null : await getOptionalUser(request);
  const detailed = local || (user !== null && hasPermission(user, 'read:health-details:any'));
  return new Response(JSON.stringify(detailed ? report : { status: report.status }), {
    status: report.status === 'ok' ? 200 : 503,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}
