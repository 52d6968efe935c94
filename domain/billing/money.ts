import { Ratio } from './ratio';

function exactCents(euros: number): Ratio {
  return Ratio.fromNumber(euros).mul(100);
}

export function isWholeCents(euros: number): boolean {
  return exactCents(euros).isInteger();
}

/** Whole cents of a euro amount; throws a RangeError for fractions of a cent. */
export function toCents(euros: number): bigint {
  const cents = exactCents(euros);
  if (!cents.isInteger()) throw new RangeError(`not a whole number of cents: ${euros}`);
  return cents.numerator;
}

/** Euros as a JSON number with at most 2 decimals (12345n → 123.45). */
export function toEuros(cents: bigint): number {
  return Ratio.of(cents, 100).toNumber(2);
}
