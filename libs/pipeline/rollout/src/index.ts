export * from './plan';
export * from './gates';
export * from './execute';
export * from './deployment-record';
