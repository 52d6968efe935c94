// The warnings of a result: why a cost type is not billed by consumption. Shared by both engines,
// so that their results can be compared byte for byte.
import type { Ratio } from './ratio';
import type { CostType } from './types';

/** §9a(2) HKVO: substitute values on more than a quarter of the area. */
export function substituteAreaWarning(type: CostType, estimatedShare: Ratio): string {
  return (
    `${type}: substitute values cover ${estimatedShare.mul(100).toNumber(2)} % of the area (more than 25 %), ` +
    `so ${type} is distributed by area only (HKVO §9a(2))`
  );
}

export function noConsumptionWarning(type: CostType): string {
  return `${type}: no unit has any consumption, so ${type} is distributed by area only`;
}
