import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { DataTable } from '~/components/data-table';
import { PageHeader, Panel } from '~/components/page-header';
import { PERSONAL_DATA, PROCESSING_ACTIVITIES, REACH_LABELS, ROLE_NAMES, ruleOf } from '../../domain/personal-data';
import { ROLES } from '../../domain/roles';
import { requireUserWithPermission } from '../../server/permissions';

export const meta: MetaFunction = () => [{ title: 'Verzeichnis der Verarbeitungstätigkeiten · Klarmeter' }];

/**
 * GET /datenschutz/verzeichnis — the record of processing activities (Art. 30 DSGVO) and who sees
 * which personal data: the same tables the server decides with (domain/personal-data.ts).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:processing-record:any');
  return {
    controller: user.organisationName,
    roles: ROLES.map((role) => ({ role, name: ROLE_NAMES[role] })),
    rules: PERSONAL_DATA.map((rule) => ({
      ...rule,
      access: ROLES.map((role) => ({ role, reach: REACH_LABELS[rule.access[role].reach], why: rule.access[role].why })),
    })),
    activities: PROCESSING_ACTIVITIES.map((activity) => ({ ...activity, data: activity.categories.map((c) => ruleOf(c).label) })),
  };
}

export default function ProcessingRecord() {
  const { controller, roles, rules, activities } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader
        title="Verzeichnis der Verarbeitungstätigkeiten"
        description={<>Art. 30 DSGVO · Verantwortlicher: {controller} · Auftragsverarbeiter: Klarmeter (Messdienst-Portal)</>}
      />
      <Panel id="activities" title="Verarbeitungstätigkeiten">
        <DataTable
          label="Verarbeitungstätigkeiten"
          caption="Zweck, Daten, Rechtsgrundlage und Löschfrist je Tätigkeit"
          head={
            <tr>
              <th scope="col">Tätigkeit</th>
              <th scope="col">Zweck</th>
              <th scope="col">Personenbezogene Daten</th>
              <th scope="col">Rechtsgrundlage</th>
              <th scope="col">Löschfrist</th>
            </tr>
          }
        >
          {activities.map((a) => (
            <tr key={a.name}>
              <th scope="row">{a.name}</th>
              <td>{a.purpose}</td>
              <td>{a.data.join(', ')}</td>
              <td>{a.legalBasis}</td>
              <td>{a.retention}</td>
            </tr>
          ))}
        </DataTable>
      </Panel>
      <Panel id="access" title="Wer sieht welche Daten">
        <DataTable
          label="Zugriff je Rolle"
          caption="Reichweite je Rolle: alle der Organisation, nur zugewiesene Liegenschaften, nur eigene, nein"
          head={
            <tr>
              <th scope="col">Daten</th>
              {roles.map((r) => (
                <th scope="col" key={r.role}>
                  {r.name}
                </th>
              ))}
            </tr>
          }
        >
          {rules.map((rule) => (
            <tr key={rule.category} data-category={rule.category}>
              <th scope="row">{rule.label}</th>
              {rule.access.map((a) => (
                <td key={a.role} data-role={a.role} title={a.why}>
                  {a.reach}
                </td>
              ))}
            </tr>
          ))}
        </DataTable>
      </Panel>
      {rules.map((rule) => (
        <Panel key={rule.category} id={rule.category} title={rule.label}>
          <p>
            {rule.data}. Betroffene: {rule.subjects}. Angezeigt in: {rule.shownIn}.
          </p>
          <p>
            Rechtsgrundlage: {rule.legalBasis}. Speicherdauer: {rule.retention}.
          </p>
          <ul>
            {rule.access.map((a) => (
              <li key={a.role}>
                <strong>{roles.find((r) => r.role === a.role)?.name}</strong> ({a.reach}): {a.why}
              </li>
            ))}
          </ul>
        </Panel>
      ))}
    </>
  );
}
