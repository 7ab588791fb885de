import { LAMBDA_ENVIRONMENT as E } from '@platform/config/lambda-environment';
import type { WriteRouting } from '@orders/data-access';
import { originSecretsFromEnv } from '@platform/service-runtime';

/** Local runs only: the database password (in AWS the app authenticates with IAM tokens and this is unset). */
export const LOCAL_DB_PASSWORD = 'DB_PASSWORD';

/** A host and port; `host:port` in a variable overrides the default port. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** The orders handler's configuration, read from the Lambda environment the regional stack sets. */
export interface ServiceConfig {
  readonly region: string;
  readonly serviceName: string;
  /** `ORIGIN_SECRETS`: origin secret values accepted (comma-separated). @default - unset: no edge in front, nothing checked */
  readonly originSecrets?: readonly string[];
  readonly database: {
    readonly writer: HostPort;
    readonly reader: HostPort;
    readonly name: string;
    readonly user: string;
    readonly writeRouting: WriteRouting;
    /** Set locally; undefined in AWS, where IAM authentication tokens are used. */
    readonly password?: string;
    /** How long an idempotency record answers a retry (IDEMPOTENCY_TTL_SECONDS). @default 86400 */
    readonly idempotencyTtlSeconds: number;
  };
  /** Undefined when the service has no cache layer. */
  readonly cache?: {
    /** Set in the primary region only: elsewhere the cache is read-only (docs/orders.md, "Cache-aside"). */
    readonly writerUrl?: string;
    readonly readerUrl: string;
    readonly ttlSeconds: number;
    /**
     * ElastiCache IAM authentication (in AWS: `CACHE_USER` set): the user, and what each
     * client's token is signed for (the writer's only where there is a writer). Undefined
     * locally (no auth).
     */
    readonly iam?: { readonly user: string; readonly readerGroup: string; readonly writer?: { readonly group: string; readonly region: string } };
  };
}

/**
 * Reads and checks the configuration; throws one error listing every problem (at init,
 * so a misconfigured function fails its cold start loudly).
 */
export function readServiceConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set: the regional stack sets it for a service with an aurora layer; when running the handler yourself, export it`);
    return value ?? '';
  };
  const port = Number(env[E.dbPort] ?? '5432');
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`${E.dbPort} must be a port number, got "${env[E.dbPort]}"`);
  const hostPort = (raw: string): HostPort => {
    const m = /^(.+):(\d{1,5})$/.exec(raw);
    return m ? { host: m[1]!, port: Number(m[2]) } : { host: raw, port };
  };
  const routing = (env[E.dbWriteRouting]?.trim() || 'write-forwarding') as WriteRouting;
  if (routing !== 'write-forwarding' && routing !== 'writer-endpoint') problems.push(`${E.dbWriteRouting} must be write-forwarding or writer-endpoint, got "${routing}"`);
  const region = required('AWS_REGION');
  const reader = hostPort(required(E.dbReaderEndpoint));
  // With write forwarding, writes go to this region's own cluster, which forwards them to the primary.
  const writer = routing === 'write-forwarding' && env[E.dbClusterEndpoint]?.trim() ? hostPort(env[E.dbClusterEndpoint]!.trim()) : hostPort(required(E.dbWriterEndpoint));
  const name = required(E.dbName);
  const user = required(E.dbIamUser);
  const idempotencyRaw = env[E.idempotencyTtlSeconds]?.trim() || '86400';
  const idempotencyTtlSeconds = Number(idempotencyRaw);
  if (!Number.isInteger(idempotencyTtlSeconds) || idempotencyTtlSeconds < 1 || idempotencyTtlSeconds > 720 * 3600) {
    problems.push(`${E.idempotencyTtlSeconds} must be an integer 1-${720 * 3600} (seconds), got "${idempotencyRaw}"`);
  }

  let cache: ServiceConfig['cache'];
  const cacheWriter = env[E.cacheWriterEndpoint]?.trim();
  const cacheReader = env[E.cacheReaderEndpoint]?.trim();
  if (cacheWriter || cacheReader) {
    const ttlRaw = env[E.cacheTtlSeconds]?.trim() || '60';
    const ttlSeconds = Number(ttlRaw);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 86_400) problems.push(`${E.cacheTtlSeconds} must be an integer 1-86400, got "${ttlRaw}"`);
    // The reader alone is a secondary region's read-only cache; a writer needs its reader.
    if (!cacheReader) problems.push(`${E.cacheWriterEndpoint} is set without ${E.cacheReaderEndpoint}: the regional stack sets the reader in every region and the writer in the primary region only`);
    // ElastiCache endpoints are host names (TLS on 6379); local runs pass redis:// URLs.
    const url = (v: string) => (v.includes('://') ? v : `rediss://${v}:6379`);
    // In AWS the contract sets the IAM user and the replication groups; the local topology leaves them out.
    const user = env[E.cacheUser]?.trim();
    let iam: NonNullable<ServiceConfig['cache']>['iam'];
    if (user) {
      const group = (name: string) => {
        const v = env[name]?.trim();
        if (!v) problems.push(`${name} is not set: with ${E.cacheUser} (IAM authentication to the cache) the regional stack sets it too`);
        return v ?? '';
      };
      const readerGroup = group(E.cacheReplicationGroup);
      iam = { user, readerGroup, ...(cacheWriter ? { writer: { group: group(E.cacheWriterReplicationGroup), region: group(E.cacheWriterRegion) } } : {}) };
    }
    cache = { ...(cacheWriter ? { writerUrl: url(cacheWriter) } : {}), readerUrl: url(cacheReader ?? ''), ttlSeconds, ...(iam ? { iam } : {}) };
  }
  if (problems.length > 0) {
    throw new Error(`orders-api: invalid Lambda environment (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    region,
    serviceName: env[E.serviceName]?.trim() || 'orders',
    originSecrets: originSecretsFromEnv(env),
    database: { writer, reader, name, user, writeRouting: routing, password: env[LOCAL_DB_PASSWORD] || undefined, idempotencyTtlSeconds },
    cache,
  };
}
