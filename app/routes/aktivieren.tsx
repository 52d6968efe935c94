import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { AccountCard, Field, FormMessage, PASSWORD_HINT, firstErrors } from '~/components/account-forms';
import { ActivationForm, activateAccount, invitationByLink, redeemForAccount } from '../../server/accounts';
import { getOptionalUser } from '../../server/auth';
import { requireSameOrigin } from '../../server/request';

export const meta: MetaFunction = () => [{ title: 'Zugang einrichten · Klarmeter' }];

/**
 * GET /aktivieren[?token=…]: with an invitation link's token, the form to set the password; without,
 * the form for the letter's activation code. A signed-in tenant adds a further flat to its account.
 * The loader only reads; the token is used by the POST.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get('token');
  const user = await getOptionalUser(request);
  const invitation = token ? await invitationByLink(token) : null;
  return {
    token: invitation ? token : null,
    invalidLink: Boolean(token) && !invitation,
    invitation,
    signedIn: user ? { name: user.name, tenant: user.role === 'tenant' } : null,
  };
}

type ActionData =
  | { ok: true; message: string; email?: string; verificationSent?: boolean; redeemed?: boolean }
  | { ok: false; message: string; fieldErrors: Record<string, string> };

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionData> {
  requireSameOrigin(request);
  const form = Object.fromEntries(await request.formData());
  const user = await getOptionalUser(request);
  if (user) {
    const outcome = await redeemForAccount(
      user,
      {
        token: String(form.token ?? '') || undefined,
        code: String(form.code ?? '') || undefined,
        surname: String(form.surname ?? '') || undefined,
      },
      context,
    );
    return outcome.ok ? { ...outcome, redeemed: true } : { ok: false, message: outcome.message, fieldErrors: outcome.fieldErrors ?? {} };
  }
  const parsed = ActivationForm.safeParse(Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v === '' ? undefined : v])));
  if (!parsed.success) {
    const fieldErrors = firstErrors(parsed.error.flatten().fieldErrors);
    return { ok: false, message: 'Bitte prüfen Sie Ihre Angaben.', fieldErrors };
  }
  const outcome = await activateAccount(parsed.data, context);
  if (!outcome.ok) return { ok: false, message: outcome.message, fieldErrors: outcome.field ? { [outcome.field]: outcome.message } : {} };
  return {
    ok: true,
    email: outcome.email,
    verificationSent: outcome.verificationSent,
    message: outcome.verificationSent
      ? `Ihr Zugang ist eingerichtet. Wir haben einen Link zur Bestätigung an ${outcome.email} gesendet.`
      : 'Ihr Zugang ist eingerichtet.',
  };
}

export default function Activate() {
  const { token, invalidLink, invitation, signedIn } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const errors = result && !result.ok ? result.fieldErrors : {};

  if (result?.ok) {
    return (
      <AccountCard title={result.redeemed ? 'Wohnung hinzugefügt' : 'Zugang eingerichtet'}>
        <FormMessage data={result} />
        {result.redeemed ? (
          <p>
            <Link to="/meine-wohnung" className="button button--primary">
              Zu Meine Wohnung
            </Link>
          </p>
        ) : (
          <>
            <p>Sie können sich jetzt mit {result.email} und Ihrem Passwort anmelden.</p>
            <p>
              <Link to="/login" className="button button--primary">
                Jetzt anmelden
              </Link>
            </p>
          </>
        )}
      </AccountCard>
    );
  }

  if (signedIn && !signedIn.tenant) {
    return (
      <AccountCard title="Zugang einrichten">
        <p>Sie sind als {signedIn.name} angemeldet. Aktivierungscodes sind für Mieter bestimmt; bitte melden Sie sich zuerst ab.</p>
      </AccountCard>
    );
  }

  const withCode = !token;
  return (
    <AccountCard
      title={signedIn ? 'Weitere Wohnung hinzufügen' : 'Zugang zum Mieterportal einrichten'}
      intro={
        invitation
          ? `Willkommen, ${invitation.tenantName}. Legen Sie ein Passwort für ${invitation.propertyName}, ${invitation.unitLabel} fest.`
          : signedIn
            ? 'Geben Sie den Aktivierungscode aus dem Brief für Ihre weitere Wohnung und Ihren Nachnamen ein.'
            : 'Geben Sie den Aktivierungscode aus Ihrem Brief und Ihren Nachnamen ein, und wählen Sie E-Mail-Adresse und Passwort.'
      }
    >
      {invalidLink ? (
        <div className="alert alert--error" role="alert">
          Dieser Einladungslink ist ungültig, abgelaufen oder wurde bereits verwendet. Sie können einen Aktivierungscode aus einem Brief
          eingeben oder Ihre Hausverwaltung um eine neue Einladung bitten.
        </div>
      ) : null}
      {result && !result.ok ? <FormMessage data={result} /> : null}
      <Form method="post" noValidate className="form">
        {token ? <input type="hidden" name="token" value={token} /> : null}
        {withCode ? (
          <>
            <Field
              name="code"
              label="Aktivierungscode"
              hint="12 Zeichen, zum Beispiel ABCD-EFGH-JKMN; Groß- und Kleinschreibung spielt keine Rolle."
              error={errors.code}
              autoComplete="off"
              maxLength={40}
              autoFocus
            />
            <Field name="surname" label="Nachname" error={errors.surname} autoComplete="family-name" maxLength={200} />
          </>
        ) : null}
        {signedIn ? null : (
          <>
            {invitation?.email ? (
              <Field
                name="email"
                label="E-Mail-Adresse (Anmeldename)"
                type="email"
                defaultValue={invitation.email}
                readOnly
                error={errors.email}
              />
            ) : (
              <Field
                name="email"
                label="E-Mail-Adresse (Anmeldename)"
                type="email"
                autoComplete="email"
                error={errors.email}
                maxLength={254}
              />
            )}
            <Field
              name="password"
              label="Neues Passwort"
              type="password"
              autoComplete="new-password"
              hint={PASSWORD_HINT}
              error={errors.password}
              autoFocus={!withCode}
            />
            <Field
              name="passwordRepeat"
              label="Passwort wiederholen"
              type="password"
              autoComplete="new-password"
              error={errors.passwordRepeat}
            />
          </>
        )}
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {signedIn ? 'Wohnung hinzufügen' : 'Zugang einrichten'}
        </button>
      </Form>
      {signedIn ? null : (
        <p className="muted">
          Sie haben schon einen Zugang? <Link to="/login">Anmelden</Link>
        </p>
      )}
    </AccountCard>
  );
}
