export * from './run-cli';
export * from './usage-error';
