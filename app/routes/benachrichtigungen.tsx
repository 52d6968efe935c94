import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { FilterForm, SelectFilter } from '~/components/filters';
import { EmptyState, PageHeader } from '~/components/page-header';
import { useLiveRevalidation } from '~/hooks/use-live-revalidation';
import { formatDate, formatDateTime, formatNumber } from '../../domain/format';
import { NOTICE_CATEGORY_LABELS } from '../../domain/notifications';
import { parseId, safeRedirectPath } from '../../domain/params';
import { inboxFacets, inboxGroups, markRead, markReadWhere, type InboxGroup } from '../../server/inbox';
import { inboxQuery, parseInboxFilters, type InboxFilters } from '../../domain/inbox-filters';
import { requireUserWithPermission } from '../../server/permissions';
import { requireSameOrigin } from '../../server/request';

export const meta: MetaFunction = () => [{ title: 'Benachrichtigungen · Klarmeter' }];

/** GET /benachrichtigungen?kind=&property=&status=unread&day= — the user's notices, grouped per day, property and kind. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:notification:own');
  const filters = parseInboxFilters(new URL(request.url).searchParams);
  const [groups, facets] = await Promise.all([inboxGroups(user.id, filters), inboxFacets(user.id)]);
  return { groups, facets, filters };
}

/**
 * POST: intent 'read' (one notice, by id), 'read-group' (a group: kind, property, day) or
 * 'read-all' (everything the page's filters match; without filters every unread notice).
 */
export async function action({ request }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'update:notification:own');
  const form = await request.formData();
  const intent = form.get('intent');
  const filters = parseInboxFilters(form);
  if (intent === 'read-all') return { ok: true, changed: await markReadWhere(user.id, filters) };
  if (intent === 'read-group') {
    if (!filters.category || !filters.day || filters.propertyId === null) {
      throw new Response('Ungültige Anfrage: Gruppe (kind, property, day) fehlt', { status: 400 });
    }
    return { ok: true, changed: await markReadWhere(user.id, filters) };
  }
  const id = parseId(String(form.get('id') ?? ''));
  if (id === null) throw new Response('Ungültige Anfrage: id fehlt', { status: 400 });
  return { ok: true, changed: await markRead(user.id, id) };
}

const STATUS_OPTIONS = [{ value: 'unread', label: 'Nur ungelesene' }];

/** The filters as hidden fields, so that a POST applies to exactly what the page shows. */
function FilterFields({ filters }: { filters: InboxFilters }) {
  return (
    <>
      {filters.category ? <input type="hidden" name="kind" value={filters.category} /> : null}
      {filters.propertyId !== null ? <input type="hidden" name="property" value={filters.propertyId} /> : null}
      {filters.day ? <input type="hidden" name="day" value={filters.day} /> : null}
    </>
  );
}

export default function Notifications() {
  const { groups, facets, filters } = useLoaderData<typeof loader>();
  useLiveRevalidation();
  const filtered = filters.category !== null || filters.propertyId !== null || filters.day !== null;
  return (
    <>
      <PageHeader
        title="Benachrichtigungen"
        description={
          <>
            {facets.unread > 0 ? `${formatNumber(facets.unread)} ungelesen` : 'Alles gelesen'} · nach Tag, Liegenschaft und Art gebündelt.{' '}
            <span className="live-hint">Aktualisiert sich automatisch</span>
          </>
        }
        actions={
          facets.unread > 0 ? (
            <Form method="post">
              <FilterFields filters={filters} />
              <button type="submit" name="intent" value="read-all" className="button">
                {filtered ? 'Diese als gelesen markieren' : 'Alle als gelesen markieren'}
              </button>
            </Form>
          ) : null
        }
      />
      <nav className="inbox-kinds" aria-label="Nach Art">
        <ul>
          <li>
            <Link
              to={`/benachrichtigungen${inboxQuery(filters, { category: null, day: null })}`}
              aria-current={filters.category === null ? 'true' : undefined}
            >
              Alle <span className="inbox-kinds__count">{formatNumber(facets.unread)}</span>
            </Link>
          </li>
          {facets.categories.map((c) => (
            <li key={c.category}>
              <Link
                to={`/benachrichtigungen${inboxQuery(filters, { category: c.category, day: null })}`}
                aria-current={filters.category === c.category ? 'true' : undefined}
              >
                {NOTICE_CATEGORY_LABELS[c.category]}{' '}
                <span className="inbox-kinds__count" aria-label={`${formatNumber(c.unread)} ungelesen`}>
                  {formatNumber(c.unread)}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <FilterForm resetTo="/benachrichtigungen" label="Benachrichtigungen filtern">
        {filters.category ? <input type="hidden" name="kind" value={filters.category} /> : null}
        <SelectFilter
          name="property"
          label="Liegenschaft"
          allLabel="Alle Liegenschaften"
          value={filters.propertyId === null ? null : String(filters.propertyId)}
          options={[
            ...facets.properties.map((p) => ({ value: String(p.id), label: `${p.name} (${formatNumber(p.unread)} ungelesen)` })),
            { value: '0', label: 'Ohne Liegenschaft' },
          ]}
        />
        <SelectFilter
          name="status"
          label="Status"
          allLabel="Gelesene und ungelesene"
          value={filters.unreadOnly ? 'unread' : null}
          options={STATUS_OPTIONS}
        />
      </FilterForm>
      {filters.day ? (
        <p>
          Nur {formatDate(filters.day)}. <Link to={`/benachrichtigungen${inboxQuery(filters, { day: null })}`}>Alle Tage zeigen</Link>
        </p>
      ) : null}
      {groups.length === 0 ? (
        <EmptyState>Keine Benachrichtigungen{filtered || filters.unreadOnly ? ' für diese Auswahl' : ''}.</EmptyState>
      ) : (
        <div className="inbox-groups">
          {groups.map((group) => (
            <Group key={`${group.day}-${group.propertyId ?? 0}-${group.category}`} group={group} filters={filters} />
          ))}
        </div>
      )}
    </>
  );
}

function Group({ group, filters }: { group: InboxGroup; filters: InboxFilters }) {
  const id = `group-${group.day}-${group.propertyId ?? 0}-${group.category}`;
  const groupFilters: InboxFilters = { ...filters, category: group.category, propertyId: group.propertyId ?? 0, day: group.day };
  return (
    <section className={group.unread > 0 ? 'inbox-group inbox-group--unread' : 'inbox-group'} aria-labelledby={id}>
      <header className="inbox-group__header">
        <div>
          <h2 id={id} className="inbox-group__title">
            {NOTICE_CATEGORY_LABELS[group.category]} · {group.propertyName ?? 'Ohne Liegenschaft'}
          </h2>
          <p className="inbox-group__meta">
            {formatDate(group.day)} · {formatNumber(group.total)} {group.total === 1 ? 'Meldung' : 'Meldungen'}
            {group.unread > 0 ? <>, {formatNumber(group.unread)} ungelesen</> : null}
            {group.urgent > 0 ? <strong className="inbox-group__urgent">, {formatNumber(group.urgent)} dringend</strong> : null}
          </p>
        </div>
        {group.unread > 0 ? (
          <Form method="post">
            <FilterFields filters={groupFilters} />
            <button type="submit" name="intent" value="read-group" className="button button--small">
              Gruppe als gelesen
            </button>
          </Form>
        ) : null}
      </header>
      <ul className="inbox">
        {group.entries.map((n) => (
          <li key={n.id} className={n.readAt ? 'inbox__item' : 'inbox__item inbox__item--unread'}>
            <div className="inbox__body">
              <h3 className="inbox__title">
                {n.readAt ? null : <span className="visually-hidden">Ungelesen: </span>}
                {n.urgency === 'urgent' ? <span className="visually-hidden">Dringend: </span> : null}
                {n.link ? <Link to={safeRedirectPath(n.link, '/benachrichtigungen')}>{n.title}</Link> : n.title}
              </h3>
              <p>{n.body}</p>
              <p className="inbox__meta">
                <time dateTime={new Date(n.createdAt).toISOString()}>{formatDateTime(n.createdAt)}</time>
              </p>
            </div>
            {n.readAt ? null : (
              <Form method="post">
                <input type="hidden" name="id" value={n.id} />
                <button type="submit" name="intent" value="read" className="button button--small button--ghost">
                  Gelesen
                </button>
              </Form>
            )}
          </li>
        ))}
      </ul>
      {group.total > group.entries.length ? (
        <p className="inbox-group__more">
          <Link to={`/benachrichtigungen${inboxQuery(groupFilters)}`}>
            Alle {formatNumber(group.total)} Meldungen dieser Gruppe anzeigen
          </Link>
        </p>
      ) : null}
    </section>
  );
}
