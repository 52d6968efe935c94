// JSON numbers as exact decimals on integers. A JSON number means the decimal it was written as (its
// shortest round-trip form), not the binary double: 0.7 is 7/10. The fast engine brings a column of
// such numbers (all areas, all heating readings, …) to one power of ten and computes on integers.

const DECIMAL_NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;

/** Below this, value × 10^scale rounds to the exact integer (the double's error stays under 0.5). */
const EXACT_PRODUCT_LIMIT = 2 ** 50;

/** `value` = digits / 10^scale, scale ≥ 0 (1.25 → 125 / 10^2, 1e21 → 10^21 / 10^0). */
export interface DecimalParts {
  digits: bigint;
  scale: number;
}

function checkFinite(value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
}

/** Powers of ten that are exact doubles. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Decimals after the point of the number as written (0.125 → 3, 1e-7 → 7, 1e21 → 0). */
export function decimalPlaces(value: number): number {
  checkFinite(value);
  if (Number.isInteger(value)) return 0;
  // The fewest decimals k with a decimal M / 10^k that rounds to this double: that is the decimal
  // String(value) prints. While |value| × 10^k < 2^50 there is at most one such M and Math.round
  // finds it (the double's and the product's errors stay below 1/4); beyond, read the string.
  const magnitude = Math.abs(value);
  for (let k = 1; k < POWERS_OF_TEN.length && magnitude * POWERS_OF_TEN[k]! < EXACT_PRODUCT_LIMIT; k++) {
    const power = POWERS_OF_TEN[k]!;
    if (Math.round(value * power) / power === value) return k;
  }
  const text = String(value);
  const exponent = text.indexOf('e');
  if (exponent < 0) return text.length - text.indexOf('.') - 1;
  const point = text.indexOf('.');
  const fraction = point < 0 ? 0 : exponent - point - 1;
  return Math.max(0, fraction - Number(text.slice(exponent + 1)));
}

export function decimalParts(value: number): DecimalParts {
  checkFinite(value);
  if (Number.isSafeInteger(value)) return { digits: BigInt(value), scale: 0 };
  const match = DECIMAL_NUMBER.exec(String(value));
  if (!match) throw new RangeError(`unexpected number format: ${value}`);
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  const shift = Number(exponent) - fraction.length;
  const digits = BigInt(`${sign}${whole}${fraction}`);
  return shift >= 0 ? { digits: digits * 10n ** BigInt(shift), scale: 0 } : { digits, scale: -shift };
}

/** The exact integer value × 10^scale, for a value with at most `scale` decimals. */
export function scaledInteger(value: number, scale: number): bigint {
  const factor = POWERS_OF_TEN[scale] ?? 10 ** scale;
  if (Number.isInteger(value) && Math.abs(value) < EXACT_PRODUCT_LIMIT) {
    const product = value * factor;
    if (Math.abs(product) < EXACT_PRODUCT_LIMIT) return BigInt(product);
  } else if (scale <= 22 && Math.abs(value) * factor < EXACT_PRODUCT_LIMIT) {
    // value is the double nearest to M / 10^scale; value × 10^scale is within M × 2^-52 of M.
    // The check back refuses a value with more decimals than `scale` (below: RangeError).
    const integer = Math.round(value * factor);
    if (integer / factor === value) return BigInt(integer);
  }
  const { digits, scale: own } = decimalParts(value);
  if (own > scale) throw new RangeError(`${value} has more than ${scale} decimals`);
  return digits * 10n ** BigInt(scale - own);
}

/** A column of numbers on one power of ten: values[i] = integers[i] / 10^scale exactly. */
export interface ScaledColumn {
  integers: bigint[];
  scale: number;
  sum: bigint;
}

export function scaledColumn(values: readonly number[]): ScaledColumn {
  let scale = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isInteger(value)) scale = Math.max(scale, decimalPlaces(value));
  }
  const integers = new Array<bigint>(values.length);
  // The sum in a double while it stays an exact integer (non-negative values below 2^50, so one
  // more addition cannot pass 2^53 unnoticed); BigInt only beyond.
  let sum = 0;
  let exact = true;
  for (let i = 0; i < values.length; i++) {
    const integer = scaledInteger(values[i]!, scale);
    integers[i] = integer;
    if (exact) {
      const value = Number(integer);
      if (value >= 0 && value < EXACT_PRODUCT_LIMIT && sum + value < Number.MAX_SAFE_INTEGER) sum += value;
      else exact = false;
    }
  }
  return { integers, scale, sum: exact ? BigInt(sum) : integers.reduce((total, integer) => total + integer, 0n) };
}
