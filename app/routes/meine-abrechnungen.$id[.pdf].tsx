import type { LoaderFunctionArgs } from '@remix-run/node';
import { db } from '../../server/db';
import { statementPdf } from '../../server/statement-documents';
import { parseId } from '../../domain/params';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { actorOf, findTenantStatement, pdfRenderer, pdfResponse } from '../../server/statements';
import { recordTenantOpening } from '../../server/statement-lifecycle';

/** GET /meine-abrechnungen/:id.pdf?einheit=… — the tenant's own statement as PDF (stored on first request). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:tenancy:own');
  const id = parseId(params.id);
  const unitId = parseId(new URL(request.url).searchParams.get('einheit') ?? undefined);
  const own = id ? await findTenantStatement(user, id, unitId) : null;
  if (!own) throw notFound();
  const document = await statementPdf(db(), pdfRenderer(), own.statement, own.addressee, actorOf(user, context));
  if (!document) throw notFound();
  await recordTenantOpening(user, own, 'download', context, document.sha256);
  return pdfResponse(document);
}
