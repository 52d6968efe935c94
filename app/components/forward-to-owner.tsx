import { Form } from '@remix-run/react';
import { ActionMessage } from '~/components/cases';
import { Panel } from '~/components/page-header';

/**
 * "An Eigentümer weiterleiten" for a property's document (issue 14 item 3): a plain POST form (no
 * JavaScript needed) to /liegenschaften/:id/weiterleiten with the document's fields, and the outcome
 * of the last forwarding. The delivery records are listed under „Weitergeleitete Dokumente“.
 */
export function ForwardToOwner({
  propertyId,
  fields,
  what,
  message,
}: {
  propertyId: number;
  fields: Record<string, string>;
  /** The document in words, e.g. "die Monatsinformationen Oktober 2025 dieser Liegenschaft". */
  what: string;
  message: { ok: boolean; message: string } | null;
}) {
  return (
    <Panel id="weiterleitung" title="An Eigentümer weiterleiten">
      <ActionMessage data={message ?? undefined} />
      <Form method="post" action={`/liegenschaften/${propertyId}/weiterleiten`} className="status-line">
        {Object.entries(fields).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <span>Leitet {what} an den Eigentümer weiter; er sieht sie im Portal mit Zustellnachweis.</span>
        <button type="submit" className="button">
          An Eigentümer weiterleiten
        </button>
      </Form>
      <p className="muted">
        <a href="/weiterleitungen">Alle Weiterleitungen mit Zustellnachweis</a>
      </p>
    </Panel>
  );
}
