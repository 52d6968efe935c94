import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { EmptyState, PageHeader } from '~/components/page-header';
import { formatDateTime, formatNumber } from '../../domain/format';
import { INBOX_LIMIT, inbox, markRead, unreadCount } from '../../server/inbox';
import { parseId, safeRedirectPath } from '../../domain/params';
import { requireUserWithPermission } from '../../server/permissions';
import { requireSameOrigin } from '../../server/request';

export const meta: MetaFunction = () => [{ title: 'Benachrichtigungen · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:notification:own');
  const [notifications, unread] = await Promise.all([inbox(user.id), unreadCount(user.id)]);
  return { notifications, unread, limited: notifications.length === INBOX_LIMIT };
}

export async function action({ request }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'update:notification:own');
  const form = await request.formData();
  const id = form.get('intent') === 'read-all' ? undefined : parseId(String(form.get('id') ?? ''));
  if (id === null) throw new Response('Ungültige Anfrage', { status: 400 });
  await markRead(user.id, id);
  return { ok: true };
}

export default function Notifications() {
  const { notifications, unread, limited } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader
        title="Benachrichtigungen"
        description={`${unread > 0 ? `${formatNumber(unread)} ungelesen` : 'Alles gelesen'}${limited ? ` · die neuesten ${formatNumber(notifications.length)} werden angezeigt` : ''}`}
        actions={
          unread > 0 ? (
            <Form method="post">
              <button type="submit" name="intent" value="read-all" className="button">
                Alle als gelesen markieren
              </button>
            </Form>
          ) : null
        }
      />
      {notifications.length === 0 ? (
        <EmptyState>Keine Benachrichtigungen.</EmptyState>
      ) : (
        <ul className="inbox">
          {notifications.map((n) => (
            <li key={n.id} className={n.readAt ? 'inbox__item' : 'inbox__item inbox__item--unread'}>
              <div className="inbox__body">
                <h2 className="inbox__title">
                  {n.readAt ? null : <span className="visually-hidden">Ungelesen: </span>}
                  {n.link ? <Link to={safeRedirectPath(n.link, '/benachrichtigungen')}>{n.title}</Link> : n.title}
                </h2>
                <p>{n.body}</p>
                <p className="inbox__meta">
                  <time dateTime={new Date(n.createdAt).toISOString()}>{formatDateTime(n.createdAt)}</time>
                </p>
              </div>
              {n.readAt ? null : (
                <Form method="post">
                  <input type="hidden" name="id" value={n.id} />
                  <button type="submit" className="button button--small">
                    Als gelesen markieren
                  </button>
                </Form>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
