import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link } from '@remix-run/react';
import { ComplianceNav } from '~/components/compliance-nav';
import { PageHeader } from '~/components/page-header';
import complianceStyles from '~/styles/compliance.css?url';
import { REPORT_KINDS, REPORT_TITLES } from '../../domain/compliance/coverage-reports';
import { requireUserWithPermission } from '../../server/permissions';

export const meta: MetaFunction = () => [{ title: 'Berichte · Prüfung · Klarmeter' }];
export const links: LinksFunction = () => [{ rel: 'stylesheet', href: complianceStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUserWithPermission(request, 'read:compliance:any');
  return null;
}

/** GET /pruefung/berichte — the coverage reports an authority asks for. */
export default function Reports() {
  return (
    <>
      <PageHeader
        title="Berichte"
        description="Nachweise für Behörden und Gerichte: je Monat, Jahr und Liegenschaft, als Seite und als PDF."
      />
      <ComplianceNav />
      <ul>
        {REPORT_KINDS.map((kind) => (
          <li key={kind}>
            <Link to={`/pruefung/berichte/${kind}`}>{REPORT_TITLES[kind]}</Link>
          </li>
        ))}
      </ul>
    </>
  );
}
