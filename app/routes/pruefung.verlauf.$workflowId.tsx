import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { ComplianceNav } from '~/components/compliance-nav';
import { EmptyState, Facts, PageHeader, Panel } from '~/components/page-header';
import complianceStyles from '~/styles/compliance.css?url';
import { formatDateTime } from '../../domain/format';
import type { Tone } from '../../domain/timeline';
import type { Tone as NarrativeTone } from '../../domain/compliance/history-narrative';
import { hasPermission } from '../../domain/permissions';
import { obligationHistory } from '../../server/compliance';
import { notFound, requireUserWithPermission } from '../../server/permissions';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Verlauf ${data?.workflowId ?? ''} · Prüfung · Klarmeter` }];
export const links: LinksFunction = () => [{ rel: 'stylesheet', href: complianceStyles }];

/** The case pages' timeline colours (domain/timeline.ts) for the narrative's tones. */
const TONES: Readonly<Record<NarrativeTone, Tone>> = { info: 'unknown', done: 'green', warning: 'yellow', error: 'red' };

const DETAIL_LEVELS = { main: 'Wesentliches', minor: 'Mit Zwischenschritten', technical: 'Alle Ereignisse der Engine' } as const;
type DetailLevel = keyof typeof DETAIL_LEVELS;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:compliance:any');
  const url = new URL(request.url);
  const level = (url.searchParams.get('detail') ?? 'main') as DetailLevel;
  if (!(level in DETAIL_LEVELS)) throw notFound();
  const history = await obligationHistory(user, params.workflowId ?? '', url.searchParams.get('run') || null);
  if (!history) throw notFound();
  const shown = history.entries.filter(
    (entry) => level === 'technical' || entry.detail === 'main' || (level === 'minor' && entry.detail === 'minor'),
  );
  const eventsById = new Map(history.events.map((event) => [event.id, event]));
  return {
    workflowId: history.workflowId,
    runId: history.runId,
    previousRunId: history.previousRunId,
    kind: history.kind,
    facts: [
      ['Liegenschaft', history.property],
      ['Einheit', history.unit ?? '–'],
      ['Gerät', history.device ?? '–'],
      ['Status', `${history.state} (${history.statusLabel})`],
      ['Frist', history.dueText],
      ['Ereignisse', String(history.events.length)],
    ] as Array<[string, string]>,
    pagePath: history.pagePath,
    level,
    canExport: hasPermission(user, 'export:compliance:any'),
    entries: shown.map((entry, index) => ({
      key: index,
      at: entry.at,
      text: entry.text,
      tone: TONES[entry.tone],
      // The raw events behind the line, shown on demand.
      raw: JSON.stringify(
        entry.eventIds.map((id) => eventsById.get(id)),
        null,
        2,
      ),
      eventIds: entry.eventIds,
    })),
  };
}

export default function ObligationHistoryPage() {
  const data = useLoaderData<typeof loader>();
  const base = `/pruefung/verlauf/${encodeURIComponent(data.workflowId)}`;
  const exportHref = (format: string) => `${base}/export?format=${format}&run=${data.runId}`;
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/pruefung">← Pflichten</Link>}
        title={`Verlauf: ${data.kind}`}
        description={
          <>
            Workflow <code>{data.workflowId}</code>, Lauf <code>{data.runId}</code>. Aus der Ereignisgeschichte der Workflow-Engine, in
            Worten der Fachlichkeit.
          </>
        }
        actions={
          data.canExport ? (
            <>
              <a href={exportHref('pdf')} className="button" download>
                PDF
              </a>
              <a href={exportHref('json')} className="button" download>
                Rohdaten (JSON)
              </a>
            </>
          ) : null
        }
      />
      <ComplianceNav />
      <Facts items={data.pagePath ? [...data.facts, ['Seite', <Link to={data.pagePath}>öffnen</Link>]] : data.facts} />
      {data.previousRunId ? (
        <p>
          Dieser Lauf setzt einen früheren fort: <Link to={`${base}?run=${data.previousRunId}`}>vorherigen Lauf lesen</Link>.
        </p>
      ) : null}
      <Panel
        id="timeline"
        title="Verlauf"
        actions={
          <nav aria-label="Detailgrad" className="tabs">
            {(Object.keys(DETAIL_LEVELS) as DetailLevel[]).map((level) => (
              <Link
                key={level}
                to={`${base}?run=${data.runId}${level === 'main' ? '' : `&detail=${level}`}`}
                className="tabs__tab"
                aria-current={level === data.level ? 'page' : undefined}
              >
                {DETAIL_LEVELS[level]}
              </Link>
            ))}
          </nav>
        }
      >
        {data.entries.length === 0 ? (
          <EmptyState>Keine Ereignisse.</EmptyState>
        ) : (
          <ol className="timeline" aria-label={`Verlauf von ${data.workflowId}`}>
            {data.entries.map((entry) => (
              <li key={entry.key} className={`timeline__item timeline__item--${entry.tone}`}>
                <div className="timeline__head">
                  <strong className="timeline__label">{entry.text}</strong>
                  <span className="timeline__meta">
                    <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
                  </span>
                </div>
                <details className="raw-event">
                  <summary>
                    Rohereignis{entry.eventIds.length > 1 ? 'se' : ''} Nr. {entry.eventIds.join(', ')}
                  </summary>
                  <pre>{entry.raw}</pre>
                </details>
              </li>
            ))}
          </ol>
        )}
      </Panel>
    </>
  );
}
