// A form field's error, tied to its input for screen readers: the message under the field and the
// input's attributes that point to it.

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="field__error">
      {message}
    </p>
  );
}

/** The input's attributes while it has an error: marked invalid and described by the message `errorId`. */
export function invalidProps(errorId: string, message: string | undefined) {
  return message ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {};
}
