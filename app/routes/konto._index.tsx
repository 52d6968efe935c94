import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { Field, FormMessage, PASSWORD_HINT, firstErrors } from '~/components/account-forms';
import { Facts, PageHeader, Panel } from '~/components/page-header';
import { SettingsNav } from '~/components/settings-nav';
import { SETTINGS_NAVIGATION } from '~/utils/navigation';
import { formatDateTime } from '../../domain/format';
import {
  EmailChangeForm,
  PasswordChangeForm,
  accountSummary,
  changePassword,
  requestEmailChange,
  resendVerification,
} from '../../server/accounts';
import { requireUserWithPermission } from '../../server/permissions';
import { requireSameOrigin } from '../../server/request';
import { sessionToken } from '../../server/session';

export const meta: MetaFunction = () => [{ title: 'Mein Konto · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:account:own');
  return { account: await accountSummary(user), tenant: user.role === 'tenant', settingsPages: SETTINGS_NAVIGATION[user.role] };
}

type Intent = 'password' | 'email' | 'resend-verification';
type ActionData = { intent: Intent; ok: boolean; message: string; fieldErrors?: Record<string, string> };

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionData> {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'update:account:own');
  const form = Object.fromEntries(await request.formData());
  const intent = form.intent;
  if (intent === 'password') {
    const parsed = PasswordChangeForm.safeParse(form);
    if (!parsed.success)
      return { intent, ok: false, message: 'Bitte prüfen Sie Ihre Angaben.', fieldErrors: firstErrors(parsed.error.flatten().fieldErrors) };
    return { intent, ...(await changePassword(user, parsed.data, await sessionToken(request), context)) };
  }
  if (intent === 'email') {
    const parsed = EmailChangeForm.safeParse(form);
    if (!parsed.success)
      return { intent, ok: false, message: 'Bitte prüfen Sie Ihre Angaben.', fieldErrors: firstErrors(parsed.error.flatten().fieldErrors) };
    return { intent, ...(await requestEmailChange(user, parsed.data, context)) };
  }
  if (intent === 'resend-verification') return { intent, ...(await resendVerification(user, context)) };
  throw new Response('Ungültige Anfrage', { status: 400 });
}

export default function Account() {
  const { account, tenant, settingsPages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const errors = (intent: Intent) => (result?.intent === intent ? (result.fieldErrors ?? {}) : {});
  const message = (intent: Intent) => (result?.intent === intent ? <FormMessage data={result} /> : null);
  return (
    <>
      <PageHeader title="Mein Konto" description={`${account.name} · ${account.role}`} />
      <SettingsNav items={settingsPages} />
      <div className="grid-2">
        <Panel id="account" title="Zugangsdaten">
          <Facts
            items={[
              ['E-Mail-Adresse (Anmeldename)', account.email],
              ['Bestätigt', account.emailVerified ? 'Ja' : 'Noch nicht'],
              ['Passwort geändert', account.passwordChangedAt ? formatDateTime(account.passwordChangedAt) : '–'],
              ['Konto seit', formatDateTime(account.createdAt)],
            ]}
          />
          {message('resend-verification')}
          {account.pendingEmail ? (
            <p className="muted">
              Die neue Adresse {account.pendingEmail} ist noch nicht bestätigt; bis dahin gilt {account.email}.
            </p>
          ) : null}
          {account.emailVerified ? null : (
            <Form method="post">
              <p className="muted">Bitte bestätigen Sie Ihre E-Mail-Adresse über den Link, den wir Ihnen gesendet haben.</p>
              <button type="submit" name="intent" value="resend-verification" className="button" disabled={busy}>
                Bestätigungslink erneut senden
              </button>
            </Form>
          )}
        </Panel>
        <Panel id="export" title="Meine Daten (Art. 15 DSGVO)">
          <p>
            Laden Sie alles herunter, was im Portal über Sie gespeichert ist: Konto,{' '}
            {tenant ? 'Mietverhältnisse, Abrechnungen, Verbrauchsinformationen, Anliegen und Termine, ' : ''}
            Sitzungen, Benachrichtigungen und die Einträge des Prüfprotokolls, die Sie betreffen.
          </p>
          {/* A plain form post: the answer is a file download, and the download is recorded. */}
          <Form method="post" action="/konto/datenauskunft" reloadDocument>
            <button type="submit" className="button button--primary">
              Meine Daten als ZIP herunterladen
            </button>
          </Form>
        </Panel>
      </div>
      <div className="grid-2">
        <Panel id="password" title="Passwort ändern">
          {message('password')}
          <Form method="post" noValidate className="form">
            <input type="hidden" name="intent" value="password" />
            <input type="text" name="username" autoComplete="username" defaultValue={account.email} hidden readOnly />
            <Field
              name="current"
              id="password-current"
              label="Bisheriges Passwort"
              type="password"
              autoComplete="current-password"
              error={errors('password').current}
            />
            <Field
              name="password"
              id="password-new"
              label="Neues Passwort"
              type="password"
              autoComplete="new-password"
              hint={PASSWORD_HINT}
              error={errors('password').password}
            />
            <Field
              name="passwordRepeat"
              id="password-repeat"
              label="Neues Passwort wiederholen"
              type="password"
              autoComplete="new-password"
              error={errors('password').passwordRepeat}
            />
            <p className="muted">Alle anderen Anmeldungen werden dabei beendet.</p>
            <div>
              <button type="submit" className="button button--primary" disabled={busy}>
                Passwort ändern
              </button>
            </div>
          </Form>
        </Panel>
        <Panel id="email" title="E-Mail-Adresse ändern">
          {message('email')}
          <Form method="post" noValidate className="form">
            <input type="hidden" name="intent" value="email" />
            <Field
              name="email"
              id="email-new"
              label="Neue E-Mail-Adresse"
              type="email"
              autoComplete="email"
              maxLength={254}
              error={errors('email').email}
            />
            <Field
              name="password"
              id="email-password"
              label="Ihr Passwort"
              type="password"
              autoComplete="current-password"
              error={errors('email').password}
            />
            <p className="muted">Die neue Adresse gilt, sobald Sie den Link bestätigen, den wir an sie senden.</p>
            <div>
              <button type="submit" className="button button--primary" disabled={busy}>
                Bestätigungslink senden
              </button>
            </div>
          </Form>
        </Panel>
      </div>
      {tenant ? (
        <Panel id="more-flats" title="Weitere Wohnung">
          <p>
            Haben Sie für eine weitere Wohnung einen Aktivierungscode erhalten? <Link to="/aktivieren">Code einlösen</Link>
          </p>
        </Panel>
      ) : null}
    </>
  );
}
