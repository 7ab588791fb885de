import { LAMBDA_ENVIRONMENT as E } from '@platform/config/lambda-environment';
import { originSecretsFromEnv, type RequestLogSamplerOptions, samplerOptionsFromEnv } from '@platform/service-runtime';

/** How GET responses are cached at the edge (CloudFront), from the service config. */
export type EdgeCacheMode = 'ttl' | 'invalidate' | 'off';

/** The handler's configuration, read from the Lambda environment the regional stack sets. */
export interface ServiceConfig {
  /** `TABLE_NAME`: the service table (this region's replica). */
  readonly tableName: string;
  /** `SERVICE_NAME`, @default "items" */
  readonly serviceName: string;
  /** `AWS_REGION`, set by the Lambda runtime. */
  readonly region: string;
  /** `EDGE_CACHE_MODE`, @default "off" */
  readonly edgeCacheMode: EdgeCacheMode;
  /** `EDGE_CACHE_TTL_SECONDS`, @default 60 */
  readonly edgeCacheTtlSeconds: number;
  /** `DISTRIBUTION_ID`, required in `invalidate` mode. */
  readonly distributionId?: string;
  /** `HEALTH_TIMEOUT_MS` (optional): how long /health waits for the table, @default 1000 */
  readonly healthTimeoutMs: number;
  /** `ORIGIN_SECRETS`: origin secret values accepted (comma-separated). @default - unset: no edge in front, nothing checked */
  readonly originSecrets?: readonly string[];
  /** `LOG_SAMPLE_RATE`, `SLOW_REQUEST_MS` (optional): which requests get an info line. */
  readonly requestLog: RequestLogSamplerOptions;
}

const MODES: readonly EdgeCacheMode[] = ['ttl', 'invalidate', 'off'];

/**
 * Reads and checks the configuration. Throws one error listing every problem, each
 * naming the variable and how to fix it; thrown at init, it fails the cold start
 * loudly instead of every request quietly.
 */
export function readServiceConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  const problems: string[] = [];
  const required = (name: string, hint: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set: ${hint}`);
    return value ?? '';
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer ${min}-${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const tableName = required(E.tableName, 'the regional stack sets it to the service table; when running the handler yourself, export it');
  const region = required('AWS_REGION', 'the Lambda runtime sets it; when running the handler yourself, export the region, e.g. AWS_REGION=eu-west-1');
  const rawMode = env[E.edgeCacheMode]?.trim() || 'off';
  const edgeCacheMode = MODES.includes(rawMode as EdgeCacheMode) ? (rawMode as EdgeCacheMode) : undefined;
  if (!edgeCacheMode) problems.push(`${E.edgeCacheMode} must be one of ${MODES.join(', ')}, got "${rawMode}"; it comes from the service's edgeCache.mode in the platform config`);
  const edgeCacheTtlSeconds = integer(E.edgeCacheTtlSeconds, 60, 0, 31_536_000);
  const distributionId = env[E.distributionId]?.trim() || undefined;
  if (edgeCacheMode === 'invalidate' && !distributionId) {
    problems.push(`${E.distributionId} is not set but ${E.edgeCacheMode} is "invalidate": the regional stack must pass the CloudFront distribution id (or use mode "ttl")`);
  }
  const healthTimeoutMs = integer('HEALTH_TIMEOUT_MS', 1000, 50, 10_000);
  const requestLog = samplerOptionsFromEnv(env, { sampleRate: E.logSampleRate, slowRequestMs: E.slowRequestMs });
  problems.push(...requestLog.problems);

  if (problems.length > 0) {
    throw new Error(`items-api: invalid Lambda environment (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    tableName,
    serviceName: env[E.serviceName]?.trim() || 'items',
    region,
    edgeCacheMode: edgeCacheMode as EdgeCacheMode,
    edgeCacheTtlSeconds,
    distributionId,
    healthTimeoutMs,
    originSecrets: originSecretsFromEnv(env),
    requestLog: requestLog.options,
  };
}
