import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { DEFAULT_CONVERSION, germanMonth } from '../../domain/monthly';
import { parseDecimal } from '../../domain/readings-csv';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import monthlyStyles from '~/styles/monthly.css?url';
import { formatDateTime, formatNumber } from '../../domain/format';
import { parseId } from '../../domain/params';
import { requireUserWithPermission, scopeIsEmpty, visibleScope } from '../../server/permissions';
import { hasPermission } from '../../domain/permissions';
import { clientIp, requireSameOrigin } from '../../server/request';
import { monthlyOverview, saveConversionSettings, triggerMonthlyRun, type MonthlyRunRow } from '../../server/monthly';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: monthlyStyles }];
export const meta: MetaFunction = () => [{ title: 'Monatsinformationen · Klarmeter' }];

/**
 * GET /monatsinformationen: per month how many units got their information (n of N) and how many
 * addressees opened it, the latest run's live progress and the conversion factors per property.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:monthly-information:any');
  const scope = await visibleScope(user);
  const canManage = hasPermission(user, 'update:monthly-information:any');
  if (scopeIsEmpty(scope))
    return { run: null, months: [], unitCount: 0, properties: [], nextRun: null, canManage, defaults: DEFAULT_CONVERSION };
  return { ...(await monthlyOverview(scope)), canManage, defaults: DEFAULT_CONVERSION };
}

/** propertyId: the message belongs to that property's settings form. */
interface ActionResult {
  ok: boolean;
  message: string;
  propertyId?: number;
}

/** POST: start the month's run now (through the Schedule, so never twice at once), or set a property's factors. */
export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult> {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'update:monthly-information:any');
  const form = await request.formData();
  if (form.get('intent') === 'run') return triggerMonthlyRun(user, clientIp(context));

  if (form.get('intent') === 'settings') {
    const propertyId = parseId(String(form.get('propertyId') ?? ''));
    const scope = await visibleScope(user);
    if (!propertyId || !scope.propertyIds.includes(propertyId)) throw new Response('Nicht gefunden', { status: 404 });
    const factor = parseDecimal(String(form.get('hkvKwhPerUnit') ?? ''));
    const temperature = parseDecimal(String(form.get('hotWaterTempC') ?? ''));
    if (factor === null || factor <= 0 || factor > 100)
      return { ok: false, propertyId, message: 'Faktor: eine Zahl größer 0 und höchstens 100 (kWh je Einheit).' };
    if (temperature === null || temperature <= 10 || temperature > 95)
      return { ok: false, propertyId, message: 'Warmwassertemperatur: zwischen 10 und 95 °C.' };
    const settings = { hkvKwhPerUnit: factor, hotWaterTempC: temperature, districtHeating: form.get('districtHeating') === 'on' };
    await saveConversionSettings(user, propertyId, settings, clientIp(context));
    return { ok: true, propertyId, message: 'Gespeichert. Die Umrechnung gilt ab dem nächsten Lauf.' };
  }
  throw new Response('Ungültige Anfrage', { status: 400 });
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 100);
}

function Progress({ done, total, label }: { done: number; total: number; label: string }) {
  const share = percent(done, total);
  return (
    <div className="progress">
      <div
        className="progress__bar"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-valuetext={`${formatNumber(done)} von ${formatNumber(total)}`}
      >
        <div className={done >= total ? 'progress__fill progress__fill--done' : 'progress__fill'} style={{ width: `${share}%` }} />
      </div>
      <span className="progress__text">
        {formatNumber(done)} von {formatNumber(total)} Wohnungen ({share} %)
      </span>
    </div>
  );
}

function OpenedRate({ opened, delivered }: { opened: number; delivered: number }) {
  if (delivered === 0) return <span className="muted">–</span>;
  const share = percent(opened, delivered);
  return (
    <span className="rate">
      <span className="rate__bar" aria-hidden="true">
        <span className="rate__fill" style={{ width: `${share}%` }} />
      </span>
      <span>
        {share} %{' '}
        <span className="muted">
          ({formatNumber(opened)} von {formatNumber(delivered)})
        </span>
      </span>
    </span>
  );
}

const RUN_STATUS: Record<MonthlyRunRow['status'], { label: string; className: string }> = {
  running: { label: 'läuft', className: 'tag tag--warning' },
  completed: { label: 'abgeschlossen', className: 'tag tag--ok' },
  failed: { label: 'mit Fehlern beendet', className: 'tag tag--risk' },
};

export default function MonthlyOverview() {
  const { run, months, unitCount, properties, nextRun, canManage, defaults } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const starting = navigation.state !== 'idle' && navigation.formData?.get('intent') === 'run';
  return (
    <>
      <PageHeader
        title="Monatsinformationen"
        description={
          <>
            Verbrauchsinformation nach § 6a HeizkostenV für jede Wohnung, automatisch am 5. jedes Monats um 06:00 Uhr für den Vormonat.{' '}
            <span className="live-hint">Aktualisiert sich automatisch</span>
          </>
        }
        actions={
          canManage ? (
            <>
              <Link to="/monatsinformationen/ablesungen" className="button">
                Ablesungen erfassen
              </Link>
              <Form method="post">
                <button type="submit" name="intent" value="run" className="button button--primary" disabled={starting}>
                  {starting ? 'Wird gestartet …' : 'Lauf jetzt starten'}
                </button>
              </Form>
            </>
          ) : null
        }
      />
      {result && !result.propertyId ? (
        <p className={result.ok ? 'alert alert--info' : 'alert alert--error'} role="status">
          {result.message}
        </p>
      ) : null}

      <Panel
        id="run"
        title="Aktueller Lauf"
        actions={nextRun ? <span className="status-line">Nächster Lauf: {formatDateTime(nextRun)}</span> : null}
      >
        {run ? (
          <div className="grid-2">
            <div>
              <p className="status-line">
                <strong>{germanMonth(run.month)}</strong>
                <span className={RUN_STATUS[run.status].className}>{RUN_STATUS[run.status].label}</span>
              </p>
              <p className="muted">
                Gestartet {formatDateTime(run.startedAt)}
                {run.finishedAt ? ` · beendet ${formatDateTime(run.finishedAt)}` : ''} · {formatNumber(run.propertiesDone)} von{' '}
                {formatNumber(run.properties)} Liegenschaften fertig
              </p>
            </div>
            <Progress done={run.unitsDone} total={run.unitsTotal} label={`Fortschritt des Laufs ${germanMonth(run.month)}`} />
          </div>
        ) : (
          <EmptyState>Noch kein Lauf. Der erste beginnt am 5. des Monats – oder jetzt mit „Lauf jetzt starten“.</EmptyState>
        )}
      </Panel>

      <Panel id="months" title="Monate">
        {months.length === 0 ? (
          <EmptyState>Noch keine Monatsinformationen erstellt.</EmptyState>
        ) : (
          <DataTable
            label="Monate"
            caption="Monatsinformationen je Monat: erstellt, zugestellt, geöffnet"
            head={
              <tr>
                <th scope="col">Monat</th>
                <th scope="col">Erstellt</th>
                <th scope="col" className="num">
                  Im Portal zugestellt
                </th>
                <th scope="col">Geöffnet</th>
                <th scope="col" className="num">
                  Ohne Portalzugang
                </th>
                <th scope="col" className="num">
                  Ersatzwerte
                </th>
                <th scope="col" className="num">
                  Nicht fernablesbar
                </th>
              </tr>
            }
          >
            {months.map((m) => (
              <tr key={m.month}>
                <th scope="row">
                  <Link to={`/monatsinformationen/${m.month}`}>{germanMonth(m.month)}</Link>
                </th>
                <td>
                  <Progress done={m.units} total={Math.max(unitCount, m.units)} label={`Erstellt für ${germanMonth(m.month)}`} />
                </td>
                <td className="num">{formatNumber(m.portal)}</td>
                <td>
                  <OpenedRate opened={m.opened} delivered={m.portal} />
                </td>
                <td className="num">
                  {m.noAccount > 0 ? (
                    <Link to={`/monatsinformationen/${m.month}?status=no-account`}>{formatNumber(m.noAccount)}</Link>
                  ) : (
                    '0'
                  )}
                </td>
                <td className="num">
                  {m.estimated > 0 ? <Link to={`/monatsinformationen/${m.month}?status=estimated`}>{formatNumber(m.estimated)}</Link> : '0'}
                </td>
                <td className="num">
                  {m.notRemote > 0 ? (
                    <Link to={`/monatsinformationen/${m.month}?status=not-remote`} className="tag tag--risk">
                      {formatNumber(m.notRemote)}
                    </Link>
                  ) : (
                    '0'
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Panel>

      <Panel id="conversion" title="Umrechnung in kWh je Liegenschaft">
        <p className="muted">
          Heizkostenverteiler-Einheiten × Faktor der Liegenschaft; Warmwasser nach § 9 HeizkostenV (2,5 kWh/(m³·K) × m³ × (t<sub>w</sub> −
          10 °C), Fernwärme ÷ 1,15). Ohne eigene Angabe gelten {formatNumber(defaults.hkvKwhPerUnit, true)} kWh je Einheit und{' '}
          {formatNumber(defaults.hotWaterTempC)} °C. Den Mietern wird die Umrechnung erläutert.
        </p>
        <DataTable
          label="Umrechnung je Liegenschaft"
          caption="Umrechnungsfaktoren je Liegenschaft"
          head={
            <tr>
              <th scope="col">Liegenschaft</th>
              <th scope="col">kWh je Einheit · Warmwasser °C · Fernwärme</th>
            </tr>
          }
        >
          {properties.map((p) => (
            <tr key={p.id}>
              <th scope="row">
                {p.name}
                {p.own ? null : <span className="muted"> (Standard)</span>}
              </th>
              <td>
                {canManage ? (
                  <Form method="post" className="settings-form" aria-label={`Umrechnung ${p.name}`}>
                    <input type="hidden" name="intent" value="settings" />
                    <input type="hidden" name="propertyId" value={p.id} />
                    <label>
                      Faktor{' '}
                      <input type="text" inputMode="decimal" name="hkvKwhPerUnit" defaultValue={formatNumber(p.hkvKwhPerUnit, true)} />
                    </label>
                    <label>
                      t<sub>w</sub>{' '}
                      <input type="text" inputMode="decimal" name="hotWaterTempC" defaultValue={formatNumber(p.hotWaterTempC, true)} />
                    </label>
                    <label>
                      <input type="checkbox" name="districtHeating" defaultChecked={p.districtHeating} /> Fernwärme
                    </label>
                    <button type="submit" className="button button--small">
                      Speichern
                    </button>
                    {result?.propertyId === p.id ? (
                      <span className={result.ok ? 'muted' : 'field__error'} role="status">
                        {result.message}
                      </span>
                    ) : null}
                  </Form>
                ) : (
                  `${formatNumber(p.hkvKwhPerUnit, true)} kWh · ${formatNumber(p.hotWaterTempC, true)} °C · ${p.districtHeating ? 'Fernwärme' : 'eigene Anlage'}`
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      </Panel>
    </>
  );
}
