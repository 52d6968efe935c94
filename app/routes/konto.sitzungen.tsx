import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { FormMessage } from '~/components/account-forms';
import { DataTable } from '~/components/data-table';
import { PageHeader, Panel } from '~/components/page-header';
import { SettingsNav } from '~/components/settings-nav';
import { SETTINGS_NAVIGATION } from '~/utils/navigation';
import { formatDateTime } from '../../domain/format';
import { endAllSessions, endSession, ownSessions } from '../../server/accounts';
import { requireUserWithPermission } from '../../server/permissions';
import { requireSameOrigin } from '../../server/request';
import { serializeClearedCookie, sessionToken } from '../../server/session';

export const meta: MetaFunction = () => [{ title: 'Sitzungen · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:account:own');
  return { sessions: await ownSessions(user, await sessionToken(request)), settingsPages: SETTINGS_NAVIGATION[user.role] };
}

/** intent=end (one session by key), end-others, end-all ("überall abmelden": this one too, then to the login). */
export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'update:account:own');
  const form = await request.formData();
  const intent = form.get('intent');
  const current = await sessionToken(request);
  if (intent === 'end') {
    const key = String(form.get('session') ?? '');
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Response('Ungültige Anfrage', { status: 400 });
    return endSession(user, key, context);
  }
  if (intent === 'end-others') return endAllSessions(user, current, context);
  if (intent === 'end-all') {
    await endAllSessions(user, null, context);
    throw redirect('/login', { headers: { 'Set-Cookie': await serializeClearedCookie(request) } });
  }
  throw new Response('Ungültige Anfrage', { status: 400 });
}

/** A readable name for a browser from its User-Agent: enough to recognise one's own devices. */
function browserOf(userAgent: string | null): string {
  if (!userAgent) return 'Unbekannter Browser';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrome\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : userAgent.slice(0, 40);
  const system = /Windows/.test(userAgent)
    ? 'Windows'
    : /Android/.test(userAgent)
      ? 'Android'
      : /iPhone|iPad/.test(userAgent)
        ? 'iOS'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : null;
  return system ? `${browser} unter ${system}` : browser;
}

export default function Sessions() {
  const { sessions, settingsPages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  return (
    <>
      <PageHeader
        title="Sitzungen"
        description="Wo Sie angemeldet sind. Beenden Sie Sitzungen, die Sie nicht kennen, und ändern Sie dann Ihr Passwort."
      />
      <SettingsNav items={settingsPages} />
      <FormMessage data={result} />
      <Panel
        id="sessions"
        title="Angemeldete Browser"
        actions={
          <Form method="post" className="case-action__buttons">
            <button type="submit" name="intent" value="end-others" className="button" disabled={busy || sessions.length < 2}>
              Alle anderen abmelden
            </button>
            <button type="submit" name="intent" value="end-all" className="button button--primary" disabled={busy}>
              Überall abmelden
            </button>
          </Form>
        }
      >
        <DataTable
          label="Sitzungen"
          caption="Ihre Sitzungen"
          head={
            <tr>
              <th scope="col">Browser</th>
              <th scope="col">IP-Adresse</th>
              <th scope="col">Angemeldet</th>
              <th scope="col">Gültig bis</th>
              <th scope="col">Aktion</th>
            </tr>
          }
        >
          {sessions.map((s) => (
            <tr key={s.key}>
              <th scope="row">
                {browserOf(s.userAgent)}
                {s.current ? <span className="cell-sub">diese Sitzung</span> : null}
              </th>
              <td className="mono">{s.ip ?? '–'}</td>
              <td>{formatDateTime(s.createdAt)}</td>
              <td>{formatDateTime(s.expiresAt)}</td>
              <td>
                {s.current ? (
                  <span className="muted">aktuell</span>
                ) : (
                  <Form method="post">
                    <input type="hidden" name="session" value={s.key} />
                    <button type="submit" name="intent" value="end" className="button button--small" disabled={busy}>
                      Abmelden
                      <span className="visually-hidden">
                        {' '}
                        ({browserOf(s.userAgent)}, {formatDateTime(s.createdAt)})
                      </span>
                    </button>
                  </Form>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      </Panel>
    </>
  );
}
