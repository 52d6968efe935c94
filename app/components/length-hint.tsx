import { lengthHint } from '../../domain/text-limits';

/** The limit of a text field, stated under it (the server refuses longer input with the same number). */
export function LengthHint({ id, max }: { id: string; max: number }) {
  return (
    <p id={id} className="muted case-form__hint">
      {lengthHint(max)}
    </p>
  );
}
