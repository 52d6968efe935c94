import type { ActionFunctionArgs } from '@remix-run/node';
import { forwardPropertyDocumentAction } from '../../server/owner-forwards';

/** POST only: "An Eigentümer weiterleiten" of a property's monthly summary or register report (issue 14 item 3). */
export async function action({ request, params, context }: ActionFunctionArgs) {
  return forwardPropertyDocumentAction(request, params.id, context);
}
