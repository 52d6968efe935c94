import type { ReactNode } from 'react';

/** A labelled input whose error is tied to it for screen readers (aria-invalid, aria-describedby). */
export function Field({
  name,
  label,
  type = 'text',
  error,
  hint,
  autoComplete,
  defaultValue,
  required = true,
  readOnly,
  autoFocus,
  inputMode,
  maxLength,
  id,
}: {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'date';
  error?: string;
  hint?: ReactNode;
  autoComplete?: string;
  defaultValue?: string;
  required?: boolean;
  readOnly?: boolean;
  autoFocus?: boolean;
  inputMode?: 'numeric' | 'text' | 'email';
  maxLength?: number;
  id?: string;
}) {
  const fieldId = id ?? `field-${name}`;
  const describedBy = [hint ? `${fieldId}-hint` : null, error ? `${fieldId}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={fieldId}>{label}</label>
      <input
        id={fieldId}
        name={name}
        type={type}
        autoComplete={autoComplete}
        defaultValue={defaultValue}
        required={required}
        readOnly={readOnly}
        autoFocus={autoFocus}
        inputMode={inputMode}
        maxLength={maxLength}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      />
      {hint ? (
        <p id={`${fieldId}-hint`} className="muted">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${fieldId}-error`} className="field__error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The outcome of a form: an info box (status) or an error box (alert). */
export function FormMessage({ data }: { data: { ok: boolean; message: string } | undefined | null }) {
  if (!data) return null;
  return (
    <div className={data.ok ? 'alert alert--info' : 'alert alert--error'} role={data.ok ? 'status' : 'alert'}>
      {data.message}
    </div>
  );
}

/** The centred card the public account pages share with the login page. */
export function AccountCard({ title, intro, children }: { title: string; intro?: ReactNode; children: ReactNode }) {
  return (
    <div className="login">
      <div className="login__card">
        <h1>{title}</h1>
        {intro ? <p className="login__intro">{intro}</p> : null}
        {children}
      </div>
    </div>
  );
}

/** Field errors of a zod error, first message per field. */
export function firstErrors(fieldErrors: Record<string, string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, messages] of Object.entries(fieldErrors)) if (messages?.[0]) out[key] = messages[0];
  return out;
}

export const PASSWORD_HINT = 'Mindestens 12 Zeichen; ein Satz aus mehreren Wörtern ist leicht zu merken und schwer zu erraten.';
