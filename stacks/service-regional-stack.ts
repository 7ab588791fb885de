import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import {
  type EnvironmentConfig,
  GLOBAL_OUTPUTS,
  WORKLOAD_IAM_PATH,
  type ResolvedService,
  type ServiceContract,
  effectiveWeight,
  readFailoverOf,
  secondaryFor,
} from '@platform/config';
import {
  AuroraGlobalDatabase,
  CacheGlobalDatastore,
  EdgeCache,
  GlobalStackOutputs,
  GlobalTable,
  HealthCheckAlarm,
  type LambdaArtifact,
  NetworkLookup,
  PlatformStack,
  RegionAlarms,
  RegionalApi,
  type RegionalApiProps,
  RegionalDomain,
  RegionalHealthCheck,
  RegionalKmsKey,
  RegionalRecord,
  type RegionalRouting,
} from '@platform/constructs';

/**
 * The regional layer of one service in one region: the API (HTTP API + Lambda)
 * wired to this region's replica of the global table, the regional custom domain,
 * and this region's health check and DNS record for the shared regional name. It
 * reads the global stack's outputs through remote state, with defaults so it plans
 * before the global stack has ever been applied (and a guard so such a plan is never
 * applied).
 */
export class ServiceRegionalStack extends PlatformStack {
  readonly api: RegionalApi;
  readonly globalOutputs: GlobalStackOutputs;
  readonly domain: RegionalDomain;
  readonly healthCheck: RegionalHealthCheck;
  readonly record: RegionalRecord;
  /** This region's record of the edge's secondary name; undefined without an origin group. */
  readonly secondaryRecord?: RegionalRecord;
  readonly alarms: RegionAlarms;
  readonly healthCheckAlarm: HealthCheckAlarm;

  constructor(
    scope: Construct,
    contract: ServiceContract,
    service: ResolvedService,
    env: EnvironmentConfig,
    region: string,
    artifact: LambdaArtifact,
  ) {
    const stackName = contract.regionalStack(region);
    super(scope, stackName, {
      accountId: contract.accountId,
      deployRoleArn: contract.deployRoleArn,
      regions: [region],
      defaultTags: contract.defaultTags(stackName, 'regional'),
      stateBackend: contract.stateBackend(stackName),
      dns: contract.dnsAccess,
      permissionsBoundaryArn: contract.permissionsBoundaryArn,
      iamPath: WORKLOAD_IAM_PATH,
    });
    const layer: Layer = { contract, service, env, region, global: (output: string) => this.globalOutputs.get(output) };
    this.globalOutputs = new GlobalStackOutputs(this, 'global', {
      stateBackend: contract.stateBackend(contract.globalStack),
      stateProvider: this.stateProvider,
      defaults: contract.regionalInputs(region),
    });
    this.api = this.computeLayer(layer, artifact);
    this.grantDataAccess(layer);
    const routing = this.routingLayer(layer);
    this.domain = routing.domain;
    this.healthCheck = routing.healthCheck;
    this.record = routing.record;
    this.secondaryRecord = routing.secondaryRecord;
    const alarms = this.alarmLayer(layer);
    this.alarms = alarms.alarms;
    this.healthCheckAlarm = alarms.healthCheckAlarm;

    new TerraformOutput(this, 'region_unhealthy_alarm', { value: this.alarms.compositeAlarm.alarmName });
    new TerraformOutput(this, 'api_endpoint', { value: this.api.api.apiEndpoint });
    new TerraformOutput(this, 'function_name', { value: this.api.function.functionName });
  }

  /** The function and its HTTP API, with the region's log key and log forwarding. */
  private computeLayer({ contract, service, region, global }: Layer, artifact: LambdaArtifact): RegionalApi {
    const { names } = contract;
    // The region's customer-managed key of this service's log groups.
    const logKey = new RegionalKmsKey(this, 'log-key', {
      provider: this.provider(region),
      region,
      accountId: contract.accountId,
      description: `Log groups of ${names.function} in ${region}`,
      aliasName: names.logKeyAlias,
      logs: true,
    });
    const api = new RegionalApi(this, 'api', {
      provider: this.provider(region),
      region,
      functionName: names.function,
      roleName: names.apiRole(region),
      artifact,
      memorySizeMb: service.lambda.memorySizeMb,
      timeoutSeconds: service.lambda.timeoutSeconds,
      logRetentionDays: service.lambda.logRetentionDays,
      logKmsKeyArn: logKey.arn,
      reservedConcurrency: contract.reservedConcurrency,
      environment: contract.lambdaEnvironment(region, global),
      ...apiAuthorization(contract, global),
    });
    const forwarding = contract.logForwarding(region);
    if (forwarding) api.forwardLogsTo(forwarding);
    return api;
  }

  /** What the function may reach: the table, the edge's invalidations, the VPC, the database and the cache. */
  private grantDataAccess({ contract, service, env, region, global }: Layer): void {
    const { names } = contract;
    const network = service.aurora || service.cache ? new NetworkLookup(this, 'network', { provider: this.provider(region), ...env.network[region] }) : undefined;
    if (service.table.enabled) {
      GlobalTable.fromTableName(global(GLOBAL_OUTPUTS.tableName), contract.accountId, contract.regions).grantReadWrite(this.api, region);
    }
    if (service.edgeCache.enabled && service.edgeCache.mode === 'invalidate') {
      EdgeCache.fromDistributionArn(global(GLOBAL_OUTPUTS.distributionArn)).grantCreateInvalidation(this.api);
    }
    if (network) {
      // The Lambda's security group comes from the global stack, which opens the database and cache to it.
      this.api.placeInVpc({ subnetIds: network.subnetIds, securityGroupIds: [global(GLOBAL_OUTPUTS.lambdaSecurityGroupId(region))] });
    }
    if (service.aurora) {
      // With write forwarding the app connects only to its own region's cluster; with
      // the writer endpoint, to whichever region's cluster is the writer.
      AuroraGlobalDatabase.fromAttributes({
        accountId: contract.accountId,
        clusterResourceId: (r) => global(GLOBAL_OUTPUTS.auroraClusterResourceId(r)),
      }).grantConnect(this.api, service.aurora.writeRouting === 'writer-endpoint' ? contract.regions : region, names.databaseUser);
    }
    if (service.cache) {
      // This region's replication group only: reads everywhere, writes in the primary region,
      // whose group is the global datastore's primary (docs/orders.md, "Cache-aside").
      CacheGlobalDatastore.fromAttributes({
        accountId: contract.accountId,
        identifier: names.dataIdentifier,
        userName: names.cacheUser,
      }).grantConnect(this.api, region);
    }
  }

  /** The regional custom domain, its health check and its records for the shared (and the secondary) name. */
  private routingLayer({ contract, service, region, global }: Layer) {
    const { names, domains } = contract;
    const readFailover = readFailoverOf(service, contract.regions);
    const backsUp = readFailover && !readFailover.shares ? secondaryFor(contract.regions, region) : undefined;
    // Weighted/failover routing: this region's read name, and that of the region it backs up.
    const readNames = readFailover?.shares
      ? [region, secondaryFor(contract.regions, region)!].map((r) => ({ region: r, domainName: domains.readsIn(r) }))
      : undefined;
    const domain = new RegionalDomain(this, 'domain', {
      provider: this.provider(region),
      domainName: domains.regional,
      apiId: this.api.api.id,
      stageName: this.api.stage.name,
      regionOnly: { domainName: domains.regionalIn(region), zoneId: global(GLOBAL_OUTPUTS.zoneId), dnsProvider: this.dnsProvider },
      secondaryDomainName: backsUp ? domains.secondary : undefined,
      readNames,
    });

    const healthCheck = new RegionalHealthCheck(this, 'health-check', {
      dnsProvider: this.dnsProvider,
      region,
      // The execute-api endpoint is off: the check calls this region's own custom domain.
      fqdn: domains.regionalIn(region),
      resourcePath: service.healthCheck.path,
      intervalSeconds: service.healthCheck.intervalSeconds,
      failureThreshold: service.healthCheck.failureThreshold,
      name: names.healthCheck(region),
      lambdaErrorAlarm: service.healthCheck.lambdaErrorAlarm
        ? { functionName: this.api.function.functionName, alarmProvider: this.provider(region) }
        : undefined,
    });

    const record = new RegionalRecord(this, 'record', {
      dnsProvider: this.dnsProvider,
      zoneId: global(GLOBAL_OUTPUTS.zoneId),
      name: domains.regional,
      region,
      routing: routingFor(service, contract.regions, region),
      targetDomainName: domain.targetDomainName,
      targetHostedZoneId: domain.targetHostedZoneId,
      healthCheckId: healthCheck.healthCheckId,
    });

    // The edge's secondary origin: this region answers the secondary name for the
    // resolvers near the region before it in the ring, under its own routing health
    // check, so a failed or evacuated region is nobody's secondary (docs/traffic.md).
    const secondaryRecord =
      backsUp && domain.secondaryDomain
        ? new RegionalRecord(this, 'secondary-record', {
            dnsProvider: this.dnsProvider,
            zoneId: global(GLOBAL_OUTPUTS.zoneId),
            name: domains.secondary,
            region,
            routing: { policy: 'latency', latencyRegion: backsUp },
            targetDomainName: domain.secondaryDomain.domainNameConfiguration.targetDomainName,
            targetHostedZoneId: domain.secondaryDomain.domainNameConfiguration.hostedZoneId,
            healthCheckId: healthCheck.healthCheckId,
          })
        : undefined;

    // A region's read name: PRIMARY here for its own name, SECONDARY for the name of the
    // region before it in the ring, both under this region's routing health check, so a
    // failed or evacuated region's read name answers with the next region (docs/traffic.md).
    const readRecords = (readNames ?? []).map(
      ({ region: of, domainName }) =>
        new RegionalRecord(this, `reads-${of}-record`, {
          dnsProvider: this.dnsProvider,
          zoneId: global(GLOBAL_OUTPUTS.zoneId),
          name: domainName,
          region,
          routing: { policy: 'failover', role: of === region ? 'PRIMARY' : 'SECONDARY' },
          targetDomainName: domain.readDomains[of].domainNameConfiguration.targetDomainName,
          targetHostedZoneId: domain.readDomains[of].domainNameConfiguration.hostedZoneId,
          healthCheckId: healthCheck.healthCheckId,
        }),
    );
    return { domain, healthCheck, record, secondaryRecord, readRecords };
  }

  /** The region's alarms and their composite, and the health check's alarm in us-east-1. */
  private alarmLayer({ contract, service, region, global }: Layer) {
    const { names } = contract;
    const secondary = region !== contract.primaryRegion;
    const alarms = new RegionAlarms(this, 'alarms', {
      provider: this.provider(region),
      region,
      compositeAlarmName: names.regionUnhealthyAlarm(region),
      alarmName: (metric) => names.regionAlarm(region, metric),
      apiId: this.api.api.id,
      stageName: this.api.stage.name,
      functionName: this.api.function.functionName,
      reservedConcurrency: contract.reservedConcurrency,
      tableName: service.table.enabled ? global(GLOBAL_OUTPUTS.tableName) : undefined,
      auroraSecondaryClusterIdentifier:
        service.aurora && secondary ? AuroraGlobalDatabase.clusterIdentifier(names.dataIdentifier, region) : undefined,
      cacheSecondaryMemberClusterIds:
        service.cache && secondary ? CacheGlobalDatastore.memberClusterIds(names.dataIdentifier, region, 1 + service.cache.replicasPerRegion) : undefined,
      thresholds: service.alarms,
      alarmActions: [contract.alarmTopicArn(region)],
    });

    // Route53 publishes health-check metrics only in us-east-1, in the account owning the
    // check, so the alarm lives there, and notifies that account's topic for the
    // environment: a composite cannot hold it (a composite alarm's rule names alarms of
    // its own account and region), and the environment account's topic admits only its
    // own account's alarms.
    const healthCheckAlarm = new HealthCheckAlarm(this, 'health-check-alarm', {
      provider: this.route53MetricsProvider,
      healthCheckId: this.healthCheck.healthCheckId,
      region,
      alarmName: names.edgeAlarm(`health-check-${region}`),
      alarmActions: [contract.healthCheckAlarmTopicArn],
    });
    return { alarms, healthCheckAlarm };
  }
}

/** What every layer of one regional stack is built from. */
interface Layer {
  readonly contract: ServiceContract;
  readonly service: ResolvedService;
  readonly env: EnvironmentConfig;
  readonly region: string;
  /** A global stack's output, through remote state (with its default). */
  readonly global: (output: string) => string;
}

/** The API's routes and JWT authorizer, as the service contract derives them. */
function apiAuthorization(contract: ServiceContract, read: (output: string) => string): Pick<RegionalApiProps, 'routes' | 'jwtAuthorizer'> {
  const auth = contract.authorization(read);
  return {
    routes: auth.routes,
    jwtAuthorizer: auth.required ? { name: contract.names.authorizer, issuer: auth.issuer, audiences: auth.audiences } : undefined,
  };
}

function routingFor(service: ResolvedService, regions: readonly string[], region: string): RegionalRouting {
  switch (service.routing.policy) {
    case 'weighted':
      return { policy: 'weighted', weight: effectiveWeight(service, region) };
    case 'failover':
      return { policy: 'failover', role: region === regions[0] ? 'PRIMARY' : 'SECONDARY' };
    default:
      return { policy: 'latency' };
  }
}
