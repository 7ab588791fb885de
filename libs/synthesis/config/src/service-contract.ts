// The one place that derives names and contracts from the platform config: stack
// names and state keys, resource names, domains, ARNs, artifact paths, the Lambda
// environment a service's app reads, and the global stack's outputs that its regional
// stacks read (with the defaults a first plan uses). Stacks, the local topology, the
// build script, the Nx plugin and the bootstrap call these; nobody else derives.
import * as path from 'node:path';
import { bucketArn, formatArn, policyArn, roleArn } from './arn';
import { LAMBDA_ENVIRONMENT, ORIGIN_SECRET_HEADER } from './lambda-environment';
import type { EnvironmentConfig, PlatformConfig, ServiceConfig } from './schema';

export { LAMBDA_ENVIRONMENT, ORIGIN_SECRET_HEADER };

/** Layer of a stack: one global stack per service and environment, one regional stack per region. */
export type StackLayer = 'global' | 'regional';

/**
 * Managed policy that bounds every IAM role the stacks create. The bootstrap creates it
 * in each environment account, and the deploy role may create or change a role only
 * with it attached, so a pipeline cannot mint a role more powerful than a workload needs.
 */
export const WORKLOAD_PERMISSIONS_BOUNDARY = 'platform-workload-boundary';

/**
 * IAM path of every role and managed policy the platform stacks create. The deploy
 * role may create, change and pass roles only under this path (and only with the
 * boundary), so it can never touch a role it did not make, such as an account's admin role.
 */
export const WORKLOAD_IAM_PATH = '/platform-workload/';

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

/**
 * The folder of one environment's state, `<keyPrefix>/<env>`: each environment's
 * pipeline roles (and the bucket policy) reach only their own environment's folder.
 */
export function environmentStatePrefix(keyPrefix: string, environment: string): string {
  return `${stateKeyPrefix(keyPrefix)}/${environment}`;
}

/** Key of a platform stack's state object: `<keyPrefix>/<env>/<stack>.tfstate`. */
export function stateKey(keyPrefix: string, environment: string, stackName: string): string {
  return `${environmentStatePrefix(keyPrefix, environment)}/${stackName}.tfstate`;
}

/**
 * The role in the state account that one environment's stacks assume for state, when
 * the config names `stateBackend.roleName`: one per environment (`<roleName>-<env>`),
 * each reaching only its environment's folder.
 */
export function stateRoleName(roleName: string, environment: string): string {
  return `${roleName}-${environment}`;
}

/**
 * Alias of the AWS provider a stack reads the state bucket with (whether its global
 * stack's state object exists yet). It has the backend's credentials, so a plan run
 * must not point it at the plan role.
 */
export const STATE_PROVIDER_ALIAS = 'state';

/** The bucket receiving the state bucket's S3 server access logs (same account and region). */
export function stateAccessLogBucketName(stateBucket: string): string {
  return `${stateBucket}-access-logs`;
}

/** ARN of the state bucket, or of the keys matching `keyPattern` in it (policies of the state bucket and of the roles that reach it). */
export function stateBucketArn(stateBucket: string, keyPattern?: string): string {
  return bucketArn(stateBucket, keyPattern);
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

/** ARN of the alarm topic of `environment` in `region` (the bootstrap creates it in the environment's account). */
export function alarmTopicArn(accountId: string, region: string, environment: string): string {
  return formatArn({ service: 'sns', region, account: accountId, resource: alarmTopicName(environment) });
}

/** ARN of the CloudWatch alarm `alarmName` in `region` (dashboards and rollout gates name alarms by ARN). */
export function alarmArn(accountId: string, region: string, alarmName: string): string {
  return formatArn({ service: 'cloudwatch', region, account: accountId, resource: `alarm:${alarmName}` });
}

/** Name of the CloudWatch Observability Access Manager sink of the central monitoring account (one per region). */
export const MONITORING_SINK_NAME = 'platform-monitoring';

/** Name of the CloudWatch Logs destination of the central monitoring account (one per region) that services' logs are copied to. */
export const LOG_DESTINATION_NAME = 'platform-logs';

/** ARN of the central account's log destination in `region` (its bootstrap creates it; subscription filters in the same region name it). */
export function logDestinationArn(monitoringAccountId: string, region: string): string {
  return formatArn({ service: 'logs', region, account: monitoringAccountId, resource: `destination:${LOG_DESTINATION_NAME}` });
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

/** The S3 backend of the platform stack `stackName` of `environment`. */
export function stackStateBackend(config: PlatformConfig, environment: string, stackName: string): StackStateBackend {
  const sb = config.stateBackend;
  return {
    bucket: sb.bucket,
    region: sb.region,
    key: stateKey(sb.keyPrefix, environment, stackName),
    ...(sb.roleName ? { roleArn: roleArn(sb.accountId, stateRoleName(sb.roleName, environment)) } : {}),
  };
}

// ---------------------------------------------------------------------------
// Lambda concurrency

/**
 * Concurrent executions Lambda keeps unreserved in every account and region: reservations
 * may take the rest of the quota only.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 */
export const LAMBDA_UNRESERVED_MINIMUM = 100;

/**
 * Lambda's default "Concurrent executions" quota per account and region (a new account's
 * can be lower until AWS raises it with use).
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const LAMBDA_DEFAULT_CONCURRENCY_QUOTA = 1000;

/**
 * The tag of a function that reserves no concurrency because the config asks for none
 * (`lambda.reservedConcurrency` unset for its environment): it shares the account's
 * unreserved pool. The policy rule CKV_AWS_115 takes it as the decision in place of a
 * reservation (docs/security.md).
 */
export const UNRESERVED_CONCURRENCY_TAG = { key: 'platform:reserved-concurrency', value: 'none' } as const;

/** The concurrency a service reserves for its function in each region of `environment`; undefined: none. */
export function reservedConcurrency(svc: Pick<ServiceConfig, 'lambda'>, environment: string): number | undefined {
  const r = svc.lambda.reservedConcurrency;
  return typeof r === 'number' ? r : r?.[environment];
}

/** The Lambda concurrency quota of `region` as the environment's config states it (or Lambda's default). */
export function lambdaConcurrencyQuota(env: Pick<EnvironmentConfig, 'lambdaConcurrencyQuota'>, region: string): number {
  const q = env.lambdaConcurrencyQuota;
  return typeof q === 'number' ? q : (q?.[region] ?? LAMBDA_DEFAULT_CONCURRENCY_QUOTA);
}

/** What the services of an environment reserve in one of its regions. */
export interface RegionReservations {
  readonly region: string;
  /** The quota the config states for the region. */
  readonly quota: number;
  /** Sum of the reservations. */
  readonly total: number;
  /** Each service that reserves, with its reservation. */
  readonly services: readonly { readonly service: string; readonly reserved: number }[];
}

/** Per region of `environment` (primary first), the concurrency its services reserve. */
export function environmentReservations(config: PlatformConfig, environment: string): RegionReservations[] {
  const env = config.environments[environment];
  const services = Object.entries(config.services)
    .filter(([, svc]) => !svc.environments || svc.environments.includes(environment))
    .flatMap(([service, svc]) => {
      const reserved = reservedConcurrency(svc, environment);
      return reserved === undefined ? [] : [{ service, reserved }];
    });
  const total = services.reduce((sum, s) => sum + s.reserved, 0);
  return env.regions.map((region) => ({ region, quota: lambdaConcurrencyQuota(env, region), total, services }));
}

// ---------------------------------------------------------------------------
// Apps and artifacts

/**
 * The Lambda runtime every function of the platform runs, decided here only
 * (lambda-esbuild-options.json beside this file bundles for the same Node, `node24`).
 * nodejs24.x takes async handlers only: "Lambda supports callback-based function
 * handlers for Node.js 22 and earlier runtimes only"
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html), so every app's
 * `handler` is an `async function` (stacks/lambda-runtime.test.ts). Supported until
 * 2028-04-30 (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html).
 */
export const LAMBDA_RUNTIME = 'nodejs24.x';

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

/** Where a service's own hosted zone is delegated from (`dns.zone: "create"`). */
export interface DnsDelegation {
  /** The parent zone: the environment's domain, looked up by name. */
  readonly parentZone: string;
  /** The NS record in the parent: the service zone's name. */
  readonly recordName: string;
  /** The account owning the parent zone. */
  readonly accountId: string;
  /** The role to assume there, when the parent is in neither the environment's nor its DNS account. */
  readonly roleArn?: string;
}

/** An account holding DNS of an environment, and the role its stacks assume there. */
export interface DnsAccountAccess {
  readonly accountId: string;
  readonly roleName: string;
}

/** Where the service zones (or, with `zone: "existing"`, the environment's zone) live. */
export function zoneAccess(env: EnvironmentConfig): DnsAccountAccess {
  return { accountId: env.dns.accountId ?? env.accountId, roleName: env.dns.roleName ?? env.deployRoleName };
}

/**
 * Where the zone of the environment's domain lives: the parent of the service zones
 * (`dns.parent`, by default in the zones' account), or the existing zone itself.
 */
export function domainZoneAccess(env: EnvironmentConfig): DnsAccountAccess {
  const zones = zoneAccess(env);
  const parent = env.dns.zone === 'create' ? env.dns.parent : undefined;
  if (!parent?.accountId || parent.accountId === zones.accountId) return zones;
  return { accountId: parent.accountId, roleName: parent.accountId === env.accountId ? env.deployRoleName : (parent.roleName ?? zones.roleName) };
}

/**
 * How the zone of `service` is delegated in `env`; undefined when the environment uses an
 * existing zone or delegates by hand (`dns.parent.delegate: false`).
 */
export function dnsDelegation(env: EnvironmentConfig, service: string): DnsDelegation | undefined {
  if (env.dns.zone !== 'create' || env.dns.parent?.delegate === false) return undefined;
  const parent = domainZoneAccess(env);
  const ownProvider = parent.accountId === env.accountId || parent.accountId === zoneAccess(env).accountId;
  return {
    parentZone: env.domain,
    recordName: domains(env, service).service,
    accountId: parent.accountId,
    ...(ownProvider ? {} : { roleArn: roleArn(parent.accountId, parent.roleName) }),
  };
}

// ---------------------------------------------------------------------------
// Resource names

/** Name of the S3 bucket of a service in one region; bucket names are global to AWS. */
export function bucketName(organization: string, service: string, environment: string, region: string): string {
  return `${organization}-${service}-${environment}-${region}`;
}

/** Id of the ElastiCache replication group of a service's global datastore `dataIdentifier` in `region`. */
export function cacheReplicationGroupId(dataIdentifier: string, region: string): string {
  return `${dataIdentifier}-${region}`;
}

/** Identifier of the Aurora cluster of a service's global database `dataIdentifier` in `region` (what its CloudWatch metrics name). */
export function auroraClusterIdentifier(dataIdentifier: string, region: string): string {
  return `${dataIdentifier}-${region}`;
}

/** The bucket of a region receiving the S3 server access logs of `bucket` (same account and region). */
export function accessLogBucketName(bucket: string): string {
  return `${bucket}-logs`;
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
  /** The ElastiCache replication group of `region` (`<dataIdentifier>-<region>`), what an IAM cache token is signed for. */
  cacheReplicationGroup(region: string): string;
  /**
   * The composite CloudWatch alarm "region unhealthy for this service" in `region`: what
   * an on-call page and a rollout gate read.
   */
  regionUnhealthyAlarm(region: string): string;
  /** The service's CloudWatch dashboard (one per service and environment). */
  readonly dashboard: string;
  /** Secrets Manager secret holding the origin secret header's values. */
  readonly originSecret: string;
  /** The WAF web ACL of the service's distribution (scope CLOUDFRONT). */
  readonly webAcl: string;
  /** CloudFront response headers policy (HSTS, nosniff, frame options). */
  readonly responseHeadersPolicy: string;
  /** The viewer-request CloudFront Function that gives reads their origin group (docs/traffic.md, "Origin failover"). */
  readonly readFailoverFunction: string;
  /** The HTTP API's JWT authorizer. */
  readonly authorizer: string;
  /** Cognito user pool and its app client, when the service uses `auth.cognito`. */
  readonly userPool: string;
  readonly userPoolClient: string;
  /** Prefix of the pool's hosted domain (`<prefix>.auth.<region>.amazoncognito.com`, its token endpoint); unique per region across AWS. */
  readonly userPoolDomain: string;
  /** One of the alarms the region's composite alarm is built from, e.g. `api-5xx`. */
  regionAlarm(region: string, metric: string): string;
  /** An edge alarm in us-east-1 (CloudFront, or a region's health check), e.g. `edge-5xx`. */
  edgeAlarm(metric: string): string;
  /** The region's bucket receiving the S3 server access logs of the service's buckets there. */
  accessLogBucket(region: string): string;
  /** Alias of the service's data key in each region (DynamoDB replicas). */
  readonly dataKeyAlias: string;
  /** Alias of the key encrypting the service's log groups in each region. */
  readonly logKeyAlias: string;
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
  /**
   * `<region>.regional.<service domain>`: the same API under a name only that region
   * serves, which its Route53 health check calls (the execute-api endpoint is off).
   */
  regionalIn(region: string): string;
  /**
   * `secondary.regional.<service domain>`: the edge's secondary origin. Latency-routed
   * like `regional`, but the record of each region's latency answers with the next
   * region of the ring (`secondaryOf`), so it is never the edge's primary region.
   */
  readonly secondary: string;
  /**
   * `<region>.reads.<service domain>`: a region's read name, the edge's origins for
   * weighted and failover routing (`readFailoverOf`): answered by that region while its
   * routing health check passes, else by the next region of the ring.
   */
  readsIn(region: string): string;
}

/**
 * The names of every service of `environment` at once, as IAM wildcard patterns: each
 * name of {@link ServiceResourceNames} with `*` for the service (and for the region
 * where a name takes one). What a role of the environment's account is granted on, so
 * adding a service or a region needs no change to the roles the bootstrap made.
 */
export function environmentNamePatterns(config: PlatformConfig, environment: string): ServiceResourceNames {
  return resourceNames(config, '*', environment);
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
    cacheReplicationGroup: (region) => cacheReplicationGroupId(base, region),
    regionUnhealthyAlarm: (region) => `${base}-${region}-region-unhealthy`,
    dashboard: base,
    originSecret: `platform/${base}/origin-secret`,
    webAcl: `${base}-edge`,
    responseHeadersPolicy: `${base}-security-headers`,
    readFailoverFunction: `${base}-read-failover`,
    authorizer: `${base}-jwt`,
    userPool: base,
    userPoolClient: `${base}-api`,
    userPoolDomain: `${config.organization}-${base}`,
    regionAlarm: (region, metric) => `${base}-${region}-${metric}`,
    edgeAlarm: (metric) => `${base}-${metric}`,
    accessLogBucket: (region) => accessLogBucketName(bucketName(config.organization, service, environment, region)),
    dataKeyAlias: `alias/${base}-data`,
    logKeyAlias: `alias/${base}-logs`,
  };
}

function domains(env: EnvironmentConfig, service: string): ServiceDomains {
  const serviceDomain = `${service}.${env.domain}`;
  return {
    service: serviceDomain,
    zone: env.dns.zone === 'create' ? serviceDomain : env.domain,
    api: `api.${serviceDomain}`,
    regional: `regional.${serviceDomain}`,
    regionalIn: (region) => `${region}.regional.${serviceDomain}`,
    secondary: `secondary.regional.${serviceDomain}`,
    readsIn: (region) => `${region}.reads.${serviceDomain}`,
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
  cacheWriterEndpoint: 'cache_writer_endpoint',
  cacheReaderEndpoint: (region: string) => `cache_reader_endpoint_${underscored(region)}`,
  userPoolId: 'user_pool_id',
  userPoolClientId: 'user_pool_client_id',
  originSecretAccepted: 'origin_secret_accepted',
} as const;

/** Whether the service's issuer is a Cognito user pool the platform creates. */
export function usesCognito(svc: Pick<ServiceConfig, 'auth'>): boolean {
  return svc.auth.required && (svc.auth.cognito !== undefined || svc.auth.issuer === undefined);
}

/** Whether CloudFront sends the origin secret and the regions insist on it. */
export function usesOriginSecret(svc: Pick<ServiceConfig, 'edgeCache'>): boolean {
  return svc.edgeCache.enabled;
}

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
    ...(svc.table.enabled ? { [O.tableName]: names.table } : {}),
    [O.bucketName(region)]: names.bucket(region),
    [O.zoneId]: NOT_YET_APPLIED,
    ...(invalidates(svc)
      ? {
          [O.distributionId]: NOT_YET_APPLIED,
          [O.distributionArn]: formatArn({ service: 'cloudfront', account: env.accountId, resource: `distribution/${NOT_YET_APPLIED}` }),
        }
      : {}),
    ...(usesCognito(svc) ? { [O.userPoolId]: NOT_YET_APPLIED, [O.userPoolClientId]: NOT_YET_APPLIED } : {}),
    ...(usesOriginSecret(svc) ? { [O.originSecretAccepted]: NOT_YET_APPLIED } : {}),
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
        }
      : {}),
    ...(svc.cache
      ? {
          // Only the primary region writes the cache (see lambdaEnvironment).
          ...(region === env.regions[0] ? { [O.cacheWriterEndpoint]: NOT_YET_APPLIED } : {}),
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
  primaryRegion: string,
): Record<string, string> {
  const E = LAMBDA_ENVIRONMENT;
  const O = GLOBAL_OUTPUTS;
  return {
    ...(svc.table.enabled ? { [E.tableName]: read(O.tableName) } : {}),
    [E.serviceName]: service,
    [E.edgeCacheMode]: svc.edgeCache.enabled ? svc.edgeCache.mode : 'off',
    [E.edgeCacheTtlSeconds]: String(svc.edgeCache.ttlSeconds),
    ...(invalidates(svc) ? { [E.distributionId]: read(O.distributionId) } : {}),
    ...(usesOriginSecret(svc) ? { [E.originSecrets]: read(O.originSecretAccepted) } : {}),
    ...(svc.aurora
      ? {
          [E.dbEngine]: svc.aurora.engine,
          [E.dbName]: svc.aurora.databaseName,
          [E.dbPort]: String(databasePort(svc.aurora.engine)),
          [E.dbWriterEndpoint]: read(O.auroraWriterEndpoint),
          [E.dbReaderEndpoint]: read(O.auroraReaderEndpoint(region)),
          [E.dbIamUser]: names.databaseUser,
          [E.dbWriteRouting]: svc.aurora.writeRouting,
          [E.idempotencyTtlSeconds]: String(svc.aurora.idempotencyTtlHours * 3600),
          ...(svc.aurora.writeRouting === 'write-forwarding' ? { [E.dbClusterEndpoint]: read(O.auroraClusterEndpoint(region)) } : {}),
          // Lambda's Node.js runtimes load the RDS certificate authorities only when told to (TLS to Aurora).
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        }
      : {}),
    ...(svc.cache
      ? {
          [E.cacheReaderEndpoint]: read(O.cacheReaderEndpoint(region)),
          [E.cacheUser]: names.cacheUser,
          [E.cacheReplicationGroup]: names.cacheReplicationGroup(region),
          // Writes only where the global datastore's primary is: a secondary's group is
          // read-only, and another region's group is out of reach (a security group can name
          // only groups of its own region:
          // https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html).
          // Elsewhere the cache is read-only and a write there reaches only the database.
          ...(region === primaryRegion
            ? {
                [E.cacheWriterEndpoint]: read(O.cacheWriterEndpoint),
                [E.cacheWriterReplicationGroup]: names.cacheReplicationGroup(primaryRegion),
                [E.cacheWriterRegion]: primaryRegion,
              }
            : {}),
          [E.cacheTtlSeconds]: String(svc.cache.ttlSeconds),
        }
      : {}),
    [E.powertoolsServiceName]: service,
    [E.powertoolsLogLevel]: 'INFO',
    [E.logSampleRate]: String(svc.logging.sampleRate),
    [E.slowRequestMs]: String(svc.logging.slowRequestMs),
  };
}

// ---------------------------------------------------------------------------
// Authorization

/** One route of the regional HTTP API and what a request on it needs. */
export interface RouteAuthorization {
  /** API Gateway route key: `$default`, `GET /health`, `POST /{proxy+}`, `GET /items/{id}`, ... */
  readonly routeKey: string;
  /** False only for the health check and for services with auth off. */
  readonly authorized: boolean;
  /** A token needs one of these (empty: any valid token). */
  readonly scopes: readonly string[];
}

/** What every region's API checks: the issuer, the audiences and the routes' scopes. */
export interface ServiceAuthorization {
  readonly required: boolean;
  /** The issuer is the platform's Cognito user pool (in the primary region). */
  readonly cognito: boolean;
  readonly issuer: string;
  readonly audiences: readonly string[];
  /** Every route of the API, `$default` last. */
  readonly routes: readonly RouteAuthorization[];
}

const METHODS_WITH_OWN_ROUTES = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function authorization(service: string, svc: ServiceConfig, primaryRegion: string, read: GlobalOutputReader): ServiceAuthorization {
  const { auth } = svc;
  const health: RouteAuthorization = { routeKey: `GET ${svc.healthCheck.path}`, authorized: false, scopes: [] };
  if (!auth.required) {
    return { required: false, cognito: false, issuer: '', audiences: [], routes: [health, { routeKey: '$default', authorized: false, scopes: [] }] };
  }
  const cognito = usesCognito(svc);
  // Cognito puts `<resource server>/<scope>` in its access tokens.
  const prefix = cognito ? `${auth.cognito?.resourceServer ?? service}/` : '';
  const scopes = (key: string) => (auth.scopes[key] ?? []).map((s) => prefix + s);
  const routes: RouteAuthorization[] = [health];
  for (const routeKey of auth.routes) {
    const method = routeKey.split(' ')[0];
    const own = auth.scopes[routeKey] ? routeKey : auth.scopes[method] ? method : 'ANY';
    routes.push({ routeKey, authorized: true, scopes: scopes(own) });
  }
  for (const method of METHODS_WITH_OWN_ROUTES.filter((m) => auth.scopes[m])) {
    routes.push({ routeKey: `${method} /{proxy+}`, authorized: true, scopes: scopes(method) });
  }
  routes.push({ routeKey: '$default', authorized: true, scopes: scopes('ANY') });
  return {
    required: true,
    cognito,
    issuer: cognito ? `https://cognito-idp.${primaryRegion}.amazonaws.com/${read(GLOBAL_OUTPUTS.userPoolId)}` : auth.issuer!,
    audiences: cognito ? [read(GLOBAL_OUTPUTS.userPoolClientId)] : auth.audiences!,
    routes,
  };
}

/** The scopes a Cognito resource server defines for the service: every scope its routes name. */
export function cognitoScopes(svc: Pick<ServiceConfig, 'auth'>): string[] {
  return [...new Set(Object.values(svc.auth.scopes).flat())].sort();
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
  /** Concurrency reserved for the API's function in each region; undefined: none (it shares the pool). */
  readonly reservedConcurrency?: number;
  /** The DNS account's provider settings, when the zone lives in another account. */
  readonly dnsAccess?: { readonly accountId: string; readonly roleArn: string };
  /** Where the service's own zone is delegated from, when the global stack creates it. */
  readonly dnsDelegation?: DnsDelegation;
  /** Backend of one of this service's stacks. */
  stateBackend(stackName: string): StackStateBackend;
  /** Tags every resource of the stack carries. */
  defaultTags(stackName: string, layer: StackLayer): Record<string, string>;
  /** Global outputs a regional stack in `region` reads, with the defaults of a first plan. */
  regionalInputs(region: string): Readonly<Record<string, string>>;
  /** The Lambda environment of the API in `region`, global outputs read through `read`. */
  lambdaEnvironment(region: string, read: GlobalOutputReader): Record<string, string>;
  /** Who may call the API, as every region's authorizer checks it (global outputs read through `read`). */
  authorization(read: GlobalOutputReader): ServiceAuthorization;
  /** ARN of the environment's alarm topic in `region`. */
  alarmTopicArn(region: string): string;
  /**
   * Where the alarms on the Route53 health checks notify: the environment's alarm topic
   * in us-east-1 (Route53's metrics region) of the account owning the checks, which is
   * the DNS account when the zone lives in another account (the alarms live beside their
   * metrics; the bootstrap of that account creates the topic).
   */
  readonly healthCheckAlarmTopicArn: string;
  /** ARN of an alarm of this service's account in `region`. */
  alarmArn(region: string, alarmName: string): string;
  /**
   * Where the log groups of `region` copy their events (the central account's log
   * destination in that region) and which events, when the config forwards logs.
   */
  logForwarding(region: string): { readonly destinationArn: string; readonly filterPattern: string } | undefined;
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
    reservedConcurrency: reservedConcurrency(svc, environment),
    dnsAccess: dnsAccess(env),
    dnsDelegation: dnsDelegation(env, service),
    stateBackend: (stackName) => stackStateBackend(config, environment, stackName),
    defaultTags: (stackName, layer) => ({
      service,
      environment,
      layer,
      'managed-by': 'cdktf-platform',
      stack: stackName,
    }),
    regionalInputs: (region) => regionalInputs(config, env, svc, names, region),
    lambdaEnvironment: (region, read) => lambdaEnvironment(service, svc, names, region, read, env.regions[0]),
    authorization: (read) => authorization(service, svc, env.regions[0], read),
    alarmTopicArn: (region) => alarmTopicArn(env.accountId, region, environment),
    healthCheckAlarmTopicArn: alarmTopicArn(dnsAccess(env)?.accountId ?? env.accountId, EDGE_REGION, environment),
    alarmArn: (region, alarmName) => alarmArn(env.accountId, region, alarmName),
    logForwarding: (region) => {
      const { accountId: central, forwardLogs } = config.observability;
      return central && forwardLogs ? { destinationArn: logDestinationArn(central, region), filterPattern: forwardLogs.filterPattern } : undefined;
    },
  };
}
