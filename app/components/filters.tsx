import { Form, Link } from '@remix-run/react';
import type { ReactNode } from 'react';

/** A GET form: filters live in the URL, work without JavaScript and can be bookmarked. */
export function FilterForm({ children, resetTo, label = 'Filter' }: { children: ReactNode; resetTo: string; label?: string }) {
  return (
    <Form method="get" className="filters" role="search" aria-label={label}>
      {children}
      <div className="filters__actions">
        <button type="submit" className="button button--primary">
          Filtern
        </button>
        <Link to={resetTo} className="button button--ghost">
          Zurücksetzen
        </Link>
      </div>
    </Form>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectFilter({
  name,
  label,
  options,
  value,
  allLabel,
}: {
  name: string;
  label: string;
  options: Option[];
  value: string | null;
  allLabel: string;
}) {
  const id = `filter-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {/* keyed by value so that a navigation (e.g. "Zurücksetzen") also resets the uncontrolled select */}
      <select id={id} name={name} defaultValue={value ?? ''} key={value ?? ''}>
        <option value="">{allLabel}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A text filter (search) of a GET form; `hint` explains what it matches. */
export function TextFilter({
  name,
  label,
  value,
  placeholder,
  hint,
}: {
  name: string;
  label: string;
  value: string | null;
  placeholder?: string;
  hint?: string;
}) {
  const id = `filter-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="search"
        defaultValue={value ?? ''}
        key={value ?? ''}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={false}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      {hint ? (
        <span id={`${id}-hint`} className="field__hint">
          {hint}
        </span>
      ) : null}
    </div>
  );
}
