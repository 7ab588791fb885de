import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type GlobalOutputReader, type Platform, type ServiceAuthorization, appEntryPath, failsOver, serviceContract } from '@platform/config';
import type { EdgeCacheMode } from './edge-cache';
import type { RoutingPolicy } from './region-router';
import { TopologyConfigError } from './topology-config-error';

/** Everything the local topology of one service in one environment needs from the platform config. */
export interface TopologyConfig {
  readonly service: string;
  readonly environment: string;
  /** Nx project in apps/ whose handler runs in each region. */
  readonly app: string;
  /** Regions, primary first. */
  readonly regions: readonly string[];
  /** The service table's name (the global stack's, from the service contract). */
  readonly tableName: string;
  /** The function's name in AWS, which the handler sees as AWS_LAMBDA_FUNCTION_NAME. */
  readonly functionName: string;
  /**
   * The Lambda environment the regional stack gives the app in `region` (the service
   * contract's), with the global stack's outputs answered by `read`.
   */
  appEnvironment(region: string, read: GlobalOutputReader): Record<string, string>;
  readonly routing: { readonly policy: RoutingPolicy; readonly weights: Readonly<Record<string, number>> };
  readonly healthCheck: {
    /** Time between checks: the config's intervalSeconds unless overridden for a local run. */
    readonly intervalMs: number;
    readonly failureThreshold: number;
    readonly path: string;
  };
  /** `failoverPaths`: the read-only paths of the origin group (none: no failover). */
  readonly edgeCache: { readonly mode: EdgeCacheMode; readonly ttlSeconds: number; readonly failoverPaths: readonly string[] };
  /** Put Authorization in the edge cache key. */
  readonly varyOnAuthorization: boolean;
  /**
   * Who may call the API, as every region's authorizer checks it (the service
   * contract's); locally the issuer is replaced by the local one.
   */
  authorization(read: GlobalOutputReader): ServiceAuthorization;
  /** Opt-in data stores of the service that the local topology does not run (Aurora, ElastiCache). */
  readonly notEmulated: readonly string[];
  /** The alarms the status page evaluates locally: the config's thresholds and the contract's names. */
  readonly alarms: {
    readonly api5xxPercent: number;
    readonly apiP99LatencyMs: number;
    readonly replicationLatencyMs: number;
    regionUnhealthyName(region: string): string;
    regionAlarmName(region: string, metric: string): string;
    edgeAlarmName(metric: string): string;
  };
}

/** Overrides for a local run; each defaults to the config's value. */
export interface TopologyOverrides {
  /** @default "items" */
  readonly service?: string;
  /** @default "dev" */
  readonly environment?: string;
  /** Health check interval in ms (the config's 10 or 30 s is slow for tests). */
  readonly probeIntervalMs?: number;
  readonly failureThreshold?: number;
  readonly routingPolicy?: RoutingPolicy;
  readonly edgeCacheMode?: EdgeCacheMode;
  readonly edgeCacheTtlSeconds?: number;
  /** Read-only paths that fail over to the secondary region. @default - the service's `edgeCache.failoverPaths` */
  readonly failoverPaths?: readonly string[];
  /** Run only these of the environment's regions (in the environment's order). */
  readonly regions?: readonly string[];
}

/**
 * Derives the local topology of a service and environment from the validated platform
 * config, so that `npm run dev` routes, checks and caches as the synthesized stacks do.
 */
export function topologyConfig(platform: Platform, overrides: TopologyOverrides = {}): TopologyConfig {
  const serviceName = overrides.service ?? 'items';
  const service = platform.services.find((s) => s.name === serviceName);
  if (!service) {
    throw new TopologyConfigError(
      `${platform.source}: there is no service "${serviceName}" under services; choose one of ${platform.services.map((s) => s.name).join(', ') || '(none)'} with --service`,
    );
  }
  const environment = overrides.environment ?? 'dev';
  const env = platform.config.environments[environment];
  if (!env) {
    throw new TopologyConfigError(
      `${platform.source}: there is no environment "${environment}" under environments; choose one of ${Object.keys(platform.config.environments).join(', ')} with --environment`,
    );
  }
  if (!service.environments.includes(environment)) {
    throw new TopologyConfigError(
      `${platform.source}: services.${serviceName}.environments does not include "${environment}"; choose one of ${service.environments.join(', ')} with --environment, or add it to the service`,
    );
  }
  let regions: readonly string[] = env.regions;
  if (overrides.regions?.length) {
    const unknown = overrides.regions.filter((r) => !env.regions.includes(r));
    if (unknown.length) {
      throw new TopologyConfigError(`${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among the regions of environment "${environment}" (${env.regions.join(', ')}); pick from those`);
    }
    regions = env.regions.filter((r) => overrides.regions!.includes(r));
  }
  const probeIntervalMs = overrides.probeIntervalMs ?? service.healthCheck.intervalSeconds * 1000;
  if (!Number.isInteger(probeIntervalMs) || probeIntervalMs < 10) {
    throw new TopologyConfigError(`the health check interval must be a whole number of milliseconds, at least 10; got ${probeIntervalMs}`);
  }
  const failureThreshold = overrides.failureThreshold ?? service.healthCheck.failureThreshold;
  if (!Number.isInteger(failureThreshold) || failureThreshold < 1 || failureThreshold > 10) {
    throw new TopologyConfigError(`the failure threshold must be a whole number from 1 to 10 (as in Route53); got ${failureThreshold}`);
  }
  const policy = overrides.routingPolicy ?? service.routing.policy;
  if (policy === 'failover' && regions.length > 2) {
    throw new TopologyConfigError(`failover routing has a primary and a secondary region, but ${regions.length} regions were given (${regions.join(', ')}); use --regions to pick two`);
  }
  const mode: EdgeCacheMode = overrides.edgeCacheMode ?? (service.edgeCache.enabled ? service.edgeCache.mode : 'off');
  const ttlSeconds = overrides.edgeCacheTtlSeconds ?? service.edgeCache.ttlSeconds;
  const contract = serviceContract(platform.config, serviceName, environment);
  const notEmulated = [...(service.aurora ? ['aurora'] : []), ...(service.cache ? ['cache (ElastiCache)'] : [])];
  return {
    service: serviceName,
    environment,
    app: service.app,
    regions,
    tableName: contract.names.table,
    functionName: contract.names.function,
    appEnvironment: contract.lambdaEnvironment,
    routing: { policy, weights: service.routing.weights },
    healthCheck: { intervalMs: probeIntervalMs, failureThreshold, path: service.healthCheck.path },
    edgeCache: { mode, ttlSeconds, failoverPaths: overrides.failoverPaths ?? (failsOver(service, regions) ? service.edgeCache.failoverPaths : []) },
    varyOnAuthorization: service.auth.required,
    authorization: contract.authorization,
    notEmulated,
    alarms: {
      api5xxPercent: service.alarms.api5xxPercent,
      apiP99LatencyMs: service.alarms.apiP99LatencyMs,
      replicationLatencyMs: service.alarms.replicationLatencyMs,
      regionUnhealthyName: contract.names.regionUnhealthyAlarm,
      regionAlarmName: contract.names.regionAlarm,
      edgeAlarmName: contract.names.edgeAlarm,
    },
  };
}

/**
 * The module whose `handler` runs in every region: `apps/<app>/src/main.ts`, the entry
 * point the Lambda bundle is built from.
 */
export function handlerModuleOf(config: TopologyConfig, workspaceRoot: string): string {
  const entry = appEntryPath(config.app);
  const path = join(workspaceRoot, entry);
  if (!existsSync(path)) {
    throw new TopologyConfigError(
      `service "${config.service}" runs the app "${config.app}", but ${entry} does not exist; ` +
        'the local topology runs the `handler` exported by that file (set services.<service>.app in the config if the app has another name)',
    );
  }
  return path;
}
