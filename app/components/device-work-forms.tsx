// The device page's forms for recorded work: plain POST forms (they work without JavaScript), one
// per kind of work the device allows, with the server's German messages next to their fields.
import { Form, useNavigation } from '@remix-run/react';
import type { ReactNode } from 'react';
import {
  DEVICE_WORK_LABELS,
  SERIAL_PATTERN,
  type DeviceWorkField,
  type DeviceWorkFieldErrors,
  type DeviceWorkIntent,
} from '../../domain/device-work';

export interface DeviceWorkOutcome {
  ok: boolean;
  intent: DeviceWorkIntent;
  message: string;
  fieldErrors?: DeviceWorkFieldErrors;
}

const HINTS: Record<DeviceWorkIntent, string> = {
  replace: 'Das neue Gerät übernimmt Liegenschaft, Einheit, Gerätetyp und Einbauort; dieses Gerät gilt ab dem Einbaudatum als ausgebaut.',
  recalibrate: 'Die Eichfrist beginnt mit dem neuen Eichjahr von vorn.',
  'calibration-year':
    'Das Eichjahr ist unbekannt; die Frist ist bis dahin nur aus dem Einbaujahr geschätzt und kann früher enden. Bitte das Jahr der Eichung oder Ersteichung vom Typenschild bzw. der Eichmarke eintragen (MessEV §34 Abs. 2).',
  inspect: 'Die nächste Inspektion ist spätestens 15 Monate danach fällig.',
  battery: 'Setzt den Batteriestand auf 100 %.',
};

function Field({
  intent,
  name,
  label,
  outcome,
  children,
}: {
  intent: DeviceWorkIntent;
  name: DeviceWorkField;
  label: string;
  outcome?: DeviceWorkOutcome;
  children: (props: object) => ReactNode;
}) {
  const error = outcome && !outcome.ok && outcome.intent === intent ? outcome.fieldErrors?.[name] : undefined;
  const id = `work-${intent}-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, name, 'aria-invalid': error ? true : undefined, 'aria-describedby': error ? `${id}-error` : undefined })}
      {error ? (
        <p id={`${id}-error`} className="field__error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function DeviceWorkForms({ work, today, outcome }: { work: DeviceWorkIntent[]; today: string; outcome?: DeviceWorkOutcome }) {
  const busy = useNavigation().state === 'submitting';
  const fields: Record<DeviceWorkIntent, ReactNode> = {
    replace: (
      <>
        <Field name="serial" label="Seriennummer des neuen Geräts" intent="replace" outcome={outcome}>
          {(props) => <input {...props} required pattern={SERIAL_PATTERN} maxLength={40} autoComplete="off" className="mono" />}
        </Field>
        <Field name="installedAt" label="Einbaudatum" intent="replace" outcome={outcome}>
          {(props) => <input {...props} type="date" required max={today} defaultValue={today} />}
        </Field>
        {work.includes('recalibrate') ? (
          <Field name="calibratedYear" label="Eichjahr (optional)" intent="replace" outcome={outcome}>
            {(props) => <input {...props} inputMode="numeric" pattern="\d{4}" maxLength={4} placeholder={today.slice(0, 4)} />}
          </Field>
        ) : null}
      </>
    ),
    recalibrate: (
      <Field name="calibratedYear" label="Eichjahr" intent="recalibrate" outcome={outcome}>
        {(props) => <input {...props} required inputMode="numeric" pattern="\d{4}" maxLength={4} defaultValue={today.slice(0, 4)} />}
      </Field>
    ),
    'calibration-year': (
      <Field name="calibratedYear" label="Jahr der Eichung oder Ersteichung" intent="calibration-year" outcome={outcome}>
        {(props) => <input {...props} required inputMode="numeric" pattern="\d{4}" maxLength={4} />}
      </Field>
    ),
    inspect: (
      <Field name="lastInspectionAt" label="Inspektionsdatum" intent="inspect" outcome={outcome}>
        {(props) => <input {...props} type="date" required max={today} defaultValue={today} />}
      </Field>
    ),
    battery: null,
  };
  return (
    <div className="grid-2">
      {work.map((intent) => (
        <Form key={intent} method="post" className="form" aria-labelledby={`work-${intent}-title`}>
          <h3 id={`work-${intent}-title`} className="subheading">
            {DEVICE_WORK_LABELS[intent]}
          </h3>
          <p className="muted">{HINTS[intent]}</p>
          {fields[intent]}
          <div>
            <button type="submit" name="intent" value={intent} className="button" disabled={busy}>
              {DEVICE_WORK_LABELS[intent]} erfassen
            </button>
          </div>
        </Form>
      ))}
    </div>
  );
}
