import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react';
import { z } from 'zod';
import { getOptionalUser, login } from '../../server/auth';
import { homePath } from '~/utils/navigation';
import { safeRedirectPath } from '../../domain/params';
import { clientIp, requireSameOrigin, userAgent } from '../../server/request';
import { serializeSessionCookie } from '../../server/session';
import { serializeChallengeCookie } from '../../server/second-factor';

export const meta: MetaFunction = () => [{ title: 'Anmelden · Klarmeter' }];

const LoginForm = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'Bitte geben Sie Ihre E-Mail-Adresse ein.')
    .max(254)
    .email('Bitte geben Sie eine gültige E-Mail-Adresse ein.'),
  password: z.string().min(1, 'Bitte geben Sie Ihr Passwort ein.').max(1024),
  redirectTo: z.string().optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request);
  if (user) throw redirect(homePath(user.role));
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const form = LoginForm.safeParse(Object.fromEntries(await request.formData()));
  if (!form.success) {
    const fields = form.error.flatten().fieldErrors;
    return { error: null, fieldErrors: { email: fields.email?.[0], password: fields.password?.[0] } };
  }
  const result = await login({
    email: form.data.email,
    password: form.data.password,
    ip: clientIp(context),
    userAgent: userAgent(request),
  });
  if (!result.ok && result.challenge) {
    const next = form.data.redirectTo ? `?redirectTo=${encodeURIComponent(safeRedirectPath(form.data.redirectTo, '/'))}` : '';
    return redirect(`/login/zweiter-faktor${next}`, {
      headers: { 'Set-Cookie': await serializeChallengeCookie(result.challenge, request) },
    });
  }
  if (!result.ok) return { error: result.message, fieldErrors: {} };
  const target = safeRedirectPath(form.data.redirectTo, homePath(result.user.role));
  return redirect(target, { headers: { 'Set-Cookie': await serializeSessionCookie(result.token, request) } });
}

export default function Login() {
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const [params] = useSearchParams();
  const busy = navigation.state === 'submitting';
  const fieldErrors: { email?: string; password?: string } = data?.fieldErrors ?? {};
  return (
    <div className="login">
      <div className="login__card">
        <h1>Anmelden</h1>
        <p className="login__intro">Melden Sie sich mit Ihrer E-Mail-Adresse an, um Geräte, Fristen und Abrechnungen einzusehen.</p>
        {data?.error ? (
          <div className="alert alert--error" role="alert">
            {data.error}
          </div>
        ) : null}
        <Form method="post" noValidate className="form">
          <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? ''} />
          <div className="field">
            <label htmlFor="email">E-Mail-Adresse</label>
            <input
              id="email"
              name="email"
              type="email"
              autoComplete="username"
              required
              autoFocus
              aria-invalid={fieldErrors.email ? true : undefined}
              aria-describedby={fieldErrors.email ? 'email-error' : undefined}
            />
            {fieldErrors.email ? (
              <p id="email-error" className="field__error">
                {fieldErrors.email}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="password">Passwort</label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              aria-invalid={fieldErrors.password ? true : undefined}
              aria-describedby={fieldErrors.password ? 'password-error' : undefined}
            />
            {fieldErrors.password ? (
              <p id="password-error" className="field__error">
                {fieldErrors.password}
              </p>
            ) : null}
          </div>
          <button type="submit" className="button button--primary button--block" disabled={busy}>
            {busy ? 'Anmeldung läuft …' : 'Anmelden'}
          </button>
        </Form>
        <p className="muted">
          <Link to="/passwort/vergessen">Passwort vergessen?</Link> · <Link to="/aktivieren">Zugang mit Aktivierungscode einrichten</Link>
        </p>
      </div>
    </div>
  );
}
