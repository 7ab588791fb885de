export * from './aws-regions';
export * from './config-error';
export * from './schema';
export * from './platform';
