// HKVO billing engine: pure, no I/O. parseBillingInput validates raw input (a ValidationError names
// the field); computeBilling distributes the costs. Result amounts are euros with at most 2 decimals.
export { computeBilling } from './engine';
export { parseBillingInput } from './parse';
export * from './types';
