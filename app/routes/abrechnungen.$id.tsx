import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { ActionMessage } from '~/components/cases';
import { LifecycleSection } from '~/components/statement-lifecycle';
import { RecipientsTable } from '~/components/statement-recipients';
import { useLiveRevalidation } from '~/hooks/use-live-revalidation';
import { lifecyclePanel, statementAction } from '../../server/statement-lifecycle';
import { renderStatementHtml, statementDocumentModel } from '../../server/statement-documents';
import { Facts, PageHeader, Panel } from '~/components/page-header';
import { StatementUnitsTable } from '~/components/statement-units';
import statementStyles from '~/styles/statements.css?url';
import { formatDateTime, formatNumber } from '../../domain/format';
import { parseId } from '../../domain/params';
import { hasPermission } from '../../domain/permissions';
import { formatEuro, formatPeriod, statementStatusLabel } from '../../domain/statement-format';
import { requireStoredStatement, versionsOf } from '../../server/statements';
import { seesTenantNames, statementForViewer } from '../../server/personal-data';
import { forwardingPanel } from '../../server/owner-forwards';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Abrechnung ${data.statement.documentNumber} · ${data.statement.propertyName} · Klarmeter` : 'Abrechnung · Klarmeter' },
];

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: statementStyles }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const found = await requireStoredStatement(request, params.id);
  const { user, stored } = found;
  // Tenants' names only for roles the personal-data policy lets see them (owners and compliance: "Mietpartei").
  const statement = statementForViewer(user, found.statement);
  const url = new URL(request.url);
  const selectedUnitId = parseId(url.searchParams.get('einheit') ?? undefined) ?? statement.units[0]?.unitId;
  const selected = statement.units.find((u) => u.unitId === selectedUnitId) ?? statement.units[0];
  const model = selected ? statementDocumentModel(statement, { unitId: selected.unitId, occupancyKey: null }, { standalone: false }) : null;
  const withTenants = seesTenantNames(user);
  const { summary } = statement;
  return {
    statement: {
      id: stored.id,
      documentNumber: stored.documentNumber,
      version: stored.version,
      status: stored.status,
      createdAt: stored.createdAt,
      correctionReason: stored.correctionReason,
      inputHash: stored.engineInputSha256,
      propertyId: statement.property.id,
      propertyName: statement.property.name,
      period: statement.period,
      plantCost: summary.plant.cost,
      hotWaterSharePercent: summary.combined ? summary.combined.hotWaterShare * 100 : null,
      heatingCost: summary.combined?.heatingCost ?? null,
      hotWaterCost: summary.combined?.hotWaterCost ?? null,
      coldWaterCost: statement.parameters.coldWaterCost,
      co2: summary.co2 ?? null,
      heatingUnit: summary.heatingUnit,
    },
    units: statement.units.map((unit) => ({
      unitId: unit.unitId,
      label: unit.label,
      areaM2: unit.areaM2,
      consumption: unit.consumption,
      estimated: unit.estimated,
      amounts: unit.amounts,
      occupancies: unit.occupancies.map((o) => ({
        key: o.key,
        name: withTenants ? (o.tenantName ?? 'Leerstand') : null,
        from: o.from,
        to: o.to,
        fixedKeysOnly: o.fixedKeysOnly.length > 0,
        amountDue: o.amounts.amountDue,
      })),
    })),
    counts: {
      estimated: statement.units.filter((u) => u.estimated.length > 0).length,
      fixedKeysOnly: statement.units.filter((u) => u.occupancies.some((o) => o.fixedKeysOnly.length > 0)).length,
      cuts: statement.units.filter((u) => u.amounts.cut > 0).length,
      tenantChanges: statement.units.filter((u) => u.occupancies.length > 1).length,
    },
    notices: model?.notices ?? [],
    selected: selected ? { unitId: selected.unitId, label: selected.label, html: model ? renderStatementHtml(model) : '' } : null,
    versions: await versionsOf(statement.property.id, statement.period),
    withTenants,
    canCreate: hasPermission(user, 'create:statement:any'),
    forwarding: await forwardingPanel(user, { id: stored.id, status: stored.status }, url.searchParams),
    lifecycle: await lifecyclePanel(user, {
      id: stored.id,
      version: stored.version,
      status: stored.status,
      propertyId: statement.property.id,
    }),
  };
}

/** Approve, deliver (portal or post) and correct the receipt date: updates the lifecycle workflow validates. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  return statementAction(request, params.id, context);
}

const pdfHref = (statementId: number, unitId: number, occupancyKey?: string) =>
  `/abrechnungen/${statementId}/einheit/${unitId}.pdf${occupancyKey ? `?nutzung=${encodeURIComponent(occupancyKey)}` : ''}`;

export default function StatementDetail() {
  const { statement, units, counts, notices, selected, versions, withTenants, canCreate, lifecycle, forwarding } =
    useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  useLiveRevalidation();
  return (
    <>
      <PageHeader
        eyebrow={<Link to={`/abrechnungen?property=${statement.propertyId}`}>← Alle Abrechnungen</Link>}
        title={`Heizkostenabrechnung ${formatPeriod(statement.period.start, statement.period.end)}`}
        description={
          <>
            {statement.propertyName} · v{statement.version} · <span className="mono">{statement.documentNumber}</span> ·{' '}
            {statementStatusLabel(statement.status)}
          </>
        }
        actions={
          canCreate ? (
            <Link to={`/abrechnungen/neu?korrektur=${statement.id}`} className="button button--primary">
              Korrektur erstellen
            </Link>
          ) : null
        }
      />
      <div className="grid-2">
        <Panel id="overview" title="Überblick">
          <Facts
            items={[
              [
                'Dokument-Nr.',
                <span key="n" className="mono">
                  {statement.documentNumber}
                </span>,
              ],
              [
                'Version',
                statement.correctionReason ? `${statement.version} – Korrektur: ${statement.correctionReason}` : String(statement.version),
              ],
              ['Status', statementStatusLabel(statement.status)],
              ['Erstellt', formatDateTime(statement.createdAt)],
              [
                'Einheiten',
                `${formatNumber(units.length)} (${formatNumber(counts.estimated)} mit Ersatzwert, ${formatNumber(counts.tenantChanges)} mit Nutzerwechsel)`,
              ],
              [
                'Prüfsumme der Eingaben',
                <span key="h" className="mono" title="SHA-256 der Berechnungseingabe">
                  {statement.inputHash.slice(0, 16)}…
                </span>,
              ],
            ]}
          />
        </Panel>
        <Panel id="costs" title="Kosten">
          <Facts
            items={[
              ['Kosten der Heizanlage', formatEuro(statement.plantCost)],
              ['davon Heizung', formatEuro(statement.heatingCost)],
              [
                'davon Warmwasser',
                `${formatEuro(statement.hotWaterCost)}${statement.hotWaterSharePercent === null ? '' : ` (${formatNumber(statement.hotWaterSharePercent, true)} %)`}`,
              ],
              ['Kaltwasser', formatEuro(statement.coldWaterCost)],
              [
                'CO₂-Kosten',
                statement.co2
                  ? `${formatNumber(statement.co2.kgPerM2, true)} kg/m² → Vermieter ${formatNumber(statement.co2.landlordShare * 100)} % = ${formatEuro(statement.co2.landlordCost)}`
                  : 'nicht erfasst',
              ],
            ]}
          />
        </Panel>
      </div>
      <ActionMessage data={outcome} />
      <LifecycleSection
        statementId={statement.id}
        lifecycle={lifecycle}
        actions={
          <>
            <LifecycleForms lifecycle={lifecycle} />
            {lifecycle.recipientSummary ? (
              <RecipientsTable statementId={statement.id} recipients={lifecycle.recipients} summary={lifecycle.recipientSummary} />
            ) : null}
          </>
        }
      />
      {notices.map((notice) => (
        <div key={notice} className="alert alert--info">
          {notice}
        </div>
      ))}
      {counts.fixedKeysOnly > 0 ? (
        <div className="alert alert--info">
          Bei {formatNumber(counts.fixedKeysOnly)} Einheiten mit Nutzerwechsel fehlte eine verwertbare Zwischenablesung; die Kosten wurden
          dort nach §9b Abs. 3 HKVO nach Gradtagzahlen und Tagen aufgeteilt (markiert).
        </div>
      ) : null}
      {counts.cuts > 0 ? (
        <div className="alert alert--info">
          Bei {formatNumber(counts.cuts)} Einheiten wird der Anteil nach §12 HKVO bzw. §7 Abs. 4 CO2KostAufG gekürzt; die Gründe stehen in
          der Abrechnung der Einheit.
        </div>
      ) : null}
      <Panel id="units" title="Ergebnis je Wohneinheit">
        <StatementUnitsTable
          units={units}
          heatingUnit={statement.heatingUnit}
          selectedUnitId={selected?.unitId ?? null}
          label={(unit) => <Link to={`?einheit=${unit.unitId}#ableitung`}>{unit.label}</Link>}
          extra={{
            title: withTenants ? 'Nutzer und Dokumente' : 'Dokumente',
            cell: (unit) =>
              unit.occupancies
                .map((o, index) => (
                  <div key={o.key}>
                    {withTenants ? <>{o.name} · </> : null}
                    {unit.occupancies.length > 1 ? (
                      <a href={pdfHref(statement.id, unit.unitId, o.key)} download>
                        PDF Nutzer {index + 1}
                      </a>
                    ) : (
                      <a href={pdfHref(statement.id, unit.unitId)} download>
                        PDF
                      </a>
                    )}
                    {unit.occupancies.length > 1 ? (
                      <span className="cell-sub">
                        {formatPeriod(o.from, o.to)}
                        {o.fixedKeysOnly ? ' · ohne Zwischenablesung' : ''}
                      </span>
                    ) : null}
                  </div>
                ))
                .concat(
                  unit.occupancies.length > 1
                    ? [
                        <div key="unit">
                          <a href={pdfHref(statement.id, unit.unitId)} download>
                            PDF Wohneinheit
                          </a>
                        </div>,
                      ]
                    : [],
                ),
          }}
        />
        <p className="muted">E = Ersatzwert (§9a HKVO). Ein Klick auf die Einheit zeigt ihre vollständige Abrechnung mit Herleitung.</p>
      </Panel>
      {selected ? (
        <Panel
          id="ableitung"
          title={`Abrechnung und Herleitung: ${selected.label}`}
          actions={
            <a href={pdfHref(statement.id, selected.unitId)} className="button button--small" download>
              PDF herunterladen
            </a>
          }
        >
          {/* Rendered on the server from the same template as the PDF; Handlebars escapes all data. */}
          <div className="statement-document" dangerouslySetInnerHTML={{ __html: selected.html }} />
        </Panel>
      ) : null}
      {forwarding.canForward || forwarding.records.length > 0 ? (
        <Panel id="weiterleitung" title="An Eigentümer weiterleiten">
          <ActionMessage data={forwarding.message ?? undefined} />
          {forwarding.records.length > 0 ? (
            <ul>
              {forwarding.records.map((r) => (
                <li key={r.id}>
                  {r.ownerName}: weitergeleitet {formatDateTime(r.forwardedAt)} von {r.forwardedByName} ·{' '}
                  {r.openedAt ? `geöffnet ${formatDateTime(r.openedAt)}` : 'noch nicht geöffnet'}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">Noch nicht an den Eigentümer weitergeleitet.</p>
          )}
          {forwarding.canForward ? (
            <Form method="post" action={`/abrechnungen/${statement.id}/weiterleiten`}>
              <button type="submit" className="button">
                An Eigentümer weiterleiten
              </button>
            </Form>
          ) : null}
        </Panel>
      ) : null}
      <Panel id="versions" title="Versionen">
        <ul>
          {versions.map((v) => (
            <li key={v.id}>
              {v.id === statement.id ? <strong>Version {v.version}</strong> : <Link to={`/abrechnungen/${v.id}`}>Version {v.version}</Link>}{' '}
              · <span className="mono">{v.documentNumber}</span> · {statementStatusLabel(v.status)} · {formatDateTime(v.createdAt)}
              {v.correctionReason ? <> · Korrektur: {v.correctionReason}</> : null}
            </li>
          ))}
        </ul>
      </Panel>
    </>
  );
}

/** The manager's next step: approve a draft, deliver an approved version, correct a postal receipt date. */
function LifecycleForms({
  lifecycle,
}: {
  lifecycle: {
    canApprove: boolean;
    canDeliver: boolean;
    state: string;
    delivery: { channel: string; receivedOn: string } | null;
    recipientSummary: string | null;
  };
}) {
  return (
    <div className="lifecycle-forms">
      {lifecycle.canApprove ? (
        <Form method="post">
          <button type="submit" name="intent" value="approve" className="button button--primary">
            Freigeben
          </button>
        </Form>
      ) : null}
      {lifecycle.canDeliver ? (
        <>
          <Form method="post">
            <button type="submit" name="intent" value="deliver-portal" className="button button--primary">
              Zustellen: Portal für Mieter mit Konto (mit E-Mail), sonst Post ab heute
            </button>
          </Form>
          <Form method="post" className="lifecycle-forms__post">
            <label>
              Versand per Post am <input type="date" name="dispatchedOn" required />
            </label>
            <label>
              Zugang am (leer: Versand + 3 Tage) <input type="date" name="receivedOn" />
            </label>
            <button type="submit" name="intent" value="deliver-post" className="button">
              Postversand erfassen
            </button>
          </Form>
        </>
      ) : null}
      {lifecycle.delivery?.channel === 'post' &&
      !lifecycle.recipientSummary &&
      (lifecycle.state === 'delivered' || lifecycle.state === 'opened') ? (
        <Form method="post" className="lifecycle-forms__post">
          <label>
            Zugangsdatum berichtigen <input type="date" name="receivedOn" defaultValue={lifecycle.delivery.receivedOn} required />
          </label>
          <button type="submit" name="intent" value="correct-receipt" className="button">
            Berichtigen
          </button>
        </Form>
      ) : null}
    </div>
  );
}
