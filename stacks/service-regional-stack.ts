import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import {
  bucketName,
  effectiveWeight,
  type EnvironmentConfig,
  type Platform,
  type ResolvedService,
  type StackSpec,
} from '@platform/config';
import {
  GlobalStackOutputs,
  globalTableArn,
  type LambdaArtifact,
  NetworkLookup,
  PlatformStack,
  type PolicyStatement,
  RegionalApi,
  RegionalDomain,
  RegionalHealthCheck,
  RegionalRecord,
  type RegionalRouting,
} from '@platform/constructs';
import {
  GLOBAL_OUTPUTS,
  NOT_YET_APPLIED,
  defaultTags,
  dnsAccessFor,
  permissionsBoundaryArn,
  resourceNames,
  roleArn,
  stateBackendFor,
} from './naming';

/**
 * The regional layer of one service in one region: the API (HTTP API + Lambda)
 * wired to this region's replica of the global table, the regional custom domain,
 * and this region's health check and DNS record for the shared regional name. It
 * reads the global stack's outputs through remote state, with defaults so it plans
 * before the global stack has ever been applied.
 */
export class ServiceRegionalStack extends PlatformStack {
  readonly api: RegionalApi;
  readonly globalOutputs: GlobalStackOutputs;
  readonly domain: RegionalDomain;
  readonly healthCheck: RegionalHealthCheck;
  readonly record: RegionalRecord;

  constructor(
    scope: Construct,
    platform: Platform,
    spec: StackSpec,
    service: ResolvedService,
    globalSpec: StackSpec,
    artifact: LambdaArtifact,
  ) {
    const env = platform.config.environments[spec.environment];
    super(scope, spec.name, {
      accountId: env.accountId,
      deployRoleArn: roleArn(env.accountId, env.deployRoleName),
      regions: spec.regions,
      defaultTags: defaultTags(spec),
      stateBackend: stateBackendFor(platform, spec),
      dns: dnsAccessFor(platform, spec),
      permissionsBoundaryArn: permissionsBoundaryArn(env.accountId),
    });
    const names = resourceNames(platform, spec);
    const region = spec.region;
    const invalidate = service.edgeCache.enabled && service.edgeCache.mode === 'invalidate';

    this.globalOutputs = new GlobalStackOutputs(this, 'global', {
      stateBackend: stateBackendFor(platform, globalSpec),
      defaults: {
        [GLOBAL_OUTPUTS.tableName]: names.tableName,
        [GLOBAL_OUTPUTS.bucketName(region)]: bucketName(platform.config, service.name, spec.environment, region),
        [GLOBAL_OUTPUTS.zoneId]: NOT_YET_APPLIED,
        ...(invalidate
          ? {
              [GLOBAL_OUTPUTS.distributionId]: NOT_YET_APPLIED,
              [GLOBAL_OUTPUTS.distributionArn]: `arn:aws:cloudfront::${env.accountId}:distribution/${NOT_YET_APPLIED}`,
            }
          : {}),
        ...(service.aurora || service.cache ? { [GLOBAL_OUTPUTS.lambdaSecurityGroupId(region)]: NOT_YET_APPLIED } : {}),
        ...(service.aurora
          ? {
              [GLOBAL_OUTPUTS.auroraWriterEndpoint]: NOT_YET_APPLIED,
              [GLOBAL_OUTPUTS.auroraReaderEndpoint(region)]: NOT_YET_APPLIED,
              [GLOBAL_OUTPUTS.auroraClusterResourceId(region)]: NOT_YET_APPLIED,
              [GLOBAL_OUTPUTS.auroraSecretArn]: `arn:aws:secretsmanager:${env.regions[0]}:${env.accountId}:secret:${NOT_YET_APPLIED}`,
            }
          : {}),
        ...(service.cache
          ? {
              [GLOBAL_OUTPUTS.cacheWriterEndpoint]: NOT_YET_APPLIED,
              [GLOBAL_OUTPUTS.cacheReaderEndpoint(region)]: NOT_YET_APPLIED,
            }
          : {}),
      },
    });
    const data = dataLayerAccess(this, service, spec, env, names);
    const tableName = this.globalOutputs.get(GLOBAL_OUTPUTS.tableName);
    const zoneId = this.globalOutputs.get(GLOBAL_OUTPUTS.zoneId);

    this.api = new RegionalApi(this, 'api', {
      provider: this.provider(region),
      region,
      functionName: names.functionName,
      roleName: names.apiRoleName(region),
      artifact,
      memorySizeMb: service.lambda.memorySizeMb,
      timeoutSeconds: service.lambda.timeoutSeconds,
      logRetentionDays: service.lambda.logRetentionDays,
      tableArn: globalTableArn(region, env.accountId, tableName),
      environment: {
        TABLE_NAME: tableName,
        SERVICE_NAME: service.name,
        EDGE_CACHE_MODE: service.edgeCache.enabled ? service.edgeCache.mode : 'off',
        EDGE_CACHE_TTL_SECONDS: String(service.edgeCache.ttlSeconds),
        ...(invalidate ? { DISTRIBUTION_ID: this.globalOutputs.get(GLOBAL_OUTPUTS.distributionId) } : {}),
        ...data?.environment,
        POWERTOOLS_SERVICE_NAME: service.name,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      invalidationDistributionArn: invalidate ? this.globalOutputs.get(GLOBAL_OUTPUTS.distributionArn) : undefined,
      vpc: data?.vpc,
      additionalPolicyStatements: data?.statements,
    });

    this.domain = new RegionalDomain(this, 'domain', {
      provider: this.provider(region),
      domainName: names.regionalDomain,
      apiId: this.api.api.id,
      stageName: this.api.stage.name,
    });

    this.healthCheck = new RegionalHealthCheck(this, 'health-check', {
      dnsProvider: this.dnsProvider,
      region,
      fqdn: this.api.endpointHost,
      resourcePath: service.healthCheck.path,
      intervalSeconds: service.healthCheck.intervalSeconds,
      failureThreshold: service.healthCheck.failureThreshold,
      name: names.healthCheckName(region),
      lambdaErrorAlarm: service.healthCheck.lambdaErrorAlarm
        ? { functionName: this.api.function.functionName, alarmProvider: this.provider(region) }
        : undefined,
    });

    this.record = new RegionalRecord(this, 'record', {
      dnsProvider: this.dnsProvider,
      zoneId,
      name: names.regionalDomain,
      region,
      routing: routingFor(service, env.regions, region),
      targetDomainName: this.domain.targetDomainName,
      targetHostedZoneId: this.domain.targetHostedZoneId,
      healthCheckId: this.healthCheck.healthCheckId,
    });

    new TerraformOutput(this, 'api_endpoint', { value: this.api.api.apiEndpoint });
    new TerraformOutput(this, 'function_name', { value: this.api.function.functionName });
  }
}

function routingFor(service: ResolvedService, regions: readonly string[], region: string): RegionalRouting {
  switch (service.routing.policy) {
    case 'weighted':
      return { policy: 'weighted', weight: effectiveWeight(service, region, regions.length) };
    case 'failover':
      return { policy: 'failover', role: region === regions[0] ? 'PRIMARY' : 'SECONDARY' };
    default:
      return { policy: 'latency' };
  }
}

/**
 * What the Lambda needs to reach the opt-in data layers of its region: VPC placement
 * (subnets looked up here, the Lambda security group from the global stack), endpoints
 * and names in its environment, and IAM permission to read the database secret and to
 * connect with IAM authentication to the database and the cache.
 */
function dataLayerAccess(
  stack: ServiceRegionalStack,
  service: ResolvedService,
  spec: StackSpec,
  environment: EnvironmentConfig,
  names: ReturnType<typeof resourceNames>,
): { vpc: { subnetIds: string[]; securityGroupIds: string[] }; environment: Record<string, string>; statements: PolicyStatement[] } | undefined {
  if (!service.aurora && !service.cache) return undefined;
  const region = spec.region;
  const accountId = environment.accountId;
  const global = stack.globalOutputs;
  const lookup = new NetworkLookup(stack, 'network', { provider: stack.provider(region), ...environment.network[region] });
  const variables: Record<string, string> = {};
  const statements: PolicyStatement[] = [];
  if (service.aurora) {
    const resourceId = global.get(GLOBAL_OUTPUTS.auroraClusterResourceId(region));
    const secretArn = global.get(GLOBAL_OUTPUTS.auroraSecretArn);
    Object.assign(variables, {
      DB_ENGINE: service.aurora.engine,
      DB_NAME: service.aurora.databaseName,
      DB_PORT: service.aurora.engine === 'aurora-mysql' ? '3306' : '5432',
      DB_WRITER_ENDPOINT: global.get(GLOBAL_OUTPUTS.auroraWriterEndpoint),
      DB_READER_ENDPOINT: global.get(GLOBAL_OUTPUTS.auroraReaderEndpoint(region)),
      DB_SECRET_ARN: secretArn,
      DB_IAM_USER: names.databaseUser,
    });
    statements.push(
      { Sid: 'ReadDatabaseSecret', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secretArn] },
      {
        Sid: 'ConnectToDatabaseWithIam',
        Effect: 'Allow',
        Action: ['rds-db:connect'],
        Resource: [`arn:aws:rds-db:${region}:${accountId}:dbuser:${resourceId}/${names.databaseUser}`],
      },
    );
  }
  if (service.cache) {
    Object.assign(variables, {
      CACHE_WRITER_ENDPOINT: global.get(GLOBAL_OUTPUTS.cacheWriterEndpoint),
      CACHE_READER_ENDPOINT: global.get(GLOBAL_OUTPUTS.cacheReaderEndpoint(region)),
      CACHE_USER: names.cacheUser,
    });
    statements.push({
      Sid: 'ConnectToCacheWithIam',
      Effect: 'Allow',
      Action: ['elasticache:Connect'],
      Resource: [
        `arn:aws:elasticache:${region}:${accountId}:replicationgroup:${names.dataIdentifier}-${region}`,
        `arn:aws:elasticache:${region}:${accountId}:user:${names.cacheUser}`,
      ],
    });
  }
  return {
    vpc: { subnetIds: lookup.subnetIds, securityGroupIds: [global.get(GLOBAL_OUTPUTS.lambdaSecurityGroupId(region))] },
    environment: variables,
    statements,
  };
}
