// The fields a late objection has wherever it is entered: the tenant's own in the portal and the
// manager's acceptance on the recipient's proof page (which adds the day it came in).
import { FieldError, invalidProps } from './field-error';
import {
  LATE_OBJECTION_REASON_MAX,
  LATE_OBJECTION_TEXT_MAX,
  OBJECTION_POSITIONS,
  type LateObjectionField,
  type LateRequestField,
  type LateRequestForm,
} from '../../domain/late-objections';

export function LateObjectionFields({
  labels,
  withReceivedOn = false,
  reasonHint,
  errors,
  values,
}: {
  labels: Readonly<Record<LateRequestField, string>> & { receivedOn?: string };
  /** The manager's acceptance: the day the objection came in (a tenant's own is dated by the portal). */
  withReceivedOn?: boolean;
  reasonHint: string;
  errors: Partial<Record<LateObjectionField, string>>;
  values: (LateRequestForm & { receivedOn?: string }) | null;
}) {
  const described = (name: LateObjectionField) => invalidProps(`late-${name}-error`, errors[name]);
  const error = (name: LateObjectionField) => <FieldError id={`late-${name}-error`} message={errors[name]} />;
  return (
    <>
      {withReceivedOn ? (
        <div className="field">
          <label htmlFor="late-receivedOn">{labels.receivedOn}</label>
          <input
            type="date"
            id="late-receivedOn"
            name="receivedOn"
            required
            defaultValue={values?.receivedOn ?? ''}
            {...described('receivedOn')}
          />
          {error('receivedOn')}
        </div>
      ) : null}
      <fieldset className="field" {...described('positions')}>
        <legend>{labels.positions}</legend>
        {OBJECTION_POSITIONS.map((position) => (
          <label key={position} className="objection-form__choice">
            <input type="checkbox" name="positions" value={position} defaultChecked={values?.positions.includes(position) ?? false} />{' '}
            {position}
          </label>
        ))}
        {error('positions')}
      </fieldset>
      <div className="field">
        <label htmlFor="late-objection">{labels.objection}</label>
        <textarea
          id="late-objection"
          name="objection"
          rows={4}
          required
          maxLength={LATE_OBJECTION_TEXT_MAX}
          defaultValue={values?.objection ?? ''}
          {...described('objection')}
        />
        {error('objection')}
      </div>
      <div className="field">
        <label htmlFor="late-reason">{labels.reason}</label>
        <p className="muted" id="late-reason-hint">
          {reasonHint}
        </p>
        <textarea
          id="late-reason"
          name="reason"
          rows={3}
          required
          maxLength={LATE_OBJECTION_REASON_MAX}
          defaultValue={values?.reason ?? ''}
          {...(errors.reason
            ? { 'aria-invalid': true as const, 'aria-describedby': 'late-reason-hint late-reason-error' }
            : { 'aria-describedby': 'late-reason-hint' })}
        />
        {error('reason')}
      </div>
    </>
  );
}
