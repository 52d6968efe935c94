// HKVO billing engine: pure, no I/O. parseBillingInput validates raw input (a ValidationError names
// the field); computeBilling distributes the costs. Result amounts are euros with at most 2 decimals.
// computeBillingRational is the slower reference on exact fractions that computeBilling is tested against.
export { computeBilling } from './engine';
export { computeBillingRational } from './rational-engine';
export { parseBillingInput } from './parse';
export { co2Band, co2BandFactor } from './co2';
export * from './types';
