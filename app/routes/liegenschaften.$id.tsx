import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { ActionMessage } from '~/components/cases';
import { hasPermission } from '../../domain/permissions';
import { requireSameOrigin } from '../../server/request';
import { setPropertyTechnician, technicianChoice } from '../../server/property-technician';
import { calendarDate } from '../../domain/calendar';
import { LightBadge } from '~/components/light-badge';
import { LightSummary } from '~/components/light-summary';
import { NextAction } from '~/components/next-action';
import { EmptyState, Facts, PageHeader, Panel } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import { formatNumber, streetAddress } from '../../domain/format';
import { notFound, requireUserWithPermission, visibleScope } from '../../server/permissions';
import { seesTenantNames } from '../../server/personal-data';
import { buildingDeviceCount, propertySummaries, unitSummaries } from '../../server/properties';
import { parseId } from '../../domain/params';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.property.name ?? 'Liegenschaft'} · Klarmeter` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:property:own');
  const id = parseId(params.id);
  const scope = await visibleScope(user);
  const [property] = id ? await propertySummaries(scope, id) : [];
  if (!id || !property) throw notFound();
  const withTenants = seesTenantNames(user);
  const canSetTechnician = hasPermission(user, 'update:property:any');
  const [units, buildingDevices, technicians] = await Promise.all([
    unitSummaries(scope, id, { withTenants }),
    buildingDeviceCount(id),
    canSetTechnician ? technicianChoice(user.organisationId, id) : null,
  ]);
  return { property, units, buildingDevices, withTenants, technicians, today: calendarDate(new Date()) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'update:property:any');
  const id = parseId(params.id);
  const scope = await visibleScope(user);
  if (!id || !scope.propertyIds.includes(id)) throw notFound();
  const form = await request.formData();
  const raw = String(form.get('technicianId') ?? '');
  const technicianId = raw === '' ? null : parseId(raw);
  if (raw !== '' && technicianId === null) return { ok: false, message: 'Techniker: Bitte wählen Sie einen Techniker aus der Liste.' };
  return setPropertyTechnician(user, id, technicianId);
}

export default function PropertyDetail() {
  const { property, units, buildingDevices, withTenants, technicians, today } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/liegenschaften">← Alle Liegenschaften</Link>}
        title={property.name}
        description={streetAddress(property)}
        actions={
          <Link to={`/geraete?property=${property.id}`} className="button button--primary">
            Geräte dieser Liegenschaft
          </Link>
        }
      />
      <div className="grid-2">
        <Panel id="overview" title="Überblick">
          <Facts
            items={[
              ['Status', property.status ? <LightBadge light={property.status} /> : 'Keine Geräte'],
              ['Wohneinheiten', formatNumber(property.unitCount)],
              ['Geräte', `${formatNumber(property.deviceCount)} (davon ${formatNumber(buildingDevices)} im Gebäude)`],
              ['Nächste Aktion', <NextAction key="next" action={property.nextAction} today={today} />],
            ]}
          />
        </Panel>
        <Panel id="lights" title="Geräte nach Ampel">
          <LightSummary counts={property.counts} hrefFor={(light) => `/geraete?property=${property.id}&light=${light}`} />
        </Panel>
      </div>
      {technicians ? (
        <Panel id="technician" title="Technik">
          <ActionMessage data={result} />
          <p className="muted">
            Der Techniker der Liegenschaft erhält Terminanfragen, Gerätearbeiten und gerätebezogene Vorgänge (Gerätemeldungen, Störungen von
            Rauchwarnmeldern) automatisch zugewiesen.
          </p>
          <Form method="post" className="case-actions__row">
            <div className="field">
              <label htmlFor="technicianId">Zuständiger Techniker</label>
              <select id="technicianId" name="technicianId" defaultValue={technicians.current?.id ?? ''} key={technicians.current?.id ?? 0}>
                <option value="">Kein Techniker</option>
                {technicians.options.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button">
              Speichern
            </button>
          </Form>
        </Panel>
      ) : null}
      <Panel id="units" title="Wohneinheiten">
        {units.length === 0 ? (
          <EmptyState>Keine Wohneinheiten erfasst.</EmptyState>
        ) : (
          <DataTable
            label="Wohneinheiten"
            caption={<>Wohneinheiten von {property.name}</>}
            head={
              <tr>
                <th scope="col">Einheit</th>
                <th scope="col">Geschoss</th>
                <th scope="col" className="num">
                  Fläche
                </th>
                {withTenants ? <th scope="col">Nutzer</th> : null}
                <th scope="col" className="num">
                  Geräte
                </th>
                <th scope="col">Status</th>
              </tr>
            }
          >
            {units.map((unit) => (
              <tr key={unit.id}>
                <th scope="row">{unit.label}</th>
                <td>{unit.floor ?? '–'}</td>
                <td className="num">{formatNumber(unit.areaM2, true)} m²</td>
                {withTenants ? <td>{unit.tenantName ?? <span className="muted">Leerstand</span>}</td> : null}
                <td className="num">{formatNumber(unit.deviceCount)}</td>
                <td>{unit.worst ? <LightBadge light={unit.worst} /> : <span className="muted">Keine Geräte</span>}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Panel>
    </>
  );
}
