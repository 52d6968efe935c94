import { redirect, type ActionFunctionArgs } from '@remix-run/node';
import { logout } from '../../server/auth';
import { clientIp, requireSameOrigin } from '../../server/request';
import { serializeClearedCookie } from '../../server/session';

export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  await logout(request, clientIp(context));
  return redirect('/login', { headers: { 'Set-Cookie': await serializeClearedCookie(request) } });
}

/** Log-out changes state, so only POST does it; a plain visit goes home. */
export function loader() {
  return redirect('/');
}
