import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { ActionMessage } from '~/components/cases';
import { RadioStatus } from '~/components/device-table';
import { DeviceWorkForms } from '~/components/device-work-forms';
import { LightBadge } from '~/components/light-badge';
import { EmptyState, Facts, PageHeader, Panel } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import { deviceWorkflowStatus, type WorkflowStatus } from '../../server/device-status';
import { deviceWorkFor } from '../../domain/device-work';
import { isCalibratedType } from '../../domain/deadlines';
import { recordDeviceWork } from '../../server/device-work';
import { exchangeHistory, findDevice } from '../../server/devices';
import {
  deadlineKindLabel,
  deviceTypeLabel,
  formatDate,
  formatDateTime,
  formatNumber,
  formatPercent,
  formatReading,
  propertyAddress,
} from '../../domain/format';
import { notFound, requireUserWithPermission, visibleScope } from '../../server/permissions';
import { hasPermission } from '../../domain/permissions';
import { parseId } from '../../domain/params';
import { clientIp, requireSameOrigin } from '../../server/request';
import { calendarDate } from '../../domain/calendar';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.device.serial ?? 'Gerät'} · Klarmeter` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:device:own');
  const id = parseId(params.id);
  const scope = await visibleScope(user);
  const device = id ? await findDevice(scope, id) : null;
  if (!device) throw notFound();
  const [history, workflow] = await Promise.all([exchangeHistory(scope, device.id), deviceWorkflowStatus(device.id)]);
  return {
    device,
    history,
    workflow,
    // Work is recorded on installed devices only; a removed one points to its successor instead.
    work: hasPermission(user, 'update:device:own') && !device.removedAt && !device.successorId ? deviceWorkFor(device) : [],
    today: calendarDate(new Date()),
    backTo: hasPermission(user, 'read:register:own')
      ? { to: '/geraete', label: '← Geräteregister' }
      : { to: '/meine-wohnung', label: '← Meine Wohnung' },
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'update:device:own');
  const id = parseId(params.id);
  const device = id ? await findDevice(await visibleScope(user), id) : null;
  if (!device) throw notFound();
  return recordDeviceWork({ user, device, form: await request.formData(), ip: clientIp(context) });
}

export default function DeviceDetail() {
  const { device, history, workflow, work, today, backTo } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  return (
    <>
      <PageHeader
        eyebrow={<Link to={backTo.to}>{backTo.label}</Link>}
        title={`${deviceTypeLabel(device.type)} ${device.serial}`}
        description={`${device.propertyName} · ${device.unitLabel ?? 'Gebäude'}${device.location ? ` · ${device.location}` : ''}`}
        actions={
          <span className="status-line">
            {device.removedAt ? (
              // Out of service: its last light is history, not a state to act on.
              `${device.successorId ? 'Ausgetauscht' : 'Ausgebaut'} am ${formatDate(device.removedAt)}`
            ) : (
              <>
                Ampel <LightBadge light={device.light} />
              </>
            )}
          </span>
        }
      />
      {device.removedAt ? (
        <div className="alert alert--info" role="status">
          Dieses Gerät wurde am {formatDate(device.removedAt)} ausgebaut.
        </div>
      ) : null}
      <ActionMessage data={outcome} />
      <div className="grid-2">
        <Panel id="facts" title="Gerätedaten">
          <Facts
            items={[
              [
                'Seriennummer',
                <span key="serial" className="mono">
                  {device.serial}
                </span>,
              ],
              ['Gerätetyp', `${deviceTypeLabel(device.type)} (${device.type})`],
              [
                'Liegenschaft',
                propertyAddress({
                  name: device.propertyName,
                  street: device.propertyStreet,
                  postalCode: device.propertyPostalCode,
                  city: device.propertyCity,
                }),
              ],
              [
                'Einheit',
                device.unitLabel ? `${device.unitLabel}${device.unitFloor ? ` (${device.unitFloor})` : ''}` : 'Gebäude (keine Wohneinheit)',
              ],
              ['Einbauort', device.location ?? '–'],
              ['Eingebaut am', formatDate(device.installedAt)],
              ...(isCalibratedType(device.type)
                ? [
                    ['Eichjahr', device.calibratedYear === null ? 'unbekannt – bitte erfassen' : String(device.calibratedYear)] as [
                      string,
                      string,
                    ],
                  ]
                : []),
              ...(device.lastInspectionAt ? [['Letzte Wartung', formatDate(device.lastInspectionAt)] as [string, string]] : []),
            ]}
          />
        </Panel>
        <Panel id="deadline" title="Frist und Zustand">
          <Facts
            items={[
              ['Frist', deadlineKindLabel(device.deadlineKind)],
              [
                'Fällig am',
                // Unknown calibration year: the deadline assumes the installation year, so it is a latest bound.
                isCalibratedType(device.type) && device.calibratedYear === null && device.dueAt
                  ? `spätestens ${formatDate(device.dueAt)} (aus dem Einbaujahr geschätzt, Eichjahr unbekannt)`
                  : formatDate(device.dueAt),
              ],
              ['Ampel', device.removedAt ? 'entfällt (nicht mehr eingebaut)' : <LightBadge key="light" light={device.light} />],
              ['Ampel seit', formatDateTime(device.lightChangedAt)],
              ['Batterie', formatPercent(device.batteryPercent)],
              ['Funk', <RadioStatus key="radio" status={device.radioStatus} />],
              ['Fernablesung', device.remoteReadable ? 'Ja' : 'Nein'],
              [
                'Letzte Ablesung',
                device.lastReadingAt
                  ? `${formatReading(device.lastReadingValue, device.type)} am ${formatDateTime(device.lastReadingAt)}`
                  : '–',
              ],
            ]}
          />
        </Panel>
      </div>
      {work.length > 0 ? (
        <Panel id="work" title="Arbeiten am Gerät erfassen">
          <DeviceWorkForms work={work} today={today} outcome={outcome} />
        </Panel>
      ) : null}
      <Panel id="workflow" title="Live-Status des Fristen-Workflows">
        <WorkflowPanel workflow={workflow} />
      </Panel>
      <Panel id="history" title="Austauschhistorie">
        {history.length <= 1 ? (
          <EmptyState>Für dieses Gerät ist kein Austausch erfasst.</EmptyState>
        ) : (
          <DataTable
            label="Austauschhistorie"
            caption="Austauschkette des Geräts, älteste zuerst"
            head={
              <tr>
                <th scope="col">Seriennummer</th>
                <th scope="col">Gerätetyp</th>
                <th scope="col">Eingebaut</th>
                <th scope="col">Ausgebaut</th>
                <th scope="col">Rolle</th>
              </tr>
            }
          >
            {history.map((step) => (
              <tr
                key={step.id}
                aria-current={step.position === 0 ? 'true' : undefined}
                className={step.position === 0 ? 'is-current' : undefined}
              >
                <th scope="row" className="mono">
                  {step.position === 0 ? step.serial : <Link to={`/geraete/${step.id}`}>{step.serial}</Link>}
                </th>
                <td>{deviceTypeLabel(step.type)}</td>
                <td>{formatDate(step.installedAt)}</td>
                <td>{step.removedAt ? formatDate(step.removedAt) : <span className="muted">in Betrieb</span>}</td>
                <td>{step.position < 0 ? 'Vorgänger' : step.position > 0 ? 'Nachfolger' : 'Dieses Gerät'}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Panel>
    </>
  );
}

const WORKFLOW_STATES: Record<string, string> = {
  watching: 'Frist wird überwacht',
  escalated: 'Eskaliert',
  replaced: 'Gerät ausgetauscht',
  removed: 'Gerät ausgebaut',
  gone: 'Gerät gelöscht',
};

function WorkflowPanel({ workflow }: { workflow: WorkflowStatus }) {
  if (!workflow.available)
    return (
      <p className="muted" role="status">
        {workflow.reason}
      </p>
    );
  const { status } = workflow;
  // A replaced or removed device's watch has ended: nothing waits, and an escalation is history.
  const ended = status.state === 'replaced' || status.state === 'removed' || status.state === 'gone';
  return (
    <>
      <Facts
        items={[
          ['Zustand', WORKFLOW_STATES[status.state] ?? status.state],
          ['Frist', `${deadlineKindLabel(status.kind)} am ${formatDate(status.dueAt)}`],
          ['Ampel laut Workflow', ended ? 'entfällt' : <LightBadge key="light" light={status.light} />],
          [
            'Nächste Prüfung',
            ended
              ? 'keine (Überwachung beendet)'
              : status.nextWakeAt
                ? formatDateTime(status.nextWakeAt)
                : 'wartet auf Austausch oder Nacheichung',
          ],
          ['Eskaliert', ended ? (status.escalated ? 'erledigt (war eskaliert)' : 'Nein') : status.escalated ? 'Ja' : 'Nein'],
        ]}
      />
      {status.reminders.length > 0 ? (
        <>
          <h3 className="subheading">Erinnerungen</h3>
          <ul className="reminders">
            {status.reminders.map((reminder) => (
              <li key={reminder.dedupeKey} className={reminder.handled ? 'is-done' : undefined}>
                {formatNumber(reminder.daysBefore)} Tage vorher ({formatDateTime(reminder.at)}): {reminder.handled ? 'erledigt' : 'geplant'}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
