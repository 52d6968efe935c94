import { Ratio } from './ratio';

/**
 * Rounds exact amounts (in cents) to whole cents that sum to `totalCents`: every amount is rounded
 * down, and the missing cents go one each to the largest remainders, ties to the amount listed first
 * (largest remainder method, docs/rules.md §1 "Rounding").
 *
 * `totalCents` may differ from the exact sum by less than a cent: occupancies are rounded against
 * their unit's already rounded amount.
 */
export function allocateCents(exactCents: readonly Ratio[], totalCents: bigint): bigint[] {
  const floors = exactCents.map((amount) => amount.floor());
  const missing = totalCents - floors.reduce((sum, floor) => sum + floor, 0n);
  if (missing < 0n || missing > BigInt(exactCents.length)) {
    throw new RangeError(`cannot round amounts to a total of ${totalCents} cents`);
  }
  const byRemainder = exactCents
    .map((amount, index) => ({ index, remainder: amount.sub(Ratio.of(floors[index]!)) }))
    // Array.prototype.sort is stable, so equal remainders keep their input order.
    .sort((a, b) => b.remainder.compare(a.remainder));
  for (const { index } of byRemainder.slice(0, Number(missing))) floors[index]! += 1n;
  return floors;
}

/** Splits whole cents in proportion to non-negative weights (0 cents when all weights are 0). */
export function splitCents(totalCents: bigint, weights: readonly Ratio[]): bigint[] {
  const weightSum = Ratio.sum(weights);
  if (weightSum.isZero()) {
    if (totalCents !== 0n) throw new RangeError(`cannot split ${totalCents} cents by zero weights`);
    return weights.map(() => 0n);
  }
  const total = Ratio.of(totalCents);
  return allocateCents(
    weights.map((weight) => total.mul(weight).div(weightSum)),
    totalCents,
  );
}
