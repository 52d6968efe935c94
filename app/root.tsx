import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import {
  Form,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useRouteError,
  useRouteLoaderData,
} from '@remix-run/react';
import type { ReactNode } from 'react';
import { useLiveRevalidation } from '~/hooks/use-live-revalidation';
import stylesheet from '~/styles/app.css?url';
import { getOptionalUser } from '../server/auth';
import { ROLE_LABELS, formatNumber } from '../domain/format';
import { hasPermission } from '../domain/permissions';
import { NAVIGATION, homePath } from '~/utils/navigation';
import { useNonce } from '~/utils/nonce';
import { unreadCount } from '../server/inbox';
import { temporalUiLink } from '../server/operations';

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'icon', href: '/favicon.ico', type: 'image/svg+xml' },
];

export const meta: MetaFunction = () => [
  { title: 'Klarmeter' },
  { name: 'description', content: 'Messdienst-Portal für Heiz- und Wasserkosten' },
];

// Pages show personal data: no shared cache may keep them, and the back button after log-out must not show them.
export const headers: HeadersFunction = () => ({ 'Cache-Control': 'private, no-store' });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request);
  if (!user) return { user: null, unread: 0 };
  return {
    user: {
      name: user.name,
      role: user.role,
      roleLabel: ROLE_LABELS[user.role],
      organisationName: user.organisationName,
      home: homePath(user.role),
      navigation: NAVIGATION[user.role],
      processingRecord: hasPermission(user, 'read:processing-record:any'),
      // Only operators get the link; everyone else's page does not even carry the address.
      temporalUi: temporalUiLink(user),
    },
    unread: await unreadCount(user.id),
  };
}

type RootData = Awaited<ReturnType<typeof loader>>;

function AppHeader({ data }: { data: RootData }) {
  const { user, unread } = data;
  if (!user) {
    return (
      <header className="app-header">
        <div className="app-header__inner">
          <Link to="/" className="brand">
            <span className="brand__mark" aria-hidden="true">
              K
            </span>
            Klarmeter
          </Link>
        </div>
      </header>
    );
  }
  return (
    <header className="app-header">
      <div className="app-header__inner">
        <Link to={user.home} className="brand">
          <span className="brand__mark" aria-hidden="true">
            K
          </span>
          <span>
            Klarmeter<span className="brand__org">{user.organisationName}</span>
          </span>
        </Link>
        <nav aria-label="Hauptnavigation" className="main-nav">
          <ul>
            {user.navigation.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to}>{item.label}</NavLink>
              </li>
            ))}
            {user.temporalUi ? (
              <li>
                <a href={user.temporalUi} target="_blank" rel="noreferrer">
                  Temporal-Oberfläche<span className="visually-hidden"> (Betrieb, öffnet in neuem Fenster)</span>
                </a>
              </li>
            ) : null}
          </ul>
        </nav>
        <div className="app-header__user">
          <NavLink to="/benachrichtigungen" className="inbox-link">
            Benachrichtigungen
            {unread > 0 ? (
              <span className="count-pill">
                <span className="visually-hidden">, </span>
                {formatNumber(unread)}
                <span className="visually-hidden"> ungelesen</span>
              </span>
            ) : null}
          </NavLink>
          <span className="user-chip">
            <span className="user-chip__name">{user.name}</span>
            <span className="user-chip__role">{user.roleLabel}</span>
          </span>
          <Form method="post" action="/logout">
            <button type="submit" className="button button--header">
              Abmelden
            </button>
          </Form>
        </div>
      </div>
    </header>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>('root');
  const nonce = useNonce();
  return (
    <html lang="de">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a href="#main" className="skip-link">
          Zum Inhalt springen
        </a>
        <AppHeader data={data ?? { user: null, unread: 0 }} />
        <main id="main" tabIndex={-1} className="main">
          {children}
        </main>
        <footer className="app-footer">
          <p>
            Klarmeter · Messdienst-Portal für Heiz- und Wasserkosten
            {data?.user?.processingRecord ? (
              <>
                {' · '}
                <Link to="/datenschutz/verzeichnis">Verzeichnis der Verarbeitungstätigkeiten</Link>
              </>
            ) : null}
          </p>
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  const data = useRouteLoaderData<typeof loader>('root');
  useLiveRevalidation(Boolean(data?.user));
  return <Outlet />;
}

const ERROR_TEXTS: Record<number, { title: string; text: string }> = {
  400: { title: 'Ungültige Anfrage', text: 'Die Anfrage konnte nicht verarbeitet werden.' },
  403: { title: 'Keine Berechtigung', text: 'Sie haben keinen Zugriff auf diese Seite.' },
  404: { title: 'Nicht gefunden', text: 'Die gesuchte Seite oder der Datensatz existiert nicht oder ist für Sie nicht sichtbar.' },
  413: {
    title: 'Anfrage zu groß',
    text: 'Die gesendeten Daten überschreiten die zulässige Größe. Bitte kürzen Sie Ihre Eingabe oder teilen Sie die Datei auf.',
  },
};

function errorText(data: unknown): { title: string; text: string } | null {
  if (typeof data !== 'object' || data === null) return null;
  const { title, text } = data as Record<string, unknown>;
  return typeof title === 'string' && typeof text === 'string' ? { title, text } : null;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  // A 503 after a data request carries the server's German text naming the part that is away.
  const { title, text } = (isRouteErrorResponse(error) && status === 503 && errorText(error.data)) ||
    ERROR_TEXTS[status] || {
      title: 'Es ist ein Fehler aufgetreten',
      text: 'Bitte versuchen Sie es in einem Moment erneut. Besteht das Problem weiter, wenden Sie sich an Ihre Hausverwaltung.',
    };
  if (!isRouteErrorResponse(error)) console.error(error);
  return (
    <div className="error-page">
      <p className="error-page__code">Fehler {status}</p>
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        <Link to="/" className="button button--primary">
          Zur Startseite
        </Link>
      </p>
    </div>
  );
}
