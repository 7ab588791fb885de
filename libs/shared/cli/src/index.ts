export * from './integer-option';
export * from './run-cli';
export * from './usage-error';
export * from './aws-credentials-problem';
export * from './wildcard';
export * from './user-error';
