import { redirect, type ActionFunctionArgs } from '@remix-run/node';
import { calendarDate } from '../../domain/calendar';
import { sessionActor } from '../../server/accounts';
import { personalDataZip, zipResponse } from '../../server/data-export';
import { requireUserWithPermission } from '../../server/permissions';
import { requireSameOrigin } from '../../server/request';

/** POST /konto/datenauskunft: everything stored about the user as a ZIP (DSGVO Art. 15); the hand-out is audited. */
export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'export:account:own');
  const archive = await personalDataZip(user, sessionActor(user, context), context);
  return zipResponse(archive, `klarmeter-datenauskunft-${calendarDate(new Date())}.zip`);
}

/** Producing the archive is recorded, so only the account page's POST does it. */
export function loader() {
  return redirect('/konto');
}
