export * from './user-error';
export * from './aws-regions';
export * from './config-error';
export * from './schema';
export { type ResolvedService, type StackSpec, planStacks } from './stack-plan';
export { MAX_SECONDARY_REGIONS, auroraGlobalVersionProblem, effectiveWeight } from './checks';
export { type Platform, parsePlatform } from './parse';
export { DEFAULT_CONFIG_PATH, loadPlatform, parsePlatformJson } from './load';
export * from './service-contract';
