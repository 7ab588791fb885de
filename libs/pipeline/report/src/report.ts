import { type SynthesizedStack, type TerraformJson, readSynthesized, regionOf, resourcesOf } from './read-synth';

/**
 * What AWS documents for each replication mechanism. These are AWS's figures, not
 * settings: the report says which mechanism the synthesized Terraform configures and
 * quotes the matching expectation.
 */
export const AWS_EXPECTATIONS = {
  dynamodbGlobalTable: 'asynchronous, typically under 1 s; concurrent writes: last writer wins; transactions regional',
  s3Replication: 'asynchronous, most objects within minutes, no time guarantee',
  s3ReplicationRtc: 'asynchronous, 99.99 % within 15 min (Replication Time Control SLA)',
  auroraGlobal: 'storage-level replication, typically under 1 s of lag; managed switchover / failover takes minutes; secondaries read-only',
  elasticacheGlobal: 'asynchronous, typically under 1 s of lag; promoting a secondary takes minutes; secondaries read-only',
} as const;

/**
 * Route53 alias records have no TTL of their own: resolvers cache the answer for the
 * target's TTL, which is 60 s for API Gateway regional endpoints.
 */
export const ALIAS_TARGET_TTL_SECONDS = 60;

export interface RegionRouting {
  readonly region: string;
  /** latency | weighted | failover */
  readonly policy: string;
  readonly weight?: number;
  readonly failoverRole?: string;
  readonly healthCheck: HealthCheckFigures;
  /** TTL resolvers keep the answer (alias: the target's). */
  readonly recordTtlSeconds: number;
  readonly recordTtlSource: 'record' | 'alias target';
  /** interval × threshold + TTL: the longest users keep being sent to a dead region. */
  readonly worstCaseFailoverSeconds: number;
  /**
   * After `npm run region -- evacuate`: the health check's forced status counted like a
   * detection (interval × threshold, conservatively) + TTL. Resolvers or clients that
   * cache past the TTL add their own time, which DNS does not bound.
   */
  readonly worstCaseEvacuationSeconds: number;
}

export interface HealthCheckFigures {
  readonly type: string;
  readonly path?: string;
  readonly intervalSeconds: number;
  readonly failureThreshold: number;
  /** interval × threshold. */
  readonly detectionSeconds: number;
  /** Also fails on the Lambda error alarm (calculated check). */
  readonly combinedWithAlarm: boolean;
}

export interface DataStoreFigures {
  readonly kind: string;
  readonly name: string;
  readonly primaryRegion?: string;
  readonly replicaRegions: readonly string[];
  readonly replication: string;
}

export interface ServiceEnvironmentReport {
  readonly service: string;
  readonly environment: string;
  readonly regions: readonly string[];
  readonly primaryRegion?: string;
  readonly routing: readonly RegionRouting[];
  readonly edgeCache?: { readonly mode: string; readonly defaultTtlSeconds: number; readonly maxTtlSeconds: number };
  readonly dataStores: readonly DataStoreFigures[];
}

/** Builds the report of every service and environment from a cdktf output directory. */
export function buildReport(outdir: string): ServiceEnvironmentReport[] {
  const stacks = readSynthesized(outdir);
  const groups = new Map<string, SynthesizedStack[]>();
  for (const stack of stacks) {
    if (!stack.service || !stack.environment) continue;
    const key = `${stack.service}\u0000${stack.environment}`;
    groups.set(key, [...(groups.get(key) ?? []), stack]);
  }
  return [...groups.values()].map(reportOf).sort((a, b) => a.service.localeCompare(b.service) || a.environment.localeCompare(b.environment));
}

function reportOf(stacks: SynthesizedStack[]): ServiceEnvironmentReport {
  const global = stacks.find((s) => s.layer === 'global');
  const regional = stacks.filter((s) => s.layer === 'regional');
  const dataStores = global ? dataStoresOf(global.tf) : [];
  const table = dataStores.find((d) => d.kind === 'DynamoDB global table');
  const primaryRegion = table?.primaryRegion;
  // The table lists the regions in config order: primary, then its replicas.
  const configOrder = table ? [table.primaryRegion, ...table.replicaRegions] : [];
  const rank = (r: string) => (configOrder.includes(r) ? configOrder.indexOf(r) : configOrder.length);
  const routing = regional.flatMap((s) => routingOf(s.tf));
  routing.sort((a, b) => rank(a.region) - rank(b.region) || a.region.localeCompare(b.region));
  for (const store of dataStores) {
    (store.replicaRegions as string[]).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  }
  return {
    service: stacks[0].service,
    environment: stacks[0].environment,
    regions: routing.map((r) => r.region),
    primaryRegion,
    routing,
    edgeCache: global ? edgeCacheOf(global.tf, regional[0]?.tf) : undefined,
    dataStores,
  };
}

function routingOf(tf: TerraformJson): RegionRouting[] {
  const checks = resourcesOf(tf, 'aws_route53_health_check');
  return resourcesOf(tf, 'aws_route53_record')
    // Only the shared regional name's record: a region's records of the edge's secondary
    // name and of the read names serve the edge's failover (docs/traffic.md, "Origin
    // failover"), not the region's routing.
    .filter((r) => r.set_identifier && String(r.name).startsWith('regional.'))
    .map((record) => {
      const region = record.set_identifier as string;
      const https = checks.find((c) => c.type === 'HTTPS');
      const interval = Number(https?.request_interval ?? 30);
      const threshold = Number(https?.failure_threshold ?? 3);
      const ttl = record.alias ? ALIAS_TARGET_TTL_SECONDS : Number(record.ttl);
      const policy = record.latency_routing_policy
        ? 'latency'
        : record.weighted_routing_policy
          ? 'weighted'
          : record.failover_routing_policy
            ? 'failover'
            : 'simple';
      return {
        region,
        policy,
        weight: record.weighted_routing_policy?.weight,
        failoverRole: record.failover_routing_policy?.type,
        healthCheck: {
          type: https?.type ?? 'none',
          path: https?.resource_path,
          intervalSeconds: interval,
          failureThreshold: threshold,
          detectionSeconds: interval * threshold,
          combinedWithAlarm: checks.some((c) => c.type === 'CALCULATED'),
        },
        recordTtlSeconds: ttl,
        recordTtlSource: record.alias ? 'alias target' : 'record',
        worstCaseFailoverSeconds: interval * threshold + ttl,
        worstCaseEvacuationSeconds: interval * threshold + ttl,
      };
    });
}

function edgeCacheOf(global: TerraformJson, regional?: TerraformJson): ServiceEnvironmentReport['edgeCache'] {
  const policy = resourcesOf(global, 'aws_cloudfront_cache_policy')[0];
  if (!policy) return undefined;
  const fnEnv = regional ? resourcesOf(regional, 'aws_lambda_function')[0]?.environment?.variables : undefined;
  return {
    mode: fnEnv?.EDGE_CACHE_MODE ?? 'unknown',
    defaultTtlSeconds: Number(policy.default_ttl),
    maxTtlSeconds: Number(policy.max_ttl),
  };
}

function dataStoresOf(tf: TerraformJson): DataStoreFigures[] {
  const stores: DataStoreFigures[] = [];
  for (const table of resourcesOf(tf, 'aws_dynamodb_table')) {
    const replicas = (table.replica ?? []).map((r: any) => r.region_name as string);
    stores.push({
      kind: 'DynamoDB global table',
      name: table.name,
      primaryRegion: regionOf(tf, table),
      replicaRegions: replicas,
      replication: replicas.length ? AWS_EXPECTATIONS.dynamodbGlobalTable : 'single region: no replication',
    });
  }
  const buckets = resourcesOf(tf, 'aws_s3_bucket');
  for (const config of resourcesOf(tf, 'aws_s3_bucket_replication_configuration')) {
    const rtc = (config.rule ?? []).some((r: any) => r.destination?.replication_time?.status === 'Enabled');
    const byArnRef = (ref: string) => buckets.find((b) => ref.includes(`.${keyOf(tf, 'aws_s3_bucket', b)}.`));
    const source = byArnRef(String(config.bucket));
    stores.push({
      kind: 'S3 cross-region replication',
      name: source?.bucket ?? 'bucket',
      primaryRegion: regionOf(tf, config),
      replicaRegions: (config.rule ?? []).map((r: any) => {
        const dest = byArnRef(String(r.destination?.bucket));
        return (dest && regionOf(tf, dest)) ?? 'unknown';
      }),
      replication: rtc ? AWS_EXPECTATIONS.s3ReplicationRtc : AWS_EXPECTATIONS.s3Replication,
    });
  }
  // Active-passive layers: one primary member (the one created with the writer's
  // settings) and read-only secondaries, each member in its own region.
  const activePassive = (kind: string, name: string, members: any[], isPrimary: (m: any) => boolean, replication: string) => {
    const primary = members.find(isPrimary) ?? members[0];
    stores.push({
      kind,
      name,
      primaryRegion: primary ? regionOf(tf, primary) : undefined,
      replicaRegions: members.filter((m) => m !== primary).map((m) => regionOf(tf, m) ?? 'unknown'),
      replication,
    });
  };
  for (const cluster of resourcesOf(tf, 'aws_rds_global_cluster')) {
    activePassive(
      'Aurora global database',
      cluster.global_cluster_identifier,
      resourcesOf(tf, 'aws_rds_cluster'),
      (m) => m.master_username !== undefined,
      AWS_EXPECTATIONS.auroraGlobal,
    );
  }
  for (const group of resourcesOf(tf, 'aws_elasticache_global_replication_group')) {
    activePassive(
      'ElastiCache global datastore',
      group.global_replication_group_id_suffix,
      resourcesOf(tf, 'aws_elasticache_replication_group'),
      (m) => !m.global_replication_group_id,
      AWS_EXPECTATIONS.elasticacheGlobal,
    );
  }
  return stores;
}

function keyOf(tf: TerraformJson, type: string, resource: unknown): string | undefined {
  return Object.entries(tf.resource?.[type] ?? {}).find(([, r]) => r === resource)?.[0];
}

/** The report as text a person reads. */
export function formatReport(reports: readonly ServiceEnvironmentReport[]): string {
  const out: string[] = [];
  for (const r of reports) {
    out.push(`${r.service} / ${r.environment}`);
    out.push(`  regions: ${r.regions.map((x) => (x === r.primaryRegion ? `${x} (primary)` : x)).join(', ')}`);
    for (const x of r.routing) {
      const how =
        x.policy === 'weighted' ? `weighted ${x.weight}` : x.policy === 'failover' ? `failover ${x.failoverRole}` : x.policy;
      const hc = x.healthCheck;
      out.push(
        `  ${x.region.padEnd(15)} ${how.padEnd(18)} health ${hc.type} ${hc.path ?? ''} every ${hc.intervalSeconds} s x ${hc.failureThreshold} = ${hc.detectionSeconds} s` +
          `${hc.combinedWithAlarm ? ' (+ Lambda error alarm)' : ''}; TTL ${x.recordTtlSeconds} s (${x.recordTtlSource})` +
          ` -> out of DNS within ${x.worstCaseFailoverSeconds} s`,
      );
    }
    if (r.routing.length > 0) {
      const worst = Math.max(...r.routing.map((x) => x.worstCaseEvacuationSeconds));
      out.push(
        `  evacuation (npm run region -- evacuate): clients stop reaching the region within ${worst} s ` +
          '(interval x threshold + TTL), plus whatever a resolver or client caches beyond the TTL',
      );
    }
    if (r.edgeCache) {
      out.push(`  edge cache: ${r.edgeCache.mode}, default TTL ${r.edgeCache.defaultTtlSeconds} s, max ${r.edgeCache.maxTtlSeconds} s`);
    } else {
      out.push('  edge cache: none');
    }
    for (const d of r.dataStores) {
      const where = d.replicaRegions.length ? `${d.primaryRegion} -> ${d.replicaRegions.join(', ')}` : `${d.primaryRegion}`;
      out.push(`  ${d.kind} ${d.name} (${where}): ${d.replication}`);
    }
    out.push('');
  }
  return out.join('\n');
}
