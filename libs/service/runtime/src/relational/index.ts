// @platform/service-runtime/relational: what a service on Aurora PostgreSQL adds to the
// runtime. A separate entry point, so a service on DynamoDB bundles no PostgreSQL client.
export * from './postgres-resource-repository';
export * from './rds-auth-token';
export * from './relational-database';
export * from './relational-environment';
export * from './sql-migrations';
