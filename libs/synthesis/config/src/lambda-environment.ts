// Kept free of imports: Lambda bundles import it (through `@platform/config/lambda-environment`)
// without pulling in the config's schema and loader.

/** Names of the Lambda environment variables the regional stack sets and a service's app reads. */
export const LAMBDA_ENVIRONMENT = {
  tableName: 'TABLE_NAME',
  serviceName: 'SERVICE_NAME',
  edgeCacheMode: 'EDGE_CACHE_MODE',
  edgeCacheTtlSeconds: 'EDGE_CACHE_TTL_SECONDS',
  distributionId: 'DISTRIBUTION_ID',
  dbEngine: 'DB_ENGINE',
  dbName: 'DB_NAME',
  dbPort: 'DB_PORT',
  dbWriterEndpoint: 'DB_WRITER_ENDPOINT',
  dbReaderEndpoint: 'DB_READER_ENDPOINT',
  dbIamUser: 'DB_IAM_USER',
  /** `write-forwarding` or `writer-endpoint` (config `aurora.writeRouting`). */
  dbWriteRouting: 'DB_WRITE_ROUTING',
  /** This region's cluster endpoint: where writes go with write forwarding. */
  dbClusterEndpoint: 'DB_CLUSTER_ENDPOINT',
  /** How long an idempotency record is kept, in seconds (config `aurora.idempotencyTtlHours`). */
  idempotencyTtlSeconds: 'IDEMPOTENCY_TTL_SECONDS',
  /** The primary region's own replication group (primary endpoint): set in the primary region only. */
  cacheWriterEndpoint: 'CACHE_WRITER_ENDPOINT',
  cacheReaderEndpoint: 'CACHE_READER_ENDPOINT',
  cacheUser: 'CACHE_USER',
  /** This region's replication group id: what the IAM token for a read connection is signed for. */
  cacheReplicationGroup: 'CACHE_REPLICATION_GROUP',
  /** The primary region's replication group id and region: what the IAM token for a write connection is signed for (primary region only). */
  cacheWriterReplicationGroup: 'CACHE_WRITER_REPLICATION_GROUP',
  cacheWriterRegion: 'CACHE_WRITER_REGION',
  /** Comma-separated values of the origin secret header the API accepts (two during a rotation). */
  originSecrets: 'ORIGIN_SECRETS',
  /** How long the app keeps an entry in the cache (config `cache.ttlSeconds`). */
  cacheTtlSeconds: 'CACHE_TTL_SECONDS',
  powertoolsServiceName: 'POWERTOOLS_SERVICE_NAME',
  powertoolsLogLevel: 'POWERTOOLS_LOG_LEVEL',
  /** Fraction of requests whose info line is logged (errors and slow requests always are). */
  logSampleRate: 'LOG_SAMPLE_RATE',
  /** Requests slower than this (ms) are always logged. */
  slowRequestMs: 'SLOW_REQUEST_MS',
} as const;

/**
 * The header CloudFront adds to every request it sends to a region (value from the
 * origin secret); a request without an accepted value never reaches business code.
 */
export const ORIGIN_SECRET_HEADER = 'x-origin-verify';
