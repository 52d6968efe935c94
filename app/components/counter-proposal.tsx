import { Form } from '@remix-run/react';
import { COUNTER_NOTE_FIELD, counterFieldNames, type CounterErrors } from '../../domain/appointment-counter';
import { formatDate } from '../../domain/format';
import { TEXT_LIMITS } from '../../domain/text-limits';
import { FieldError, invalidProps } from '~/components/field-error';
import { LimitedTextArea } from '~/components/length-hint';

/** Error state of one input: marked invalid and described by its message. */
const invalid = (errors: CounterErrors, name: string) => invalidProps(`${name}-error`, errors[name]);
const errorOf = (errors: CounterErrors, name: string) => <FieldError id={`${name}-error`} message={errors[name]} />;

/**
 * The tenant's answer to a device-exchange offer with own slots: up to `count` rows of date, from and
 * to (German local time) and a note. A plain POST form (works without JS); after a refusal the
 * entered values come back with the messages next to their fields.
 */
export function CounterProposalForm({
  count,
  earliestDate,
  dueAt,
  errors = {},
  values = {},
  busy,
}: {
  count: number;
  earliestDate: string;
  dueAt: string | null;
  errors?: CounterErrors;
  values?: Record<string, string>;
  busy: boolean;
}) {
  return (
    <Form method="post" className="form" aria-describedby="counter-hint">
      <p id="counter-hint" className="muted">
        Keiner der Termine passt? Schlagen Sie bis zu {count} eigene Termine vor
        {dueAt ? <>, spätestens bis zum {formatDate(dueAt)} (Frist für den Gerätetausch)</> : null}. Die Technik bestätigt einen davon.
      </p>
      {Array.from({ length: count }, (_, i) => i + 1).map((n) => {
        const names = counterFieldNames(n);
        return (
          <fieldset key={n} className="slot-fields" data-counter-row={n}>
            <legend>
              Ihr Termin {n}
              {n > 1 ? ' (optional)' : ''}
            </legend>
            <div className="slot-fields__row">
              <div className="field">
                <label htmlFor={names.date}>Datum</label>
                <input
                  id={names.date}
                  name={names.date}
                  type="date"
                  min={earliestDate}
                  max={dueAt ?? undefined}
                  required={n === 1}
                  defaultValue={values[names.date] ?? ''}
                  {...invalid(errors, names.date)}
                />
              </div>
              {(
                [
                  [names.from, 'von'],
                  [names.to, 'bis'],
                ] as const
              ).map(([name, label]) => (
                <div key={name} className="field">
                  <label htmlFor={name}>{label}</label>
                  <input
                    id={name}
                    name={name}
                    type="time"
                    step={900}
                    required={n === 1}
                    defaultValue={values[name] ?? ''}
                    {...invalid(errors, name)}
                  />
                </div>
              ))}
            </div>
            {errorOf(errors, names.date)}
            {errorOf(errors, names.from)}
            {errorOf(errors, names.to)}
          </fieldset>
        );
      })}
      <div className="field">
        <label htmlFor={COUNTER_NOTE_FIELD}>Nachricht an die Technik (optional)</label>
        <LimitedTextArea
          id={COUNTER_NOTE_FIELD}
          name={COUNTER_NOTE_FIELD}
          rows={2}
          max={TEXT_LIMITS.appointmentNote}
          defaultValue={values[COUNTER_NOTE_FIELD] ?? ''}
        />
        {errorOf(errors, COUNTER_NOTE_FIELD)}
      </div>
      <div>
        <button type="submit" name="intent" value="counter" className="button button--primary" disabled={busy}>
          Eigene Termine vorschlagen
        </button>
      </div>
    </Form>
  );
}
