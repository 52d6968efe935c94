// §12 HKVO: which reasons cut which cost type. The tenant may cut 15 % of the amount of a cost type
// that was not billed by consumption against the rules, 3 % when devices are not remotely readable
// against §5, 3 % when the monthly information (§6a) was missing. Cuts of several reasons add up per
// cost type; cold water (BetrKV) is never cut; the landlord bears the cut.
import { CUT_PERCENT, CUT_RULES, type CutInput, type CutReason, type HkvoCostType } from './types';

/** The reasons that cut each HKVO cost type, in the order listed. */
export function cutReasonsByCostType(cuts: readonly CutInput[]): Record<HkvoCostType, CutReason[]> {
  const reasons: Record<HkvoCostType, CutReason[]> = { heating: [], hotWater: [] };
  for (const cut of cuts) {
    const rule = CUT_RULES[cut];
    for (const type of rule.costTypes) reasons[type].push(rule.reason);
  }
  return reasons;
}

export function percentOf(reasons: readonly CutReason[]): number {
  return reasons.reduce((sum, reason) => sum + CUT_PERCENT[reason], 0);
}

/**
 * The first listed cut that cuts a cost type an earlier one already cuts for the same reason
 * ("not-consumption-based" together with "not-consumption-based:heating"), or null.
 */
export function overlappingCut(cuts: readonly CutInput[]): { index: number; earlier: number } | null {
  const seen = new Map<string, number>();
  for (let index = 0; index < cuts.length; index++) {
    const rule = CUT_RULES[cuts[index]!];
    for (const type of rule.costTypes) {
      const key = `${rule.reason}/${type}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) return { index, earlier };
      seen.set(key, index);
    }
  }
  return null;
}
