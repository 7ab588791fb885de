export * from './validation';
export * from './platform-stack';
export * from './global-table';
export * from './replicated-buckets';
export * from './lambda-artifact';
export * from './regional-api';
export * from './global-stack-outputs';
