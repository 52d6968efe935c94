// Exact rational numbers on BigInt. docs/rules.md asks to compute exactly and round only at the end; with
// floats, 0.7 × 10 000 € or 130 ‰ × 15/31 already carry binary error that can flip a cent.

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

const DECIMAL_NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;

export class Ratio {
  static readonly ZERO = new Ratio(0n, 1n);
  static readonly ONE = new Ratio(1n, 1n);

  /** Always reduced, with a positive denominator, so equal values have equal fields. */
  private constructor(
    readonly numerator: bigint,
    readonly denominator: bigint,
  ) {}

  static of(numerator: bigint | number, denominator: bigint | number = 1n): Ratio {
    let n = BigInt(numerator);
    let d = BigInt(denominator);
    if (d === 0n) throw new RangeError('division by zero');
    if (d < 0n) [n, d] = [-n, -d];
    const divisor = gcd(n, d); // ≥ 1 because d ≠ 0
    return new Ratio(n / divisor, d / divisor);
  }

  /**
   * The decimal a JSON number was written as (its shortest round-trip form), not the binary double:
   * 0.7 is 7/10 here, so input like 0.1 + 0.2 = 0.3 holds exactly.
   */
  static fromNumber(value: number): Ratio {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    const match = DECIMAL_NUMBER.exec(String(value));
    if (!match) throw new RangeError(`unexpected number format: ${value}`);
    const [, sign, whole, fraction = '', exponent = '0'] = match;
    const scale = Number(exponent) - fraction.length;
    const digits = BigInt(`${sign}${whole}${fraction}`);
    return scale >= 0 ? Ratio.of(digits * 10n ** BigInt(scale)) : Ratio.of(digits, 10n ** BigInt(-scale));
  }

  add(other: Ratio): Ratio {
    return Ratio.of(this.numerator * other.denominator + other.numerator * this.denominator, this.denominator * other.denominator);
  }

  sub(other: Ratio): Ratio {
    return Ratio.of(this.numerator * other.denominator - other.numerator * this.denominator, this.denominator * other.denominator);
  }

  mul(other: Ratio | bigint | number): Ratio {
    const factor = other instanceof Ratio ? other : Ratio.of(other);
    return Ratio.of(this.numerator * factor.numerator, this.denominator * factor.denominator);
  }

  div(other: Ratio | bigint | number): Ratio {
    const divisor = other instanceof Ratio ? other : Ratio.of(other);
    return Ratio.of(this.numerator * divisor.denominator, this.denominator * divisor.numerator);
  }

  compare(other: Ratio): -1 | 0 | 1 {
    const difference = this.numerator * other.denominator - other.numerator * this.denominator;
    return difference < 0n ? -1 : difference > 0n ? 1 : 0;
  }

  abs(): Ratio {
    return this.numerator < 0n ? Ratio.of(-this.numerator, this.denominator) : this;
  }

  isZero(): boolean {
    return this.numerator === 0n;
  }

  isInteger(): boolean {
    return this.denominator === 1n;
  }

  /** The largest integer not above this value (also for negative values). */
  floor(): bigint {
    const quotient = this.numerator / this.denominator;
    return this.numerator < 0n && quotient * this.denominator !== this.numerator ? quotient - 1n : quotient;
  }

  /** Rounds to an integer, halves upwards (x.5 → x + 1), the commercial rounding for amounts. */
  roundHalfUp(): bigint {
    return this.add(Ratio.of(1n, 2n)).floor();
  }

  /** A JSON number with at most `decimals` decimals, rounded half up; exact for the decimal printed. */
  toNumber(decimals: number): number {
    const scale = 10n ** BigInt(decimals);
    // Dividing the integer by a power of ten is correctly rounded, so this is the double that
    // prints as the intended decimal (118461 / 100 → 1184.61, never 1184.6100000000001).
    return Number(this.mul(scale).roundHalfUp()) / Number(scale);
  }

  static sum(values: readonly Ratio[]): Ratio {
    return values.reduce((total, value) => total.add(value), Ratio.ZERO);
  }
}
