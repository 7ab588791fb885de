// @platform/service-runtime/cache: the cache layer (Redis / an ElastiCache global
// datastore). A separate entry point, so a service without a cache bundles no Redis client.
export * from './elasticache-auth-token';
export * from './resource-cache';
