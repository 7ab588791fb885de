import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { bucketName, effectiveWeight, type Platform, type ResolvedService, type StackSpec } from '@platform/config';
import {
  GlobalStackOutputs,
  type LambdaArtifact,
  PlatformStack,
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
      },
    });
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
      tableArn: `arn:aws:dynamodb:${region}:${env.accountId}:table/${tableName}`,
      environment: {
        TABLE_NAME: tableName,
        SERVICE_NAME: service.name,
        EDGE_CACHE_MODE: service.edgeCache.enabled ? service.edgeCache.mode : 'off',
        EDGE_CACHE_TTL_SECONDS: String(service.edgeCache.ttlSeconds),
        ...(invalidate ? { DISTRIBUTION_ID: this.globalOutputs.get(GLOBAL_OUTPUTS.distributionId) } : {}),
        POWERTOOLS_SERVICE_NAME: service.name,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      invalidationDistributionArn: invalidate ? this.globalOutputs.get(GLOBAL_OUTPUTS.distributionArn) : undefined,
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
