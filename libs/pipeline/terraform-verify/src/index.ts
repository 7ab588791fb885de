export * from './verify-input-error';
export * from './toolchain';
export * from './declared-resources';
export * from './fake-aws-endpoint';
export * from './run-command';
export * from './verify-stack';
export * from './verify-terraform';
export * from './summary';
