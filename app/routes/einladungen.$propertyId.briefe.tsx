import { redirect, type ActionFunctionArgs } from '@remix-run/node';
import { parseId } from '../../domain/params';
import { activationLettersPdf, inviteProperty, inviteTenancy, lettersResponse } from '../../server/invitations';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { requireSameOrigin } from '../../server/request';

/**
 * POST /einladungen/:propertyId/briefe — the invitations that produce activation letters; the
 * answer is the PDF (a page per tenant) as a download, or back to the page when none was needed.
 * intent=all: the whole property (e-mail where an address is known, letters for the rest);
 * intent=letter&tenancy=…: one tenant's letter (a new code; earlier invitations are revoked).
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'create:invitation:any');
  const propertyId = parseId(params.propertyId);
  if (!propertyId) throw notFound();
  const form = await request.formData();
  if (form.get('intent') === 'all') {
    const outcome = await inviteProperty(user, propertyId, context);
    if (!outcome) throw notFound();
    if (outcome.letters.length === 0) throw redirect(`/einladungen/${propertyId}?eingeladen=${outcome.emailed}&briefe=0`);
    return lettersResponse(await activationLettersPdf(outcome.letters), `aktivierungsbriefe-liegenschaft-${propertyId}.pdf`);
  }
  const tenancyId = parseId(String(form.get('tenancy') ?? ''));
  const outcome = tenancyId ? await inviteTenancy(user, tenancyId, { via: 'letter' }, context) : null;
  if (!outcome) throw notFound();
  if (!outcome.ok) throw redirect(`/einladungen/${propertyId}?hinweis=brief-nicht-moeglich`);
  if (outcome.kind !== 'letter') throw redirect(`/einladungen/${propertyId}`);
  return lettersResponse(await activationLettersPdf(outcome.letters), `aktivierungsbrief-${tenancyId}.pdf`);
}

export function loader({ params }: { params: { propertyId?: string } }) {
  return redirect(`/einladungen/${parseId(params.propertyId) ?? ''}`);
}
