import { LAMBDA_ENVIRONMENT as E } from '@platform/config/lambda-environment';
import { originSecretsFromEnv } from './origin-guard';
import { type RequestLogSamplerOptions, samplerOptionsFromEnv } from './request-log';

/** What every service's Lambda reads from the environment the regional stack sets, whatever its data layer. */
export interface ApiEnvironment {
  /** `AWS_REGION`, set by the Lambda runtime. */
  readonly region: string;
  /** `SERVICE_NAME` @default the `fallbackServiceName` given */
  readonly serviceName: string;
  /** `HEALTH_TIMEOUT_MS` @default 1000 */
  readonly healthTimeoutMs: number;
  /** `ORIGIN_SECRETS`: origin secret values accepted (comma-separated). @default - unset: no edge in front, nothing checked */
  readonly originSecrets?: readonly string[];
  /** `LOG_SAMPLE_RATE`, `SLOW_REQUEST_MS`: which requests get an info line. */
  readonly requestLog: RequestLogSamplerOptions;
}

/** What a service on the DynamoDB table reads: {@link ApiEnvironment} and the table. */
export interface ServiceEnvironment extends ApiEnvironment {
  /** `TABLE_NAME`: the service table (this region's replica). */
  readonly tableName: string;
}

/**
 * Reads and checks the environment of a service on the service table; throws one error
 * listing every problem, so a misconfigured function fails its cold start loudly
 * instead of every request quietly.
 */
export function readServiceEnvironment(env: NodeJS.ProcessEnv, fallbackServiceName: string): ServiceEnvironment {
  const tableName = env[E.tableName]?.trim() ?? '';
  const problems = tableName ? [] : [`${E.tableName} is not set: the regional stack sets it to the service table; when running the handler yourself, export it`];
  return { ...readApiEnvironment(env, fallbackServiceName, problems), tableName };
}

/**
 * Reads and checks what every service reads ({@link ApiEnvironment}); throws one error
 * listing every problem, `problems` (found by the caller in its own variables) first.
 */
export function readApiEnvironment(env: NodeJS.ProcessEnv, fallbackServiceName: string, problems: readonly string[] = []): ApiEnvironment {
  const all = [...problems];
  const region = env.AWS_REGION?.trim() ?? '';
  if (!region) all.push('AWS_REGION is not set: the Lambda runtime sets it; when running the handler yourself, export the region, e.g. AWS_REGION=eu-west-1');
  const rawTimeout = env.HEALTH_TIMEOUT_MS?.trim();
  const healthTimeoutMs = rawTimeout ? Number(rawTimeout) : 1000;
  if (!Number.isInteger(healthTimeoutMs) || healthTimeoutMs < 50 || healthTimeoutMs > 10_000) all.push(`HEALTH_TIMEOUT_MS must be an integer 50-10000, got "${rawTimeout}"`);
  const requestLog = samplerOptionsFromEnv(env, { sampleRate: E.logSampleRate, slowRequestMs: E.slowRequestMs });
  all.push(...requestLog.problems);
  if (all.length > 0) {
    throw new Error(`${fallbackServiceName}: invalid Lambda environment (${all.length} problem${all.length === 1 ? '' : 's'}):\n${all.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    region,
    serviceName: env[E.serviceName]?.trim() || fallbackServiceName,
    healthTimeoutMs,
    originSecrets: originSecretsFromEnv(env),
    requestLog: requestLog.options,
  };
}
