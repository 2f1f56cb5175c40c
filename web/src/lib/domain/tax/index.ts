export * from './types.ts';
export { computeTax, checkVersion } from './engine.ts';
export { saleDate, versionOn, effectiveInstant, exemptionValidOn } from './effective.ts';
export { basisOf, ruleFor } from './rules.ts';
export { tableFromSingleRate, type SingleRate } from './legacy.ts';
