// Monthly consumption information (HKVO §6a): comparisons of last month's consumption with the
// previous month, the same month a year earlier and an average user of the same category.

/**
 * Change of `current` against `reference` in percent, rounded half away from zero to 2 decimals:
 * 312 vs 280 → 11.43, vs 350 → -10.86. A reference of 0 has no percentage and throws a RangeError.
 */
export function percentChange(current: number, reference: number): number {
  if (!Number.isFinite(current) || !Number.isFinite(reference) || reference === 0) {
    throw new RangeError(`no percentage change of ${current} against ${reference}`);
  }
  return roundToHundredths(((current - reference) * 100) / reference);
}

function roundToHundredths(value: number): number {
  // toPrecision(15) drops binary noise first, so that 1.005 * 100 = 100.49999999999999 rounds as 100.5.
  const hundredths = Number((Math.abs(value) * 100).toPrecision(15));
  const rounded = (Math.sign(value) * Math.round(hundredths)) / 100;
  return rounded === 0 ? 0 : rounded; // no -0 in output
}
