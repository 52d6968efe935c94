import type { LoaderFunctionArgs } from '@remix-run/node';
import { isReportKind } from '../../domain/compliance/coverage-reports';
import { coverageReportPdfResponse, loadCoverageReport } from '../../server/compliance-reports';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { clientIp } from '../../server/request';

/** GET /pruefung/berichte/:bericht/pdf?property=&month=|year= — the report as a PDF (audited export). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'export:compliance:any');
  const kind = params.bericht;
  if (!isReportKind(kind)) throw notFound();
  const loaded = await loadCoverageReport(user, kind, new URL(request.url).searchParams);
  if (!loaded) throw notFound();
  const { data } = loaded;
  if (!data) {
    const message = Object.values(loaded.parsed.errors).join(' ');
    return new Response(message, { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  return coverageReportPdfResponse(user, { ...loaded, data }, clientIp(context));
}
