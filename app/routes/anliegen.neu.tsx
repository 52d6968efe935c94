import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { currentTenancies, requireUserWithPermission } from '../../server/permissions';
import { requireSameOrigin } from '../../server/request';
import { openTicket } from '../../server/tickets';
import { TICKET_TOPICS, isTicketTopic, type TicketTopic } from '../../domain/ticket-triage';
import { TEXT_LIMITS, lengthHint, normaliseText, textTooLong } from '../../domain/text-limits';

export const meta: MetaFunction = () => [{ title: 'Neues Anliegen · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'file:ticket:own');
  const tenancies = await currentTenancies(user);
  return { units: tenancies.map((t) => ({ id: t.unitId, label: `${t.propertyName}, ${t.unitLabel}` })) };
}

type Field = 'unitId' | 'topic' | 'subject' | 'body';
type ActionData = { errors: Partial<Record<Field, string>>; values: Record<Field, string> };

const MAX_SUBJECT = TEXT_LIMITS.ticketSubject;
const MAX_BODY = TEXT_LIMITS.ticketBody;

export async function action({ request }: ActionFunctionArgs): Promise<ActionData> {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'file:ticket:own');
  const form = await request.formData();
  const values = Object.fromEntries(
    (['unitId', 'topic', 'subject', 'body'] as const).map((f) => [f, normaliseText(String(form.get(f) ?? '')).trim()]),
  ) as Record<Field, string>;
  const tenancy = (await currentTenancies(user)).find((t) => String(t.unitId) === values.unitId);
  const errors: ActionData['errors'] = {};
  if (!tenancy) errors.unitId = 'Bitte wählen Sie Ihre Wohnung.';
  if (!isTicketTopic(values.topic)) errors.topic = 'Bitte wählen Sie ein Thema.';
  const subject = values.subject === '' ? 'Bitte geben Sie einen Betreff an.' : textTooLong('Betreff', values.subject, MAX_SUBJECT);
  if (subject) errors.subject = subject;
  const body = values.body === '' ? 'Bitte beschreiben Sie Ihr Anliegen.' : textTooLong('Beschreibung', values.body, MAX_BODY);
  if (body) errors.body = body;
  if (!tenancy || Object.keys(errors).length > 0) return { errors, values };
  const { ticketId } = await openTicket({
    organisationId: user.organisationId,
    propertyId: tenancy.propertyId,
    unitId: tenancy.unitId,
    createdBy: user.id,
    topic: values.topic as TicketTopic,
    subject: values.subject,
    body: values.body,
  });
  throw redirect(`/anliegen/${ticketId}`);
}

export default function NewTicket() {
  const { units } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const errors = result?.errors ?? {};
  const values = result?.values;
  const invalid = (field: Field) => (errors[field] ? { 'aria-invalid': true as const, 'aria-describedby': `${field}-error` } : {});
  const error = (field: Field) =>
    errors[field] ? (
      <p id={`${field}-error`} className="field__error">
        {errors[field]}
      </p>
    ) : null;
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/anliegen">← Meine Anliegen</Link>}
        title="Neues Anliegen"
        description="Ihre Hausverwaltung antwortet innerhalb der vereinbarten Fristen; den Stand sehen Sie jederzeit hier im Portal."
      />
      {units.length === 0 ? (
        <EmptyState>
          Für Ihr Konto ist derzeit kein laufendes Mietverhältnis hinterlegt. Bitte wenden Sie sich an Ihre Hausverwaltung.
        </EmptyState>
      ) : (
        <Panel id="new-ticket" title="Worum geht es?">
          <Form method="post" className="form case-form">
            {units.length === 1 ? (
              <input type="hidden" name="unitId" value={units[0]!.id} />
            ) : (
              <div className="field">
                <label htmlFor="unitId">Wohnung</label>
                <select id="unitId" name="unitId" defaultValue={values?.unitId ?? ''} {...invalid('unitId')}>
                  <option value="" disabled>
                    Bitte wählen
                  </option>
                  {units.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.label}
                    </option>
                  ))}
                </select>
                {error('unitId')}
              </div>
            )}
            <div className="field">
              <label htmlFor="topic">Thema</label>
              <select id="topic" name="topic" defaultValue={values?.topic ?? ''} required {...invalid('topic')}>
                <option value="" disabled>
                  Bitte wählen
                </option>
                {(Object.entries(TICKET_TOPICS) as Array<[TicketTopic, { label: string }]>).map(([value, topic]) => (
                  <option key={value} value={value}>
                    {topic.label}
                  </option>
                ))}
              </select>
              {error('topic')}
            </div>
            <div className="field">
              <label htmlFor="subject">Betreff</label>
              <input id="subject" name="subject" maxLength={MAX_SUBJECT} required defaultValue={values?.subject} {...invalid('subject')} />
              {error('subject')}
              <p className="muted case-form__hint">{lengthHint(MAX_SUBJECT)}</p>
            </div>
            <div className="field">
              <label htmlFor="body">Beschreibung</label>
              <textarea id="body" name="body" rows={6} maxLength={MAX_BODY} required defaultValue={values?.body} {...invalid('body')} />
              {error('body')}
              <p className="muted case-form__hint">{lengthHint(MAX_BODY)}</p>
              <p className="muted case-form__hint">
                Bei Notfällen wie Wasserschaden oder Gasgeruch rufen Sie bitte zusätzlich den Notdienst an.
              </p>
            </div>
            <div>
              <button type="submit" className="button button--primary" disabled={busy}>
                Anliegen absenden
              </button>
            </div>
          </Form>
        </Panel>
      )}
    </>
  );
}
