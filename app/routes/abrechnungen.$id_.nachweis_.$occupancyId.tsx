import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { ActionMessage } from '~/components/cases';
import { Facts, PageHeader, Panel } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import statementStyles from '~/styles/statements.css?url';
import { formatDate, formatDateTime } from '../../domain/format';
import { KEY_PAGE_PATH, recipientLateObjectionAction, recipientProofPage, recipientReceiptAction } from '../../server/recipient-proof';
import { RECEIPT_CORRECTION_LABELS, RECEIPT_REASON_MAX } from '../../domain/statement-recipients';
import {
  LATE_OBJECTION_LABELS,
  LATE_OBJECTION_REASON_PREFIX,
  type LateObjectionField,
  type LateObjectionForm,
} from '../../domain/late-objections';
import { LateObjectionFields } from '~/components/late-objection-fields';
import type { LateObjectionOutcome } from '../../server/late-objections';
import { FieldError, invalidProps } from '~/components/field-error';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data ? `Zustellnachweis ${data.documentNumber} v${data.version} · ${data.unitLabel} · Klarmeter` : 'Zustellnachweis · Klarmeter',
  },
];

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: statementStyles }];

/** GET /abrechnungen/:id/nachweis/:occupancyId — one recipient's proof: its timeline, verification and downloads. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  return { ...(await recipientProofPage(request, params.id, params.occupancyId)), keyPage: KEY_PAGE_PATH };
}

/**
 * POST: the manager corrects this letter's receipt date with a reason, or (intent
 * `accept-late-objection`) accepts the tenant's late objection; both are proven in the recipient's chain.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const intent = (await request.clone().formData()).get('intent');
  if (intent === 'accept-late-objection') return recipientLateObjectionAction(request, params.id, params.occupancyId, context);
  return recipientReceiptAction(request, params.id, params.occupancyId, context);
}

export default function RecipientProofPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const late = result && 'form' in result && result.form === 'late-objection' ? (result as LateObjectionOutcome) : undefined;
  const outcome = result && !('form' in result) ? result : undefined;
  const base = `/abrechnungen/${data.statementId}/nachweis/${data.occupancyId}`;
  const { verification } = data;
  return (
    <>
      <PageHeader
        eyebrow={data.versionProofLink ? <Link to={data.versionProofLink}>← Zum Nachweis der Abrechnung</Link> : null}
        title="Zustellnachweis je Empfänger"
        description={
          <>
            {data.propertyName} · {data.unitLabel} · v{data.version} · <span className="mono">{data.documentNumber}</span>
          </>
        }
        actions={
          <>
            <a href={`${base}/nachweis.zip`} className="button button--primary" download>
              Nachweispaket (ZIP)
            </a>
            <a href={`${base}/nachweis.pdf`} className="button" download>
              Nachweis als PDF
            </a>
          </>
        }
      />
      <Panel id="recipient" title="Empfänger">
        <Facts
          items={[
            ['Mietpartei', data.recipientName],
            ['Einheit', data.unitLabel],
            ['Zustellweg', data.channel === 'post' ? 'per Post' : 'im Portal'],
            ...(data.dispatchedOn ? ([['Versandt', formatDate(data.dispatchedOn)]] as Array<[string, string]>) : []),
            ['Zugang', formatDate(data.receivedOn)],
            [
              'Zustellfrist (BGB §556 Abs. 3)',
              `${formatDate(data.deliveryDeadline)}${data.deadlineMissed ? ' · Frist versäumt: Zugang nach der Frist' : ' · eingehalten'}`,
            ],
            ['Einspruchsfrist bis', formatDate(data.objectionDeadline)],
          ]}
        />
        <ActionMessage data={outcome} />
        {data.canCorrectReceipt ? (
          <ReceiptCorrectionForm
            receivedOn={data.receivedOn}
            dispatchedOn={data.dispatchedOn}
            errors={outcome && !outcome.ok ? outcome.errors : {}}
            values={outcome && !outcome.ok ? outcome.values : null}
          />
        ) : null}
      </Panel>
      {data.lateObjection.accepted || data.lateObjection.pending || data.lateObjection.canAccept || late ? (
        <Panel id="late-objection" title="Verspäteter Einspruch (§556 Abs. 3 Satz 6 BGB)">
          <ActionMessage data={late} />
          {data.lateObjection.accepted ? (
            <p>
              Angenommen: eingegangen am {formatDate(data.lateObjection.accepted.receivedOn)}. {data.lateObjection.accepted.reason}
              {data.lateObjection.accepted.ticketId !== null ? (
                <>
                  {' '}
                  <Link to={`/vorgaenge/${data.lateObjection.accepted.ticketId}`}>Zum Vorgang</Link>
                </>
              ) : null}
            </p>
          ) : data.lateObjection.pending ? (
            <p>Die Annahme ist erfasst und wird im Nachweis festgehalten.</p>
          ) : data.lateObjection.canAccept ? (
            <>
              {data.lateObjection.requested ? (
                <p className="alert alert--info" role="status">
                  Die Mietpartei hat am {formatDate(data.lateObjection.requested.receivedOn)} im Portal verspätet Einspruch erhoben (
                  <Link to={`/vorgaenge/${data.lateObjection.requested.ticketId}`}>
                    Vorgang Nr. {data.lateObjection.requested.ticketId}
                  </Link>
                  ). Ihre Angaben sind unten eingetragen; nehmen Sie den Einspruch an, wenn sie die Verspätung nicht zu vertreten hat.
                </p>
              ) : null}
              <LateObjectionFormView
                objectionDeadline={data.objectionDeadline}
                errors={late && !late.ok ? late.errors : {}}
                values={late && !late.ok ? late.values : data.lateObjection.requested}
              />
            </>
          ) : null}
        </Panel>
      ) : null}
      <Panel id="verification" title="Prüfung">
        {'unavailable' in verification ? (
          <p className="alert alert--error" role="alert" data-bundle-valid="unavailable">
            Das Nachweispaket kann nicht erstellt werden: {verification.unavailable}
          </p>
        ) : verification.valid ? (
          <p className="alert alert--info" data-bundle-valid="true">
            Gültig: {verification.events} Ereignisse, lückenlos verkettet, der Kopf mit dem Schlüssel der Installation signiert, das
            zugestellte PDF unverändert. Schlüssel (SHA-256): <span className="mono">{verification.keyFingerprint}</span> – vergleichen Sie
            ihn mit der <Link to={data.keyPage}>öffentlichen Schlüsselseite</Link>.
          </p>
        ) : (
          <p className="alert alert--error" role="alert" data-bundle-valid="false">
            Ungültig: {verification.reason}
          </p>
        )}
        {data.headSigned ? (
          <p className="muted" data-head-stored={data.headSigned.stored ? 'true' : 'false'}>
            {data.headSigned.stored
              ? `Gespeicherte Kette dieses Empfängers: jeder neue Kopf wird beim Eintrag signiert (der jüngste am ${formatDateTime(data.headSigned.at)}) und zusätzlich im Verlauf seines Workflows verankert.`
              : `Der Kopf dieses Pakets wurde bei seiner Erstellung signiert (${formatDateTime(data.headSigned.at)}); jedes Ereignis nennt sein Ereignis in der Nachweiskette der Version, deren Köpfe beim Eintrag signiert und im Workflow verankert werden.`}
          </p>
        ) : null}
        <p className="muted">
          Das Nachweispaket enthält die Ereignisse (events.jsonl), den signierten Kopf, den öffentlichen Schlüssel, das zugestellte PDF und
          eine Anleitung (VERIFY.txt), mit der es jeder ohne das Portal mit openssl und sha256sum prüfen kann.
        </p>
      </Panel>
      <Panel id="timeline" title="Ereignisse">
        <DataTable
          label="Ereignisse des Empfängers"
          caption="Ereignisse mit Zeit, Handelndem, IP-Adresse und Prüfsumme"
          head={
            <tr>
              <th scope="col" className="num">
                Nr.
              </th>
              <th scope="col">Schritt</th>
              <th scope="col">Zeit (Server)</th>
              <th scope="col">Wer</th>
              <th scope="col">IP</th>
              <th scope="col">Hinweis</th>
              <th scope="col">SHA-256</th>
            </tr>
          }
        >
          {data.timeline.map((e) => (
            <tr key={e.seq}>
              <td className="num">{e.seq}</td>
              <th scope="row">{e.label}</th>
              <td>{formatDateTime(e.at)}</td>
              <td>{e.actor}</td>
              <td className="mono">{e.ip ?? '–'}</td>
              <td>{e.note ?? '–'}</td>
              <td className="mono" title={e.hash}>
                {e.hash.slice(0, 12)}…
              </td>
            </tr>
          ))}
        </DataTable>
      </Panel>
    </>
  );
}

/** The letter's receipt date, corrected with a mandatory reason; works without JavaScript. */
function ReceiptCorrectionForm({
  receivedOn,
  dispatchedOn,
  errors,
  values,
}: {
  receivedOn: string;
  dispatchedOn: string | null;
  errors: { receivedOn?: string; reason?: string };
  values: { receivedOn: string; reason: string } | null;
}) {
  const field = (name: 'receivedOn' | 'reason') => ({
    id: `receipt-${name}`,
    name,
    ...invalidProps(`receipt-${name}-error`, errors[name]),
  });
  const error = (name: 'receivedOn' | 'reason') => <FieldError id={`receipt-${name}-error`} message={errors[name]} />;
  return (
    <Form method="post" key={receivedOn} className="receipt-correction" aria-labelledby="receipt-correction-title">
      <h3 id="receipt-correction-title">Zugangsdatum berichtigen</h3>
      <p className="muted">
        Der Zugang wurde mit Versand + 3 Tagen angenommen. Weicht er ab, berichtigen Sie ihn hier: Einspruchsfrist und die Frist des §556
        Abs. 3 BGB werden für diese Mietpartei neu berechnet, die Berichtigung wird mit Grund im Nachweis festgehalten.
      </p>
      <div className="field">
        <label htmlFor="receipt-receivedOn">{RECEIPT_CORRECTION_LABELS.receivedOn}</label>
        <input
          type="date"
          required
          min={dispatchedOn ?? undefined}
          defaultValue={values?.receivedOn ?? receivedOn}
          {...field('receivedOn')}
        />
        {error('receivedOn')}
      </div>
      <div className="field">
        <label htmlFor="receipt-reason">{RECEIPT_CORRECTION_LABELS.reason}</label>
        <textarea rows={3} required maxLength={RECEIPT_REASON_MAX} defaultValue={values?.reason ?? ''} {...field('reason')} />
        {error('reason')}
      </div>
      <button type="submit" className="button">
        Zugangsdatum berichtigen
      </button>
    </Form>
  );
}

/** The tenant's late objection, accepted with a mandatory reason; works without JavaScript. */
function LateObjectionFormView({
  objectionDeadline,
  errors,
  values,
}: {
  objectionDeadline: string;
  errors: Partial<Record<LateObjectionField, string>>;
  values: LateObjectionForm | null;
}) {
  return (
    <Form method="post" className="late-objection objection-form" aria-labelledby="late-objection-title">
      <input type="hidden" name="intent" value="accept-late-objection" />
      <h3 id="late-objection-title">Verspäteten Einspruch annehmen</h3>
      <p className="muted">
        Die Einspruchsfrist dieser Mietpartei endete am {formatDate(objectionDeadline)}. Hat sie die Verspätung nicht zu vertreten, nehmen
        Sie den Einspruch hier an: Er wird mit Ihrem Grund im Nachweis festgehalten und als Vorgang wie ein fristgerechter bearbeitet.
      </p>
      <LateObjectionFields
        labels={LATE_OBJECTION_LABELS}
        withReceivedOn
        reasonHint={`Festgehalten als „${LATE_OBJECTION_REASON_PREFIX}…“`}
        errors={errors}
        values={values}
      />
      <button type="submit" className="button">
        Verspäteten Einspruch annehmen
      </button>
    </Form>
  );
}
