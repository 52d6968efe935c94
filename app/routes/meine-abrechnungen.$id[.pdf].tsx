import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { parseId } from '../../domain/params';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { addresseePdf, findTenantStatement, pdfResponse } from '../../server/statements';
import { recordTenantOpening } from '../../server/statement-lifecycle';
import { requireSameOrigin, type RequestContext } from '../../server/request';

/**
 * GET /meine-abrechnungen/:id.pdf?einheit=… — the tenant's own statement as PDF (stored on first
 * request); POST (the page's download button) also records the download as an opening.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return (await tenantPdf(request, params.id, context)).response;
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const { user, own, document, response } = await tenantPdf(request, params.id, context);
  await recordTenantOpening(user, own, 'download', context, document.sha256);
  return response;
}

async function tenantPdf(request: Request, rawId: string | undefined, context: RequestContext | undefined) {
  const user = await requireUserWithPermission(request, 'read:tenancy:own');
  const id = parseId(rawId);
  const unitId = parseId(new URL(request.url).searchParams.get('einheit') ?? undefined);
  const own = id ? await findTenantStatement(user, id, unitId) : null;
  if (!own) throw notFound();
  const document = await addresseePdf(user, own.statement, own.addressee, context);
  if (!document) throw notFound();
  return { user, own, document, response: pdfResponse(document) };
}
