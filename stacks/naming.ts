import { type Platform, type StackSpec, WORKLOAD_PERMISSIONS_BOUNDARY } from '@platform/config';

/** Names of the AWS resources of one service in one environment, derived in one place. */
export function resourceNames(platform: Platform, spec: StackSpec) {
  const base = `${spec.service}-${spec.environment}`;
  const env = platform.config.environments[spec.environment];
  // Each service gets its own DNS names under the environment's domain.
  const serviceDomain = `${spec.service}.${env.domain}`;
  return {
    tableName: base,
    functionName: base,
    apiRoleName: (region: string) => `${base}-${region}-api`,
    replicationRoleName: `${base}-s3-replication`,
    cachePolicyName: `${base}-edge`,
    edgeLogBucket: `${platform.config.organization}-${base}-edge-logs`,
    healthCheckName: (region: string) => `${base}-${region}`,
    /** Global cluster / global datastore identifier; member ids add the region. */
    dataIdentifier: base,
    /** Database user the Lambda connects as with IAM authentication, and cache user. */
    databaseUser: spec.service.replace(/-/g, '_'),
    cacheUser: `${base}-app`,
    serviceDomain,
    /** Zone holding the service's records: its own zone when created, else the environment's. */
    zoneDomain: env.dns.zone === 'create' ? serviceDomain : env.domain,
    /** CloudFront's viewer name. */
    apiDomain: `api.${serviceDomain}`,
    /** The name every region serves; latency/weighted/failover records pick one. */
    regionalDomain: `regional.${serviceDomain}`,
  };
}

/** The DNS account settings of a stack, when the environment's zone lives in another account. */
export function dnsAccessFor(platform: Platform, spec: StackSpec) {
  const env = platform.config.environments[spec.environment];
  if (!env.dns.accountId || env.dns.accountId === env.accountId) return undefined;
  return { accountId: env.dns.accountId, roleArn: roleArn(env.dns.accountId, env.dns.roleName ?? env.deployRoleName) };
}

/** The boundary every IAM role of a stack in `accountId` carries (created by the bootstrap). */
export function permissionsBoundaryArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:policy/${WORKLOAD_PERMISSIONS_BOUNDARY}`;
}

/** `arn:aws:iam::<account>:role/<name>`. */
export function roleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/** The S3 backend settings of a stack. */
export function stateBackendFor(platform: Platform, spec: StackSpec) {
  const sb = platform.config.stateBackend;
  return {
    bucket: sb.bucket,
    region: sb.region,
    key: spec.stateKey,
    ...(sb.roleName ? { roleArn: roleArn(sb.accountId, sb.roleName) } : {}),
  };
}

/** Tags every resource of the stack carries. */
export function defaultTags(spec: StackSpec): Record<string, string> {
  return {
    service: spec.service,
    environment: spec.environment,
    layer: spec.layer,
    'managed-by': 'cdktf-platform',
    stack: spec.name,
  };
}

/** Terraform output names shared by the global stack (writer) and the regional stacks (readers). */
export const GLOBAL_OUTPUTS = {
  tableName: 'table_name',
  tableArn: 'table_arn',
  tableStreamArn: 'table_stream_arn',
  bucketName: (region: string) => `bucket_name_${region.replace(/-/g, '_')}`,
  zoneId: 'zone_id',
  distributionId: 'distribution_id',
  distributionArn: 'distribution_arn',
  lambdaSecurityGroupId: (region: string) => `lambda_security_group_id_${region.replace(/-/g, '_')}`,
  auroraWriterEndpoint: 'aurora_writer_endpoint',
  auroraReaderEndpoint: (region: string) => `aurora_reader_endpoint_${region.replace(/-/g, '_')}`,
  auroraClusterResourceId: (region: string) => `aurora_cluster_resource_id_${region.replace(/-/g, '_')}`,
  auroraSecretArn: 'aurora_secret_arn',
  cacheWriterEndpoint: 'cache_writer_endpoint',
  cacheReaderEndpoint: (region: string) => `cache_reader_endpoint_${region.replace(/-/g, '_')}`,
} as const;

/**
 * Stand-in for a global output whose value AWS assigns (zone and distribution ids),
 * used by a regional stack's plan before its global stack was ever applied. The
 * pipeline applies global stacks first, so an apply never sees it.
 */
export const NOT_YET_APPLIED = 'NOT-YET-APPLIED';
