import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { useActionData, useLoaderData } from '@remix-run/react';
import { ObjectionForm, TenantLifecycleSection } from '~/components/statement-lifecycle';
import { OBJECTION_POSITIONS, recordTenantOpening, tenantLifecycle, tenantObjectionAction } from '../../server/statement-lifecycle';
import { renderStatementHtml, statementDocumentModel } from '../../server/statement-documents';
import { Panel } from '~/components/page-header';
import { parseId } from '../../domain/params';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { findTenantStatement } from '../../server/statements';

/** The tenant's own statement as a page: the same template as its PDF. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:tenancy:own');
  const id = parseId(params.id);
  const unitId = parseId(new URL(request.url).searchParams.get('einheit') ?? undefined);
  const own = id ? await findTenantStatement(user, id, unitId) : null;
  const model = own ? statementDocumentModel(own.statement, own.addressee, { standalone: false }) : null;
  if (!own || !model) throw notFound();
  // Viewing the delivered statement is its opening: the lifecycle proves the first one per flat.
  await recordTenantOpening(user, own, 'view', context);
  return {
    ...(await tenantLifecycle(user, own)),
    positions: OBJECTION_POSITIONS,
    title: `${model.title} ${model.unit.label}`,
    pdfHref: `/meine-abrechnungen/${id}.pdf?einheit=${own.addressee.unitId}`,
    html: renderStatementHtml(model),
  };
}

/** The tenant's objection to its own statement. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:tenancy:own');
  const id = parseId(params.id);
  const unitId = parseId(new URL(request.url).searchParams.get('einheit') ?? undefined);
  const own = id ? await findTenantStatement(user, id, unitId) : null;
  if (!own) throw notFound();
  return tenantObjectionAction(user, own, request, context);
}

export default function MyStatement() {
  const { title, pdfHref, html, lifecycle, canObject, objectionToken, objections, positions } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  return (
    <>
      <Panel
        id="statement"
        title={title}
        actions={
          <a href={pdfHref} className="button button--primary" download>
            PDF herunterladen
          </a>
        }
      >
        {/* Rendered on the server from the same template as the PDF; Handlebars escapes all data. */}
        <div className="statement-document" dangerouslySetInnerHTML={{ __html: html }} />
      </Panel>
      <TenantLifecycleSection lifecycle={lifecycle} objections={objections} />
      <ObjectionForm
        canObject={canObject}
        positions={positions}
        outcome={outcome}
        objectionDeadline={lifecycle.objectionDeadline}
        token={objectionToken}
      />
    </>
  );
}
