import { Link } from '@remix-run/react';
import { Panel } from '~/components/page-header';
import { NOT_OBLIGATIONS } from '../../domain/compliance/obligation-kinds';

/** Workflows that run but are no obligation: named once, so nobody searches the list for them. */
export function NotObligationsNote() {
  return (
    <Panel id="not-obligations" title="Nicht in dieser Liste">
      <ul>
        {NOT_OBLIGATIONS.map((item) => (
          <li key={item.workflowType}>
            <strong>{item.label}</strong> sind keine Pflichten. {item.reason} <Link to={item.pagePath}>{item.pageLabel}</Link>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
