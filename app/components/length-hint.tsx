import type { TextareaHTMLAttributes } from 'react';
import { lengthHint } from '../../domain/text-limits';

/** The limit of a text field, stated under it (the server refuses longer input with the same number). */
export function LengthHint({ id, max }: { id: string; max: number }) {
  return (
    <p id={id} className="muted case-form__hint">
      {lengthHint(max)}
    </p>
  );
}

/** A textarea that cannot take more than `max` characters and says so beneath. */
export function LimitedTextArea({ id, max, ...props }: { id: string; max: number } & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <>
      <textarea id={id} maxLength={max} aria-describedby={`${id}-hint`} {...props} />
      <LengthHint id={`${id}-hint`} max={max} />
    </>
  );
}
