import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { AccountCard, Field, FormMessage } from '~/components/account-forms';
import { homePath } from '~/utils/navigation';
import { safeRedirectPath } from '../../domain/params';
import { clientIp, requireSameOrigin, userAgent } from '../../server/request';
import { clearChallengeCookie, completeLoginChallenge, pendingChallenge } from '../../server/second-factor';
import { serializeSessionCookie } from '../../server/session';
import { serializeKnownDevice } from '../../server/login-throttle';

export const meta: MetaFunction = () => [{ title: 'Anmeldung bestätigen · Klarmeter' }];

/** The second step of a login with a second factor: only with a pending challenge (its cookie). */
export async function loader({ request }: LoaderFunctionArgs) {
  const challenge = await pendingChallenge(request);
  if (!challenge) throw redirect('/login');
  return { email: challenge.email };
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const form = await request.formData();
  const code = String(form.get('code') ?? '').slice(0, 40);
  if (code.trim() === '') return { ok: false, message: 'Bitte geben Sie den Code ein.' };
  const result = await completeLoginChallenge(request, code, { ip: clientIp(context), userAgent: userAgent(request) });
  if (!result.ok) {
    if (result.restart) throw redirect('/login', { headers: { 'Set-Cookie': await clearChallengeCookie(request) } });
    return { ok: false, message: result.message };
  }
  const headers = new Headers();
  headers.append('Set-Cookie', await serializeSessionCookie(result.sessionToken, request));
  headers.append('Set-Cookie', await clearChallengeCookie(request));
  // As after a login without a second factor: this browser is known for the user from now on.
  headers.append('Set-Cookie', await serializeKnownDevice(result.user.id, request));
  return redirect(safeRedirectPath(form.get('redirectTo'), homePath(result.user.role)), { headers });
}

export default function SecondFactor() {
  const { email } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const [params] = useSearchParams();
  return (
    <AccountCard title="Anmeldung bestätigen" intro={`Geben Sie für ${email} den sechsstelligen Code aus Ihrer Authenticator-App ein.`}>
      <FormMessage data={result} />
      <Form method="post" noValidate className="form">
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? ''} />
        <Field
          name="code"
          label="Code"
          autoComplete="one-time-code"
          inputMode="numeric"
          maxLength={40}
          autoFocus
          hint="Kein Zugriff auf die App? Geben Sie stattdessen einen Ihrer Wiederherstellungscodes ein (jeder gilt einmal)."
        />
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          Bestätigen
        </button>
      </Form>
      <p className="muted">
        <Link to="/login">Abbrechen und neu anmelden</Link>
      </p>
    </AccountCard>
  );
}
