import type { LoaderFunctionArgs } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { renderStatementHtml, statementDocumentModel } from '../../activities/statement-document';
import { Panel } from '~/components/page-header';
import { parseId } from '~/utils/params';
import { notFound, requireUserWithPermission } from '~/utils/permissions.server';
import { findTenantStatement } from '~/utils/statements.server';

/** The tenant's own statement as a page: the same template as its PDF. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:tenancy:own');
  const id = parseId(params.id);
  const unitId = parseId(new URL(request.url).searchParams.get('einheit') ?? undefined);
  const own = id ? await findTenantStatement(user, id, unitId) : null;
  const model = own ? statementDocumentModel(own.statement, own.addressee, { standalone: false }) : null;
  if (!own || !model) throw notFound();
  return {
    title: `${model.title} ${model.unit.label}`,
    pdfHref: `/meine-abrechnungen/${id}.pdf?einheit=${own.addressee.unitId}`,
    html: renderStatementHtml(model),
  };
}

export default function MyStatement() {
  const { title, pdfHref, html } = useLoaderData<typeof loader>();
  return (
    <Panel id="statement" title={title} actions={<a href={pdfHref} className="button button--primary" download>PDF herunterladen</a>}>
      {/* Rendered on the server from the same template as the PDF; Handlebars escapes all data. */}
      <div className="statement-document" dangerouslySetInnerHTML={{ __html: html }} />
    </Panel>
  );
}
