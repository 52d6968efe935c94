import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { OPENED_INTENT, OpeningReceipt } from '~/components/opening-receipt';
import { requireSameOrigin } from '../../server/request';
import { ObjectionForm, TenantLifecycleSection } from '~/components/statement-lifecycle';
import {
  OBJECTION_POSITIONS,
  ownRecipientFacts,
  recordTenantOpening,
  tenantLifecycle,
  tenantObjectionAction,
} from '../../server/statement-lifecycle';
import { requestLateObjectionAction, type LateRequestOutcome } from '../../server/late-objections';
import { LATE_REQUEST_INTENT } from '../../domain/late-objections';
import { renderStatementHtml, statementDocumentModel } from '../../server/statement-documents';
import { Panel } from '~/components/page-header';
import { parseId } from '../../domain/params';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { findTenantStatement } from '../../server/statements';

/** The tenant's own statement as a page: the same template as its PDF. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:tenancy:own');
  const id = parseId(params.id);
  const unitId = parseId(new URL(request.url).searchParams.get('einheit') ?? undefined);
  const own = id ? await findTenantStatement(user, id, unitId) : null;
  const model = own ? statementDocumentModel(own.statement, own.addressee, { standalone: false }) : null;
  if (!own || !model) throw notFound();
  return {
    ...(await tenantLifecycle(user, own)),
    positions: OBJECTION_POSITIONS,
    title: `${model.title} ${model.unit.label}`,
    pdfHref: `/meine-abrechnungen/${id}.pdf?einheit=${own.addressee.unitId}`,
    html: renderStatementHtml(model),
  };
}

/** The tenant's objection to its own statement, or the page reporting that it was opened (the lifecycle proves the first opening per flat). */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:tenancy:own');
  const id = parseId(params.id);
  const unitId = parseId(new URL(request.url).searchParams.get('einheit') ?? undefined);
  const own = id ? await findTenantStatement(user, id, unitId) : null;
  if (!own) throw notFound();
  const intent = (await request.clone().formData()).get('intent');
  if (intent === OPENED_INTENT) {
    requireSameOrigin(request);
    await recordTenantOpening(user, own, 'view', context);
    return { ok: true, message: 'Der Empfang ist bestätigt.' };
  }
  if (intent === LATE_REQUEST_INTENT) {
    const facts = await ownRecipientFacts(user, own);
    if (!facts) throw notFound();
    return requestLateObjectionAction(request, user, facts, context);
  }
  return tenantObjectionAction(user, own, request, context);
}

export default function MyStatement() {
  const { title, pdfHref, html, lifecycle, canObject, objectionToken, objections, positions, proofHref, lateObjection } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const lateOutcome = result && 'form' in result && result.form === 'late-request' ? (result as LateRequestOutcome) : undefined;
  const outcome = result && !('form' in result) ? result : undefined;
  return (
    <>
      <OpeningReceipt fields={{ dokument: pdfHref }} />
      <Panel
        id="statement"
        title={title}
        actions={
          // A POST: downloading the PDF is recorded as an opening, and loaders only read.
          <Form method="post" action={pdfHref} reloadDocument>
            <button type="submit" className="button button--primary">
              PDF herunterladen
            </button>
          </Form>
        }
      >
        {/* Rendered on the server from the same template as the PDF; Handlebars escapes all data. */}
        <div className="statement-document" dangerouslySetInnerHTML={{ __html: html }} />
      </Panel>
      <TenantLifecycleSection lifecycle={lifecycle} objections={objections} />
      {proofHref ? (
        <p className="statement-proof-link">
          <Link to={proofHref}>Zustellnachweis ansehen</Link> – wann Ihnen die Abrechnung zugestellt wurde und was seither geschah, mit
          Prüfpaket zum Herunterladen.
        </p>
      ) : null}
      <ObjectionForm
        canObject={canObject}
        positions={positions}
        outcome={outcome}
        objectionDeadline={lifecycle.objectionDeadline}
        objectionWindowEndsAt={lifecycle.objectionWindowEndsAt}
        now={lifecycle.now}
        token={objectionToken}
        late={lateObjection}
        lateOutcome={lateOutcome}
      />
    </>
  );
}
