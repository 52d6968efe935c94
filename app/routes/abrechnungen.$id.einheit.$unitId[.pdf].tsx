import type { LoaderFunctionArgs } from '@remix-run/node';
import { parseId } from '../../domain/params';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { addresseePdf, findStatementVisibleTo, pdfResponse } from '../../server/statements';

/**
 * GET /abrechnungen/:id/einheit/:unitId.pdf[?nutzung=T12] — the unit's statement (or one
 * occupancy's after a change of tenant): rendered and stored encrypted on the first request,
 * afterwards served from storage; every download is audited.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:statement:own');
  const id = parseId(params.id);
  const unitId = parseId(params.unitId);
  const statement = id && unitId ? await findStatementVisibleTo(user, id) : null;
  const unit = statement?.units.find((u) => u.unitId === unitId);
  const occupancyKey = new URL(request.url).searchParams.get('nutzung');
  if (!statement || !unit || (occupancyKey !== null && !unit.occupancies.some((o) => o.key === occupancyKey))) throw notFound();
  const document = await addresseePdf(user, statement, { unitId: unit.unitId, occupancyKey }, context);
  if (!document) throw notFound();
  return pdfResponse(document);
}
