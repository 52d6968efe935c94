import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { DeviceTable } from '~/components/device-table';
import { LightBadge } from '~/components/light-badge';
import { EmptyState, Facts, PageHeader, Panel } from '~/components/page-header';
import { unitDevices } from '../../server/devices';
import { formatDate, formatNumber, propertyAddress } from '../../domain/format';
import { currentTenancies, requireUserWithPermission, tenancyScope } from '../../server/permissions';
import { countLights, worstLight } from '../../domain/lights';

export const meta: MetaFunction = () => [{ title: 'Meine Wohnung · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:tenancy:own');
  // "My flat" means the user's own running tenancies, whatever else its role may see.
  const tenancies = await currentTenancies(user);
  const devices = await unitDevices(tenancyScope(tenancies));
  return {
    units: tenancies.map((tenancy) => {
      const own = devices.filter((d) => d.unitId === tenancy.unitId);
      return { tenancy, devices: own, status: worstLight(countLights(own.map((d) => d.light))) };
    }),
  };
}

export default function MyFlat() {
  const { units } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader
        title="Meine Wohnung"
        description={
          <>
            Die Messgeräte in Ihrer Wohnung und ihr Zustand. <span className="live-hint">Aktualisiert sich automatisch</span>
          </>
        }
      />
      {units.length === 0 ? (
        <EmptyState>
          Für Ihr Konto ist derzeit kein laufendes Mietverhältnis hinterlegt. Bitte wenden Sie sich an Ihre Hausverwaltung.
        </EmptyState>
      ) : (
        units.map(({ tenancy, devices, status }) => (
          <Panel
            key={tenancy.tenancyId}
            id={`unit-${tenancy.unitId}`}
            title={`${tenancy.propertyName} · ${tenancy.unitLabel}`}
            actions={
              status ? (
                <span className="status-line">
                  Status <LightBadge light={status} />
                </span>
              ) : null
            }
          >
            <Facts
              items={[
                [
                  'Adresse',
                  propertyAddress({
                    name: tenancy.propertyName,
                    street: tenancy.propertyStreet,
                    postalCode: tenancy.propertyPostalCode,
                    city: tenancy.propertyCity,
                  }),
                ],
                [
                  'Wohnung',
                  `${tenancy.unitLabel}${tenancy.unitFloor ? `, ${tenancy.unitFloor}` : ''} · ${formatNumber(tenancy.unitAreaM2, true)} m²`,
                ],
                ['Mietverhältnis', `seit ${formatDate(tenancy.startsOn)}${tenancy.endsOn ? ` bis ${formatDate(tenancy.endsOn)}` : ''}`],
              ]}
            />
            {devices.length === 0 ? (
              <EmptyState>In Ihrer Wohnung sind keine Geräte erfasst.</EmptyState>
            ) : (
              <DeviceTable rows={devices} caption={`Geräte in ${tenancy.unitLabel}`} showProperty={false} showUnit={false} />
            )}
          </Panel>
        ))
      )}
    </>
  );
}
