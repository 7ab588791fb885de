import { LAMBDA_ENVIRONMENT as E } from '@platform/config/lambda-environment';
import { type ApiEnvironment, readApiEnvironment } from '../service-environment';
import type { DatabaseEndpoint, WriteRouting } from './relational-database';

/** Local runs only: the database password (in AWS the app authenticates with IAM tokens and this is unset). */
export const LOCAL_DB_PASSWORD = 'DB_PASSWORD';

/** The longest idempotency window the config allows (`aurora.idempotencyTtlHours` at most 720). */
const MAX_IDEMPOTENCY_TTL_SECONDS = 720 * 3600;

/** What a service on Aurora (and, with one, its cache) reads from the environment the regional stack sets. */
export interface RelationalEnvironment extends ApiEnvironment {
  readonly database: {
    /** Where writes go: this region's cluster with write forwarding, else the global writer endpoint. */
    readonly writer: DatabaseEndpoint;
    /** This region's reader endpoint. */
    readonly reader: DatabaseEndpoint;
    readonly name: string;
    /** The database user the function connects as (IAM authentication in AWS). */
    readonly user: string;
    readonly writeRouting: WriteRouting;
    /** Set locally (`DB_PASSWORD`); undefined in AWS, where IAM authentication tokens are used. */
    readonly password?: string;
    /** How long an idempotency key is remembered (`IDEMPOTENCY_TTL_SECONDS`). @default 86400 */
    readonly idempotencyTtlSeconds: number;
  };
  /** Undefined when the service has no cache. */
  readonly cache?: {
    /** The global datastore's primary endpoint: writes and invalidations (this region's replica where {@link writes} is false). */
    readonly writerUrl: string;
    /** Whether this region writes the cache: only the primary region gets the writer endpoint, the others only read. */
    readonly writes: boolean;
    /** This region's replica: reads. */
    readonly readerUrl: string;
    readonly ttlSeconds: number;
    /** The region whose cluster takes writes; undefined locally (every region reaches the one writer). */
    readonly writerRegion?: string;
    /** ElastiCache IAM authentication: the user, and the replication groups each connection's token is signed for. Undefined locally. */
    readonly iam?: { readonly user: string; readonly readerGroup: string; readonly writerGroup: string };
  };
}

/**
 * Reads and checks the environment of a service on Aurora; throws one error listing
 * every problem (at init, so a misconfigured function fails its cold start loudly).
 */
export function readRelationalEnvironment(env: NodeJS.ProcessEnv, fallbackServiceName: string): RelationalEnvironment {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set: the regional stack sets it for a service with an aurora layer; when running the handler yourself, export it`);
    return value ?? '';
  };
  const port = Number(env[E.dbPort] ?? '5432');
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`${E.dbPort} must be a port number, got "${env[E.dbPort]}"`);
  // `host:port` in a variable overrides the port (the local topology's endpoints).
  const endpoint = (raw: string): DatabaseEndpoint => {
    const m = /^(.+):(\d{1,5})$/.exec(raw);
    return m ? { host: m[1]!, port: Number(m[2]) } : { host: raw, port };
  };
  const writeRouting = (env[E.dbWriteRouting]?.trim() || 'write-forwarding') as WriteRouting;
  if (writeRouting !== 'write-forwarding' && writeRouting !== 'writer-endpoint') problems.push(`${E.dbWriteRouting} must be write-forwarding or writer-endpoint, got "${writeRouting}"`);
  const reader = endpoint(required(E.dbReaderEndpoint));
  const cluster = env[E.dbClusterEndpoint]?.trim();
  const writer = writeRouting === 'write-forwarding' && cluster ? endpoint(cluster) : endpoint(required(E.dbWriterEndpoint));
  const name = required(E.dbName);
  const user = required(E.dbIamUser);
  const idempotencyRaw = env[E.idempotencyTtlSeconds]?.trim() || '86400';
  const idempotencyTtlSeconds = Number(idempotencyRaw);
  // The contract sets it from `aurora.idempotencyTtlHours`, which the config schema bounds to 1-720 hours.
  if (!Number.isInteger(idempotencyTtlSeconds) || idempotencyTtlSeconds < 1 || idempotencyTtlSeconds > MAX_IDEMPOTENCY_TTL_SECONDS) {
    problems.push(`${E.idempotencyTtlSeconds} must be an integer 1-${MAX_IDEMPOTENCY_TTL_SECONDS} (seconds), got "${idempotencyRaw}"`);
  }
  const cache = readCache(env, problems);
  const api = readApiEnvironment(env, fallbackServiceName, problems);
  return { ...api, database: { writer, reader, name, user, writeRouting, password: env[LOCAL_DB_PASSWORD] || undefined, idempotencyTtlSeconds }, cache };
}

function readCache(env: NodeJS.ProcessEnv, problems: string[]): RelationalEnvironment['cache'] {
  const writer = env[E.cacheWriterEndpoint]?.trim();
  const reader = env[E.cacheReaderEndpoint]?.trim();
  if (!writer && !reader) return undefined;
  // The regional stack gives the writer endpoint to the primary region only (service-contract.ts): a secondary reads.
  if (!reader) problems.push(`${E.cacheReaderEndpoint} is not set but ${E.cacheWriterEndpoint} is: the regional stack sets both in the primary region, the reader alone elsewhere`);
  const ttlRaw = env[E.cacheTtlSeconds]?.trim() || '60';
  const ttlSeconds = Number(ttlRaw);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 86_400) problems.push(`${E.cacheTtlSeconds} must be an integer 1-86400, got "${ttlRaw}"`);
  // ElastiCache endpoints are host names (TLS on 6379); the local topology passes redis:// URLs.
  const url = (v: string) => (v.includes('://') ? v : `rediss://${v}:6379`);
  const user = env[E.cacheUser]?.trim();
  const setWithUser = (name: string) => {
    const v = env[name]?.trim();
    if (!v) problems.push(`${name} is not set: with ${E.cacheUser} (IAM authentication to the cache) the regional stack sets it too`);
    return v ?? '';
  };
  const readerGroup = user ? setWithUser(E.cacheReplicationGroup) : '';
  const writerGroup = user && writer ? setWithUser(E.cacheWriterReplicationGroup) : readerGroup;
  // A write connection's token is signed for the writer's region, so with IAM it must be known.
  const writerRegion = user && writer ? setWithUser(E.cacheWriterRegion) : env[E.cacheWriterRegion]?.trim() || undefined;
  const iam = user ? { user, readerGroup, writerGroup } : undefined;
  return { writerUrl: url(writer || reader || ''), readerUrl: url(reader ?? ''), writes: !!writer, ttlSeconds, writerRegion, ...(iam ? { iam } : {}) };
}
