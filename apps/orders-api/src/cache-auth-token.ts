// The ElastiCache IAM token source lives in the service runtime, which services generated with --cache use too.
export { type AwsCredentials, CACHE_TOKEN_EXPIRES_SECONDS, CACHE_TOKEN_REUSE_MS, type ElastiCacheAuthTokenProps, elastiCacheAuthToken, lambdaCredentials } from '@platform/service-runtime/cache';
