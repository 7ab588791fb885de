import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { bucketName, type Platform, type ResolvedService, type StackSpec } from '@platform/config';
import { GlobalStackOutputs, type LambdaArtifact, PlatformStack, RegionalApi } from '@platform/constructs';
import { GLOBAL_OUTPUTS, defaultTags, resourceNames, roleArn, stateBackendFor } from './naming';

/**
 * The regional layer of one service in one region: the API (HTTP API + Lambda)
 * wired to this region's replica of the global table. It reads the global stack's
 * outputs through remote state, with defaults so it plans before the global stack
 * has ever been applied.
 */
export class ServiceRegionalStack extends PlatformStack {
  readonly api: RegionalApi;
  readonly globalOutputs: GlobalStackOutputs;

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
    });
    const names = resourceNames(platform, spec);
    const region = spec.region;

    this.globalOutputs = new GlobalStackOutputs(this, 'global', {
      stateBackend: stateBackendFor(platform, globalSpec),
      defaults: {
        [GLOBAL_OUTPUTS.tableName]: names.tableName,
        [GLOBAL_OUTPUTS.bucketName(region)]: bucketName(platform.config, service.name, spec.environment, region),
      },
    });
    const tableName = this.globalOutputs.get(GLOBAL_OUTPUTS.tableName);

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
        POWERTOOLS_SERVICE_NAME: service.name,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
    });

    new TerraformOutput(this, 'api_endpoint', { value: this.api.api.apiEndpoint });
    new TerraformOutput(this, 'function_name', { value: this.api.function.functionName });
  }
}
