// Form parts shared by the archive's upload and its new-version form: the document's date, a note
// and the file, each with its error tied to the field for screen readers.

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="field__error">
      {message}
    </p>
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
