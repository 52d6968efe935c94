import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { SlotFields } from '~/components/cases';
import { SLOT_WINDOWS, requestAppointment, slotsFromForm } from '../../server/appointments';
import { currentTenancies, requireUserWithPermission } from '../../server/permissions';
import { requireSameOrigin } from '../../server/request';
import { addDays } from '../../domain/dates';
import { calendarDate } from '../../domain/calendar';
import { LimitedTextArea } from '~/components/length-hint';
import { TEXT_LIMITS, normaliseText, textTooLong } from '../../domain/text-limits';
import {
  APPOINTMENT_REASONS,
  APPOINTMENT_REASON_LABELS,
  MAX_SLOTS_PER_OFFER,
  isAppointmentReason,
} from '../../domain/contracts/appointment';

export const meta: MetaFunction = () => [{ title: 'Termin anfragen · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'request:appointment:own');
  const tenancies = await currentTenancies(user);
  return {
    units: tenancies.map((t) => ({ id: t.unitId, label: `${t.propertyName}, ${t.unitLabel}` })),
    reasons: APPOINTMENT_REASONS.map((value) => ({ value, label: APPOINTMENT_REASON_LABELS[value] })),
    windows: SLOT_WINDOWS.map(({ value, label }) => ({ value, label })),
    slotCount: MAX_SLOTS_PER_OFFER,
    earliestDate: addDays(calendarDate(new Date()), 1),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'request:appointment:own');
  const form = await request.formData();
  const tenancy = (await currentTenancies(user)).find((t) => String(t.unitId) === String(form.get('unitId')));
  const reason = form.get('reason');
  if (!tenancy) return { error: 'Bitte wählen Sie Ihre Wohnung.' };
  if (!isAppointmentReason(reason)) return { error: 'Bitte wählen Sie den Anlass.' };
  const parsed = slotsFromForm(form);
  if ('error' in parsed) return { error: parsed.error };
  const note = normaliseText(String(form.get('note') ?? '')).trim();
  const tooLong = textTooLong('Hinweis', note, TEXT_LIMITS.appointmentNote);
  if (tooLong) return { error: tooLong };
  const { appointmentId } = await requestAppointment({
    organisationId: user.organisationId,
    unitId: tenancy.unitId,
    tenantId: user.id,
    reason,
    note: note || null,
    slots: parsed.slots,
  });
  throw redirect(`/termine/${appointmentId}`);
}

export default function NewAppointment() {
  const { units, reasons, windows, slotCount, earliestDate } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/termine">← Meine Termine</Link>}
        title="Termin anfragen"
        description="Nennen Sie bis zu drei Zeiten, zu denen die Technik kommen kann. Sie bestätigt einen davon oder schlägt andere vor."
      />
      {result?.error ? (
        <div className="alert alert--error" role="alert">
          {result.error}
        </div>
      ) : null}
      {units.length === 0 ? (
        <EmptyState>Für Ihr Konto ist derzeit kein laufendes Mietverhältnis hinterlegt.</EmptyState>
      ) : (
        <Panel id="new-appointment" title="Ihr Terminwunsch">
          <Form method="post" className="form case-form">
            {units.length === 1 ? (
              <input type="hidden" name="unitId" value={units[0]!.id} />
            ) : (
              <div className="field">
                <label htmlFor="unitId">Wohnung</label>
                <select id="unitId" name="unitId" required defaultValue="">
                  <option value="" disabled>
                    Bitte wählen
                  </option>
                  {units.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.label}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <div className="field">
              <label htmlFor="reason">Anlass</label>
              <select id="reason" name="reason" required defaultValue="">
                <option value="" disabled>
                  Bitte wählen
                </option>
                {reasons.map((r) => (
                  <option key={r.value} value={r.value}>
                    {r.label}
                  </option>
                ))}
              </select>
            </div>
            <SlotFields count={slotCount} windows={windows} earliestDate={earliestDate} firstRequired />
            <div className="field">
              <label htmlFor="note">Hinweis (optional)</label>
              <LimitedTextArea
                id="note"
                name="note"
                rows={3}
                placeholder="z. B. Klingel defekt, bitte anrufen"
                max={TEXT_LIMITS.appointmentNote}
              />
            </div>
            <div>
              <button type="submit" className="button button--primary" disabled={busy}>
                Termin anfragen
              </button>
            </div>
          </Form>
        </Panel>
      )}
    </>
  );
}
