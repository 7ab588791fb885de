// The one place that derives names and contracts from the platform config: stack
// names and state keys, resource names, domains, ARNs, artifact paths, the Lambda
// environment a service's app reads, and the global stack's outputs that its regional
// stacks read (with the defaults a first plan uses). Stacks, the local topology, the
// build script, the Nx plugin and the bootstrap call these; nobody else derives.
import * as path from 'node:path';
import { LAMBDA_ENVIRONMENT } from './lambda-environment';
import type { EnvironmentConfig, PlatformConfig, ServiceConfig } from './schema';

export { LAMBDA_ENVIRONMENT };

/** Layer of a stack: one global stack per service and environment, one regional stack per region. */
export type StackLayer = 'global' | 'regional';

/**
 * Managed policy that bounds every IAM role the stacks create. The bootstrap creates it
 * in each environment account, and the deploy role may create or change a role only
 * with it attached, so a pipeline cannot mint a role more powerful than a workload needs.
 */
export const WORKLOAD_PERMISSIONS_BOUNDARY = 'platform-workload-boundary';

/** CloudFront, its certificate and Route53's API live in us-east-1, whatever the environment's regions. */
export const EDGE_REGION = 'us-east-1';

/**
 * Stand-in for a global output whose value AWS assigns (zone and distribution ids),
 * used by a regional stack's plan before its global stack was ever applied. The
 * pipeline applies global stacks first, so an apply never sees it.
 */
export const NOT_YET_APPLIED = 'NOT-YET-APPLIED';

// ---------------------------------------------------------------------------
// Stacks and state

/** `<service>-<env>-global`. */
export function globalStackName(service: string, environment: string): string {
  return `${service}-${environment}-global`;
}

/** `<service>-<env>-<region>`. */
export function regionalStackName(service: string, environment: string, region: string): string {
  return `${service}-${environment}-${region}`;
}

/** The folder of every platform stack's state in the bucket (`keyPrefix` without trailing slashes). */
export function stateKeyPrefix(keyPrefix: string): string {
  return keyPrefix.replace(/\/+$/, '');
}

/** Key of a platform stack's state object: `<keyPrefix>/<stack>.tfstate`. */
export function stateKey(keyPrefix: string, stackName: string): string {
  return `${stateKeyPrefix(keyPrefix)}/${stackName}.tfstate`;
}

/** Key of a bootstrap stack's state once it moves into the state bucket. */
export function bootstrapStateKey(stackName: string): string {
  return `bootstrap/${stackName}.tfstate`;
}

/** Where one stack keeps its state (the S3 backend, or a remote-state read of it). */
export interface StackStateBackend {
  readonly bucket: string;
  readonly region: string;
  readonly key: string;
  /** Role in the state account, when the config names one. */
  readonly roleArn?: string;
}

/**
 * The SNS topic alarm actions of an environment publish to, one per region (topics are
 * regional): the composite "region unhealthy" alarms and the edge alarms notify it.
 */
export function alarmTopicName(environment: string): string {
  return `platform-alarms-${environment}`;
}

/**
 * Tags an evacuation writes on a region's routing health check (who, when, why), so
 * the check itself says why it is forced unhealthy; `restore` removes them.
 */
export const EVACUATION_TAGS = {
  by: 'platform:evacuated-by',
  at: 'platform:evacuated-at',
  reason: 'platform:evacuated-reason',
} as const;

/**
 * Where the pipeline records, per environment, the last commit each stack was
 * deployed from successfully (what a failed rollout rolls back to), relative to the
 * workspace root.
 */
export function deploymentRecordPath(environment: string): string {
  return path.join('dist', 'rollout', environment, 'deployed.json');
}

/** The S3 backend of the platform stack `stackName`. */
export function stackStateBackend(config: PlatformConfig, stackName: string): StackStateBackend {
  const sb = config.stateBackend;
  return {
    bucket: sb.bucket,
    region: sb.region,
    key: stateKey(sb.keyPrefix, stackName),
    ...(sb.roleName ? { roleArn: roleArn(sb.accountId, sb.roleName) } : {}),
  };
}

// ---------------------------------------------------------------------------
// Apps and artifacts

/** The Nx project in apps/ a service deploys: the configured one, or `<service>-api`. */
export function appName(service: string, svc: Pick<ServiceConfig, 'app'>): string {
  return svc.app ?? `${service}-api`;
}

/** Folder of an app's build output, relative to the workspace root. */
export function artifactDir(app: string): string {
  return path.join('dist', 'apps', app);
}

/** The Lambda deployment package of an app, relative to the workspace root. */
export function lambdaArtifactPath(app: string): string {
  return path.join(artifactDir(app), 'lambda.zip');
}

/** The module a Lambda bundle (and the local topology) is built from, relative to the workspace root. */
export function appEntryPath(app: string): string {
  return path.join('apps', app, 'src', 'main.ts');
}

// ---------------------------------------------------------------------------
// IAM

/** `arn:aws:iam::<account>:role/<name>`. */
export function roleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/** `arn:aws:iam::<account>:policy/<name>`. */
export function policyArn(accountId: string, policyName: string): string {
  return `arn:aws:iam::${accountId}:policy/${policyName}`;
}

/** The boundary every IAM role of a stack in `accountId` carries (created by the bootstrap). */
export function permissionsBoundaryArn(accountId: string): string {
  return policyArn(accountId, WORKLOAD_PERMISSIONS_BOUNDARY);
}

/** The role the environment's stacks assume in its account. */
export function deployRoleArn(env: Pick<EnvironmentConfig, 'accountId' | 'deployRoleName'>): string {
  return roleArn(env.accountId, env.deployRoleName);
}

/** The account and role that own an environment's DNS, when that is another account. */
export function dnsAccess(env: EnvironmentConfig): { readonly accountId: string; readonly roleArn: string } | undefined {
  if (!env.dns.accountId || env.dns.accountId === env.accountId) return undefined;
  return { accountId: env.dns.accountId, roleArn: roleArn(env.dns.accountId, env.dns.roleName ?? env.deployRoleName) };
}

// ---------------------------------------------------------------------------
// Resource names

/** Name of the S3 bucket of a service in one region; bucket names are global to AWS. */
export function bucketName(organization: string, service: string, environment: string, region: string): string {
  return `${organization}-${service}-${environment}-${region}`;
}

/** Names of the AWS resources of one service in one environment. */
export interface ServiceResourceNames {
  /** The global table (every replica has this name). */
  readonly table: string;
  /** The regional Lambda function and HTTP API. */
  readonly function: string;
  /** The function's IAM role; IAM is global to the account, so the name carries the region. */
  apiRole(region: string): string;
  readonly replicationRole: string;
  readonly cachePolicy: string;
  readonly edgeLogBucket: string;
  healthCheck(region: string): string;
  /**
   * The `Name` tag of the Route53 health check the region's DNS record uses: the
   * calculated check when the Lambda error alarm is combined, else the HTTPS check.
   * What `npm run region -- evacuate` looks the check up by.
   */
  routingHealthCheckTag(region: string, combinedWithAlarm: boolean): string;
  bucket(region: string): string;
  /** Global cluster / global datastore identifier; member ids add the region. */
  readonly dataIdentifier: string;
  /** Database user the Lambda connects as with IAM authentication. */
  readonly databaseUser: string;
  /** ElastiCache user the Lambda connects as. */
  readonly cacheUser: string;
  /**
   * The composite CloudWatch alarm "region unhealthy for this service" in `region`: what
   * an on-call page and a rollout gate read.
   */
  regionUnhealthyAlarm(region: string): string;
  /** The service's CloudWatch dashboard (one per service and environment). */
  readonly dashboard: string;
}

/** DNS names of one service in one environment. */
export interface ServiceDomains {
  /** `<service>.<environment domain>`. */
  readonly service: string;
  /** Zone holding the service's records: its own zone when created, else the environment's. */
  readonly zone: string;
  /** CloudFront's viewer name, `api.<service domain>`. */
  readonly api: string;
  /** The name every region serves, `regional.<service domain>`; latency/weighted/failover records pick one. */
  readonly regional: string;
}

function resourceNames(config: PlatformConfig, service: string, environment: string): ServiceResourceNames {
  const base = `${service}-${environment}`;
  return {
    table: base,
    function: base,
    apiRole: (region) => `${base}-${region}-api`,
    replicationRole: `${base}-s3-replication`,
    cachePolicy: `${base}-edge`,
    edgeLogBucket: `${config.organization}-${base}-edge-logs`,
    healthCheck: (region) => `${base}-${region}`,
    routingHealthCheckTag: (region, combined) => `${base}-${region}-${combined ? 'calculated' : 'https'}`,
    bucket: (region) => bucketName(config.organization, service, environment, region),
    dataIdentifier: base,
    databaseUser: service.replace(/-/g, '_'),
    cacheUser: `${base}-app`,
    regionUnhealthyAlarm: (region) => `${base}-${region}-region-unhealthy`,
    dashboard: base,
  };
}

function domains(env: EnvironmentConfig, service: string): ServiceDomains {
  const serviceDomain = `${service}.${env.domain}`;
  return {
    service: serviceDomain,
    zone: env.dns.zone === 'create' ? serviceDomain : env.domain,
    api: `api.${serviceDomain}`,
    regional: `regional.${serviceDomain}`,
  };
}

// ---------------------------------------------------------------------------
// Global outputs read by the regional stacks

const underscored = (region: string) => region.replace(/-/g, '_');

/** Terraform output names shared by the global stack (writer) and the regional stacks (readers). */
export const GLOBAL_OUTPUTS = {
  tableName: 'table_name',
  tableArn: 'table_arn',
  tableStreamArn: 'table_stream_arn',
  bucketName: (region: string) => `bucket_name_${underscored(region)}`,
  zoneId: 'zone_id',
  distributionId: 'distribution_id',
  distributionArn: 'distribution_arn',
  lambdaSecurityGroupId: (region: string) => `lambda_security_group_id_${underscored(region)}`,
  auroraWriterEndpoint: 'aurora_writer_endpoint',
  auroraReaderEndpoint: (region: string) => `aurora_reader_endpoint_${underscored(region)}`,
  auroraClusterResourceId: (region: string) => `aurora_cluster_resource_id_${underscored(region)}`,
  /** A region's cluster endpoint: the writer in the primary, a forwarding reader elsewhere. */
  auroraClusterEndpoint: (region: string) => `aurora_cluster_endpoint_${underscored(region)}`,
  auroraSecretArn: 'aurora_secret_arn',
  cacheWriterEndpoint: 'cache_writer_endpoint',
  cacheReaderEndpoint: (region: string) => `cache_reader_endpoint_${underscored(region)}`,
} as const;

/** Whether the handler invalidates CloudFront paths on writes. */
function invalidates(svc: ServiceConfig): boolean {
  return svc.edgeCache.enabled && svc.edgeCache.mode === 'invalidate';
}

/**
 * The global outputs a regional stack in `region` reads, each with the value its plan
 * uses while the global stack has never been applied (terraform-cdk #3514). Values
 * the config determines (names) default to themselves; values AWS assigns default to
 * {@link NOT_YET_APPLIED}, in an ARN of the right shape where a policy needs one.
 */
function regionalInputs(
  config: PlatformConfig,
  env: EnvironmentConfig,
  svc: ServiceConfig,
  names: ServiceResourceNames,
  region: string,
): Readonly<Record<string, string>> {
  const O = GLOBAL_OUTPUTS;
  return {
    [O.tableName]: names.table,
    [O.bucketName(region)]: names.bucket(region),
    [O.zoneId]: NOT_YET_APPLIED,
    ...(invalidates(svc)
      ? {
          [O.distributionId]: NOT_YET_APPLIED,
          [O.distributionArn]: `arn:aws:cloudfront::${env.accountId}:distribution/${NOT_YET_APPLIED}`,
        }
      : {}),
    ...(svc.aurora || svc.cache ? { [O.lambdaSecurityGroupId(region)]: NOT_YET_APPLIED } : {}),
    ...(svc.aurora
      ? {
          [O.auroraWriterEndpoint]: NOT_YET_APPLIED,
          [O.auroraReaderEndpoint(region)]: NOT_YET_APPLIED,
          [O.auroraClusterResourceId(region)]: NOT_YET_APPLIED,
          ...(svc.aurora.writeRouting === 'write-forwarding' ? { [O.auroraClusterEndpoint(region)]: NOT_YET_APPLIED } : {}),
          // Writes may go to any region's cluster after a switchover: the writer-endpoint
          // mode connects (with IAM) to whichever cluster is the writer.
          ...(svc.aurora.writeRouting === 'writer-endpoint'
            ? Object.fromEntries(env.regions.filter((r) => r !== region).map((r) => [O.auroraClusterResourceId(r), NOT_YET_APPLIED]))
            : {}),
          [O.auroraSecretArn]: `arn:aws:secretsmanager:${env.regions[0]}:${env.accountId}:secret:${NOT_YET_APPLIED}`,
        }
      : {}),
    ...(svc.cache
      ? {
          [O.cacheWriterEndpoint]: NOT_YET_APPLIED,
          [O.cacheReaderEndpoint(region)]: NOT_YET_APPLIED,
        }
      : {}),
  };
}

// ---------------------------------------------------------------------------
// The Lambda environment


/** The port of a service's Aurora engine. */
export function databasePort(engine: string): number {
  return engine === 'aurora-mysql' ? 3306 : 5432;
}

/** Reads one global output in a regional stack (a token there, a value locally). */
export type GlobalOutputReader = (output: string) => string;

function lambdaEnvironment(
  service: string,
  svc: ServiceConfig,
  names: ServiceResourceNames,
  region: string,
  read: GlobalOutputReader,
): Record<string, string> {
  const E = LAMBDA_ENVIRONMENT;
  const O = GLOBAL_OUTPUTS;
  return {
    [E.tableName]: read(O.tableName),
    [E.serviceName]: service,
    [E.edgeCacheMode]: svc.edgeCache.enabled ? svc.edgeCache.mode : 'off',
    [E.edgeCacheTtlSeconds]: String(svc.edgeCache.ttlSeconds),
    ...(invalidates(svc) ? { [E.distributionId]: read(O.distributionId) } : {}),
    ...(svc.aurora
      ? {
          [E.dbEngine]: svc.aurora.engine,
          [E.dbName]: svc.aurora.databaseName,
          [E.dbPort]: String(databasePort(svc.aurora.engine)),
          [E.dbWriterEndpoint]: read(O.auroraWriterEndpoint),
          [E.dbReaderEndpoint]: read(O.auroraReaderEndpoint(region)),
          [E.dbSecretArn]: read(O.auroraSecretArn),
          [E.dbIamUser]: names.databaseUser,
          [E.dbWriteRouting]: svc.aurora.writeRouting,
          ...(svc.aurora.writeRouting === 'write-forwarding' ? { [E.dbClusterEndpoint]: read(O.auroraClusterEndpoint(region)) } : {}),
          // Lambda's Node.js runtimes load the RDS certificate authorities only when told to (TLS to Aurora).
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        }
      : {}),
    ...(svc.cache
      ? {
          [E.cacheWriterEndpoint]: read(O.cacheWriterEndpoint),
          [E.cacheReaderEndpoint]: read(O.cacheReaderEndpoint(region)),
          [E.cacheUser]: names.cacheUser,
          [E.cacheTtlSeconds]: String(svc.cache.ttlSeconds),
        }
      : {}),
    [E.powertoolsServiceName]: service,
    [E.powertoolsLogLevel]: 'INFO',
  };
}

// ---------------------------------------------------------------------------
// One service in one environment

/** Everything derived for one service in one environment. */
export interface ServiceContract {
  readonly service: string;
  readonly environment: string;
  readonly accountId: string;
  /** Regions, primary first. */
  readonly regions: readonly string[];
  readonly primaryRegion: string;
  /** The app the regional stacks deploy, and its artifact (relative to the workspace root). */
  readonly app: string;
  readonly artifactPath: string;
  readonly globalStack: string;
  regionalStack(region: string): string;
  readonly names: ServiceResourceNames;
  readonly domains: ServiceDomains;
  readonly deployRoleArn: string;
  readonly permissionsBoundaryArn: string;
  /** The DNS account's provider settings, when the zone lives in another account. */
  readonly dnsAccess?: { readonly accountId: string; readonly roleArn: string };
  /** Backend of one of this service's stacks. */
  stateBackend(stackName: string): StackStateBackend;
  /** Tags every resource of the stack carries. */
  defaultTags(stackName: string, layer: StackLayer): Record<string, string>;
  /** Global outputs a regional stack in `region` reads, with the defaults of a first plan. */
  regionalInputs(region: string): Readonly<Record<string, string>>;
  /** The Lambda environment of the API in `region`, global outputs read through `read`. */
  lambdaEnvironment(region: string, read: GlobalOutputReader): Record<string, string>;
}

/**
 * Derives the contract of `service` in `environment` from a valid config. Throws when
 * the config has no such service or environment (a caller's bug: specs come from the config).
 */
export function serviceContract(config: PlatformConfig, service: string, environment: string): ServiceContract {
  const svc = config.services[service];
  const env = config.environments[environment];
  if (!svc || !env) throw new Error(`no service "${service}" in environment "${environment}" in the platform config`);
  const names = resourceNames(config, service, environment);
  const app = appName(service, svc);
  return {
    service,
    environment,
    accountId: env.accountId,
    regions: env.regions,
    primaryRegion: env.regions[0],
    app,
    artifactPath: lambdaArtifactPath(app),
    globalStack: globalStackName(service, environment),
    regionalStack: (region) => regionalStackName(service, environment, region),
    names,
    domains: domains(env, service),
    deployRoleArn: deployRoleArn(env),
    permissionsBoundaryArn: permissionsBoundaryArn(env.accountId),
    dnsAccess: dnsAccess(env),
    stateBackend: (stackName) => stackStateBackend(config, stackName),
    defaultTags: (stackName, layer) => ({
      service,
      environment,
      layer,
      'managed-by': 'cdktf-platform',
      stack: stackName,
    }),
    regionalInputs: (region) => regionalInputs(config, env, svc, names, region),
    lambdaEnvironment: (region, read) => lambdaEnvironment(service, svc, names, region, read),
  };
}
