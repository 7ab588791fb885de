export * from './dynamodb-local';
export * from './dynamodb-local-error';
export * from './local-client-config';
export * from './create-service-table';
