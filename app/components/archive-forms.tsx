// Form parts shared by the archive's upload and its new-version form: the document's date, a note
// and the file, each with its error tied to the field for screen readers.

import { FieldError } from '~/components/field-error';

/** A labelled select of a form, with an optional empty first choice and its error tied to it. */
export function SelectField({
  name,
  label,
  options,
  emptyLabel,
  defaultValue,
  error,
}: {
  name: string;
  label: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  /** The first choice with the empty value ("Ganzes Gebäude"); without it a choice is required. */
  emptyLabel?: string;
  defaultValue?: string;
  error: string | undefined;
}) {
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <select
        id={name}
        name={name}
        required={emptyLabel === undefined}
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${name}-error` : undefined}
      >
        {emptyLabel === undefined ? null : <option value="">{emptyLabel}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <FieldError id={`${name}-error`} message={error} />
    </div>
  );
}

export function ArchiveFileFields({
  errors,
  values = {},
}: {
  errors: Record<string, string | undefined>;
  values?: Record<string, string | undefined>;
}) {
  return (
    <>
      <div className="field">
        <label htmlFor="documentDate">Datum des Nachweises (Prüfung, Probenahme, Ausstellung)</label>
        <input
          id="documentDate"
          name="documentDate"
          type="date"
          required
          defaultValue={values.documentDate}
          aria-invalid={errors.documentDate ? true : undefined}
          aria-describedby={errors.documentDate ? 'documentDate-error' : undefined}
        />
        <FieldError id="documentDate-error" message={errors.documentDate} />
      </div>
      <div className="field">
        <label htmlFor="file">Datei (PDF, PNG oder JPEG, höchstens 10 MB)</label>
        <input
          id="file"
          name="file"
          type="file"
          required
          accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"
          aria-invalid={errors.file ? true : undefined}
          aria-describedby={errors.file ? 'file-error' : 'file-hint'}
        />
        <p id="file-hint" className="muted">
          Der Dateityp wird am Inhalt geprüft. Gespeichert wird verschlüsselt; nichts wird überschrieben.
        </p>
        <FieldError id="file-error" message={errors.file} />
      </div>
      <div className="field">
        <label htmlFor="note">Bemerkung (optional)</label>
        <textarea
          id="note"
          name="note"
          rows={2}
          maxLength={1000}
          defaultValue={values.note}
          aria-invalid={errors.note ? true : undefined}
          aria-describedby={errors.note ? 'note-error' : undefined}
        />
        <FieldError id="note-error" message={errors.note} />
      </div>
    </>
  );
}
