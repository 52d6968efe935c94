import { redirect, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { DEVICE_TYPES, type Light } from '../../domain/deadlines';
import { DeviceTable } from '~/components/device-table';
import { FilterForm, SelectFilter, TextFilter } from '~/components/filters';
import { LightSummary } from '~/components/light-summary';
import { EmptyState, PageHeader } from '~/components/page-header';
import { Pagination } from '~/components/pagination';
import { ForwardToOwner } from '~/components/forward-to-owner';
import { forwardMessage } from '../../server/owner-forwards';
import { registerPage } from '../../server/devices';
import { DEVICE_TYPE_LABELS, LIGHTS_BY_SEVERITY, formatNumber, lightLabel } from '../../domain/format';
import { requireUserWithPermission, visibleScope } from '../../server/permissions';
import { hasPermission } from '../../domain/permissions';
import { PAGE_SIZE, parseRegisterFilters, registerQuery, type RegisterFilters } from '../../domain/register-filters';

export const meta: MetaFunction = () => [{ title: 'Geräteregister · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:register:own');
  const url = new URL(request.url);
  const filters = parseRegisterFilters(url);
  // One export implementation: ?format=csv is an alias of the resource route /geraete.csv.
  if (url.searchParams.get('format') === 'csv') throw redirect(`/geraete.csv${registerQuery(filters)}`);
  const scope = await visibleScope(user);
  const page = await registerPage(scope, filters);
  return {
    page,
    filters,
    properties: scope.properties,
    canExport: hasPermission(user, 'export:device:own'),
    canImport: hasPermission(user, 'create:device:any'),
    // One property's register report can be forwarded to its owner (issue 14 item 3).
    canForward: hasPermission(user, 'deliver:statement:any') && scope.propertyIds.includes(filters.propertyId ?? 0),
    forwardMessage: forwardMessage(url.searchParams),
  };
}

const TYPE_OPTIONS = DEVICE_TYPES.map((type) => ({ value: type, label: DEVICE_TYPE_LABELS[type] }));
const LIGHT_OPTIONS = LIGHTS_BY_SEVERITY.map((light) => ({ value: light, label: lightLabel(light) }));

export default function Register() {
  const { page, filters, properties, canExport, canImport, canForward, forwardMessage } = useLoaderData<typeof loader>();
  const withFilters = (changes: Partial<RegisterFilters>, pageNumber?: number) =>
    `/geraete${registerQuery({ ...filters, ...changes }, pageNumber && pageNumber > 1 ? { page: String(pageNumber) } : {})}`;
  return (
    <>
      <PageHeader
        title="Geräteregister"
        description={
          <>
            Alle eingebauten Geräte mit Fristen und Zustand, nach Fälligkeit sortiert.{' '}
            <span className="live-hint">Aktualisiert sich automatisch</span>
          </>
        }
        actions={
          canExport || canImport ? (
            <>
              {canImport ? (
                <a href="/geraete/import" className="button">
                  CSV importieren
                </a>
              ) : null}
              {canExport ? (
                <>
                  <a href={`/geraete/bericht.pdf${registerQuery(filters)}`} className="button" download>
                    PDF-Bericht
                  </a>
                  <a href={`/geraete.csv${registerQuery(filters)}`} className="button" download>
                    CSV exportieren
                  </a>
                </>
              ) : null}
            </>
          ) : null
        }
      />
      {canForward && filters.propertyId ? (
        <ForwardToOwner
          propertyId={filters.propertyId}
          fields={{
            art: 'geraetebericht',
            type: filters.type ?? '',
            light: filters.light ?? '',
            serial: filters.serial ?? '',
            eichjahr: filters.calibrationYearUnknown ? 'unbekannt' : '',
          }}
          what="den PDF-Bericht dieser Liegenschaft mit den gewählten Filtern"
          message={forwardMessage}
        />
      ) : null}
      <FilterForm resetTo="/geraete" label="Geräte filtern">
        <TextFilter
          name="serial"
          label="Seriennummer"
          value={filters.serial}
          placeholder="z. B. HKV-2023"
          hint="Findet alle Geräte, deren Seriennummer so beginnt."
        />
        <SelectFilter
          name="property"
          label="Liegenschaft"
          allLabel="Alle Liegenschaften"
          value={filters.propertyId ? String(filters.propertyId) : null}
          options={properties.map((p) => ({ value: String(p.id), label: p.name }))}
        />
        <SelectFilter name="type" label="Gerätetyp" allLabel="Alle Gerätetypen" value={filters.type} options={TYPE_OPTIONS} />
        <SelectFilter name="light" label="Ampel" allLabel="Alle Zustände" value={filters.light} options={LIGHT_OPTIONS} />
      </FilterForm>
      <LightSummary
        counts={page.counts}
        current={filters.light}
        hrefFor={(light: Light) => withFilters({ light: filters.light === light ? null : light })}
        label="Gefilterte Geräte nach Ampel"
      />
      {page.calibrationYearUnknown > 0 ? (
        <div className="alert alert--info" role="status">
          Bei {formatNumber(page.calibrationYearUnknown)} Zählern ist das Eichjahr unbekannt. Die Eichfrist zählt ab dem Jahr der Eichung
          oder Ersteichung, nicht ab dem Einbau (MessEV §34 Abs. 2); angezeigt wird bis dahin nur die späteste mögliche Frist aus dem
          Einbaujahr. Bitte das Eichjahr am Gerät erfassen.{' '}
          {filters.calibrationYearUnknown ? (
            <a href={withFilters({ calibrationYearUnknown: false })}>Alle Geräte anzeigen</a>
          ) : (
            <a href={withFilters({ calibrationYearUnknown: true })}>Nur diese Zähler anzeigen</a>
          )}
        </div>
      ) : null}
      {page.rows.length === 0 ? (
        <EmptyState>Keine Geräte gefunden, die den Filtern entsprechen.</EmptyState>
      ) : (
        <>
          <DeviceTable rows={page.rows} caption="Geräteregister" />
          <Pagination
            page={page.page}
            pageCount={page.pageCount}
            total={page.total}
            pageSize={PAGE_SIZE}
            hrefFor={(n) => withFilters({}, n)}
          />
        </>
      )}
    </>
  );
}
