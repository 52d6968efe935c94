import type { ReactNode } from 'react';

/**
 * A settings form's whole-number field: the stored value, or after a refusal the entered one with the
 * error (also without JavaScript); the hint explains the setting.
 */
export function WholeNumberField({
  name,
  label,
  min,
  max,
  stored,
  refused,
  hint,
}: {
  name: string;
  label: string;
  min: number;
  max: number;
  stored: number;
  refused: { value: string; message: string } | null;
  hint: ReactNode;
}) {
  const id = `f-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        required
        key={refused ? `refused:${refused.value}` : `stored:${stored}`}
        defaultValue={refused ? refused.value : stored}
        aria-invalid={refused ? true : undefined}
        aria-describedby={refused ? `${id}-error ${id}-hint` : `${id}-hint`}
      />
      <p id={`${id}-hint`} className="muted">
        {hint}
      </p>
      {refused ? (
        <p id={`${id}-error`} className="field__error">
          {refused.message}
        </p>
      ) : null}
    </div>
  );
}
