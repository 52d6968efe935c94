import type { LoaderFunctionArgs } from '@remix-run/node';
import { auditHistoryExport, historyHtml, historyText, obligationHistory } from '../../server/compliance';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { clientIp } from '../../server/request';
import { pdfRenderer } from '../../server/statements';

const FORMATS = ['json', 'pdf', 'text'] as const;
type Format = (typeof FORMATS)[number];

/**
 * GET /pruefung/verlauf/:workflowId/export?format=json|pdf|text&run= — one run's history: the raw
 * JSON Temporal exports (what the replay check takes), the German timeline as PDF or as text.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'export:compliance:any');
  const url = new URL(request.url);
  const format = url.searchParams.get('format') ?? 'json';
  if (!(FORMATS as readonly string[]).includes(format)) {
    return new Response('format: json, pdf oder text angeben.', { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  const history = await obligationHistory(user, params.workflowId ?? '', url.searchParams.get('run') || null);
  if (!history) throw notFound();
  await auditHistoryExport(user, history.workflowId, format, clientIp(context));
  const name = `verlauf-${history.workflowId}`;
  const headers = (type: string, extension: string) => ({
    'Content-Type': type,
    'Content-Disposition': `attachment; filename="${name}.${extension}"`,
    'Cache-Control': 'private, no-store',
  });
  switch (format as Format) {
    case 'json':
      return new Response(`${JSON.stringify(history.raw, null, 2)}\n`, { headers: headers('application/json; charset=utf-8', 'json') });
    case 'text':
      return new Response(historyText(history, 'all'), { headers: headers('text/plain; charset=utf-8', 'txt') });
    case 'pdf': {
      const pdf = await pdfRenderer().renderPdf(historyHtml(history, user.organisationName, new Date()), {
        footer: `Verlauf ${history.workflowId}`,
      });
      return new Response(new Uint8Array(pdf), { headers: headers('application/pdf', 'pdf') });
    }
  }
}
