import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import {
  EDGE_REGION,
  type EnvironmentConfig,
  GLOBAL_OUTPUTS,
  WORKLOAD_IAM_PATH,
  type ResolvedService,
  ORIGIN_SECRET_HEADER,
  type ReadFailover,
  type ServiceContract,
  cognitoScopes,
  databasePort,
  usesCognito,
  usesOriginSecret,
  edgeCertificateNames,
  readFailoverOf,
} from '@platform/config';
import {
  AuroraGlobalDatabase,
  CacheGlobalDatastore,
  CognitoIssuer,
  DnsValidatedCertificate,
  EdgeAlarms,
  EdgeCache,
  type EdgeReadFailover,
  EdgeWebAcl,
  GlobalTable,
  HostedZone,
  OriginSecret,
  PlatformStack,
  RegionalKmsKey,
  ReplicatedBuckets,
  SecurityHeadersPolicy,
  ServiceDashboard,
  S3AccessLogBucket,
  ServiceNetwork,
} from '@platform/constructs';
import { SERVICE_TABLE } from '@platform/table-definition';

/**
 * The global layer of one service in one environment: everything shared by its
 * regions (the global table with a replica per region, the replicated buckets, the
 * hosted zone, the certificates' validation records, the CloudFront cache).
 * Each resource goes through the aliased provider of the region it lives in.
 */
export class ServiceGlobalStack extends PlatformStack {
  /** Undefined when the service's table is off (`table.enabled: false`). */
  readonly table?: GlobalTable;
  readonly buckets: ReplicatedBuckets;
  readonly zone: HostedZone;
  readonly edgeCache?: EdgeCache;
  readonly cognito?: CognitoIssuer;
  readonly edgeAlarms?: EdgeAlarms;
  readonly dashboard: ServiceDashboard;
  aurora?: AuroraGlobalDatabase;
  cache?: CacheGlobalDatastore;

  constructor(scope: Construct, contract: ServiceContract, service: ResolvedService, env: EnvironmentConfig) {
    const regions = contract.regions;
    super(scope, contract.globalStack, {
      accountId: contract.accountId,
      deployRoleArn: contract.deployRoleArn,
      regions: regions.includes(EDGE_REGION) ? regions : [...regions, EDGE_REGION],
      defaultTags: contract.defaultTags(contract.globalStack, 'global'),
      stateBackend: contract.stateBackend(contract.globalStack),
      dns: contract.dnsAccess,
      dnsParent: contract.dnsDelegation,
      permissionsBoundaryArn: contract.permissionsBoundaryArn,
      iamPath: WORKLOAD_IAM_PATH,
    });
    const storage = this.storageLayer(contract, service);
    this.table = storage.table;
    this.buckets = storage.buckets;
    const dns = this.dnsLayer(contract, service, env);
    this.zone = dns.zone;
    this.cognito = usesCognito(service) ? this.identityLayer(contract, service) : undefined;
    if (service.edgeCache.enabled) {
      const edge = this.edgeLayer(contract, service, dns.edgeCertificate, storage.accessLogs);
      this.edgeCache = edge.edgeCache;
      this.edgeAlarms = edge.edgeAlarms;
    }
    if (service.aurora || service.cache) this.addDataLayers(contract, service, env);
    this.dashboard = this.dashboardLayer(contract, service);

    new TerraformOutput(this, GLOBAL_OUTPUTS.zoneId, { value: this.zone.zoneId });
    if (this.table) {
      new TerraformOutput(this, GLOBAL_OUTPUTS.tableName, { value: this.table.table.name });
      new TerraformOutput(this, GLOBAL_OUTPUTS.tableArn, { value: this.table.tableArn });
      new TerraformOutput(this, GLOBAL_OUTPUTS.tableStreamArn, { value: this.table.streamArn });
    }
    for (const region of regions) {
      new TerraformOutput(this, GLOBAL_OUTPUTS.bucketName(region), { value: this.buckets.bucketIn(region).bucket });
    }
  }

  /**
   * The data that lives in every region: per region the service's data key and the
   * bucket receiving the S3 server access logs there; the global table; the replicated buckets.
   */
  private storageLayer(contract: ServiceContract, service: ResolvedService) {
    const { names, regions } = contract;
    const [primary, ...replicas] = regions;
    const dataKeys = new Map(
      (service.table.enabled ? regions : []).map((region) => [
        region,
        new RegionalKmsKey(this, `data-key-${region}`, {
          provider: this.provider(region),
          region,
          accountId: contract.accountId,
          description: `Data of ${names.table} in ${region}`,
          aliasName: names.dataKeyAlias,
          viaServices: ['dynamodb'],
        }),
      ]),
    );
    const accessLogs = new Map(
      regions.map((region) => [
        region,
        new S3AccessLogBucket(this, `access-logs-${region}`, {
          provider: this.provider(region),
          bucketName: names.accessLogBucket(region),
          accountId: contract.accountId,
        }),
      ]),
    );

    const table = !service.table.enabled ? undefined : new GlobalTable(this, 'table', {
      tableName: names.table,
      definition: SERVICE_TABLE,
      provider: this.provider(primary),
      region: primary,
      replicaRegions: replicas,
      accountId: contract.accountId,
      kmsKeyArn: dataKeys.get(primary)!.arn,
      replicaKmsKeyArns: Object.fromEntries(replicas.map((region) => [region, dataKeys.get(region)!.arn])),
    });

    const buckets = new ReplicatedBuckets(this, 'objects', {
      regions: regions.map((region) => ({ region, provider: this.provider(region), bucketName: names.bucket(region) })),
      replicationRoleName: names.replicationRole,
      accountId: contract.accountId,
      accessLogBuckets: accessLogs,
    });
    return { table, buckets, accessLogs };
  }

  /** The service's hosted zone (delegated from its parent when created here) and the edge certificate. */
  private dnsLayer(contract: ServiceContract, service: ResolvedService, env: EnvironmentConfig) {
    const { domains, regions } = contract;
    const delegation = contract.dnsDelegation;
    const zone = new HostedZone(this, 'zone', {
      domain: domains.zone,
      provider: this.dnsProvider,
      mode: env.dns.zone,
      delegation: delegation && { parentZoneName: delegation.parentZone, parentProvider: this.dnsParentProvider },
    });

    // The us-east-1 certificate covers the CloudFront name and, as a SAN, the regional
    // name: its validation records (written here, once) then also validate every
    // region's own certificate for the regional name, since ACM's validation CNAME is
    // per account and name, not per region.
    const edgeCertificate = new DnsValidatedCertificate(this, 'edge-certificate', {
      provider: this.provider(EDGE_REGION),
      // Each region's own name (its health check's) and the failover origins' names ride on
      // the same validation.
      domainName: domains.api,
      subjectAlternativeNames: edgeCertificateNames(service, regions, domains).slice(1),
      zoneId: zone.zoneId,
      dnsProvider: this.dnsProvider,
      // ACM asks public DNS: nothing in a new zone resolves before its parent delegates to it.
      validationDependsOn: zone.delegationRecord ? [zone.delegationRecord] : undefined,
    });
    return { zone, edgeCertificate };
  }

  /** The Cognito user pool that issues the service's tokens, in the primary region. */
  private identityLayer(contract: ServiceContract, service: ResolvedService): CognitoIssuer {
    const { names, regions } = contract;
    const cognito = new CognitoIssuer(this, 'cognito', {
      provider: this.provider(regions[0]),
      region: regions[0],
      userPoolName: names.userPool,
      clientName: names.userPoolClient,
      domainPrefix: names.userPoolDomain,
      resourceServerIdentifier: service.auth.cognito?.resourceServer ?? contract.service,
      scopes: cognitoScopes(service),
    });
    new TerraformOutput(this, GLOBAL_OUTPUTS.userPoolId, { value: cognito.userPool.id });
    new TerraformOutput(this, GLOBAL_OUTPUTS.userPoolClientId, { value: cognito.client.id });
    return cognito;
  }

  /** The CloudFront cache in front of the regions, its origin secret, WAF, headers policy and alarms. */
  private edgeLayer(contract: ServiceContract, service: ResolvedService, edgeCertificate: DnsValidatedCertificate, accessLogs: Map<string, S3AccessLogBucket>) {
    const { names, domains, regions } = contract;
    const primary = regions[0];
    const originSecret = usesOriginSecret(service)
      ? new OriginSecret(this, 'origin-secret', { provider: this.provider(primary), secretName: names.originSecret })
      : undefined;
    if (originSecret) new TerraformOutput(this, GLOBAL_OUTPUTS.originSecretAccepted, { value: originSecret.acceptedValues, sensitive: true });
    const webAcl = service.waf.enabled
      ? new EdgeWebAcl(this, 'web-acl', { provider: this.provider(EDGE_REGION), name: names.webAcl, rateLimitPer5Minutes: service.waf.rateLimitPer5Minutes })
      : undefined;
    const headers = new SecurityHeadersPolicy(this, 'security-headers', { provider: this.provider(EDGE_REGION), name: names.responseHeadersPolicy });
    const edgeCache = new EdgeCache(this, 'edge-cache', {
      originCustomHeaders: originSecret ? [{ name: ORIGIN_SECRET_HEADER, value: originSecret.headerValue }] : undefined,
      webAclArn: webAcl?.webAclArn,
      responseHeadersPolicyId: headers.policyId,
      provider: this.provider(EDGE_REGION),
      domainName: domains.api,
      originDomainName: domains.regional,
      // Each region's record of the secondary name answers with the next region of the
      // ring, so an edge's secondary is never its primary's region; with weighted or
      // failover routing the edge draws the region and uses the read names (docs/traffic.md).
      readFailover: edgeReadFailover(readFailoverOf(service, regions), names.readFailoverFunction, domains),
      certificateArn: edgeCertificate.validatedArn,
      mode: service.edgeCache.mode,
      ttlSeconds: service.edgeCache.ttlSeconds,
      priceClass: service.edgeCache.priceClass,
      varyOnAuthorization: service.auth.required,
      cachePolicyName: names.cachePolicy,
      zoneId: this.zone.zoneId,
      dnsProvider: this.dnsProvider,
      logBucketName: names.edgeLogBucket,
      logBucketProvider: this.provider(primary),
      logBucketAccessLogs: accessLogs.get(primary),
    });
    const edgeAlarms = new EdgeAlarms(this, 'edge-alarms', {
      provider: this.provider(EDGE_REGION),
      distributionId: edgeCache.distribution.id,
      alarmName: names.edgeAlarm('edge-5xx'),
      errorRatePercent: service.alarms.edge5xxPercent,
      periodSeconds: service.alarms.periodSeconds,
      evaluationPeriods: service.alarms.evaluationPeriods,
      datapointsToAlarm: service.alarms.datapointsToAlarm,
      alarmActions: [contract.alarmTopicArn(EDGE_REGION)],
    });
    new TerraformOutput(this, GLOBAL_OUTPUTS.distributionId, { value: edgeCache.distribution.id });
    new TerraformOutput(this, GLOBAL_OUTPUTS.distributionArn, { value: edgeCache.distributionArn });
    return { edgeCache, edgeAlarms };
  }

  /** The service's dashboard: every region's composite alarm, and the health-check and edge alarms this account owns. */
  private dashboardLayer(contract: ServiceContract, service: ResolvedService): ServiceDashboard {
    const { names, regions } = contract;
    // Alarms of a DNS account's health checks live in that account, so this account's
    // dashboard shows only the ones it owns.
    const dnsHere = !contract.dnsAccess;
    return new ServiceDashboard(this, 'dashboard', {
      provider: this.provider(regions[0]),
      dashboardName: names.dashboard,
      functionName: names.function,
      tableName: service.table.enabled ? names.table : undefined,
      regions: regions.map((region) => ({
        region,
        alarmArns: [
          contract.alarmArn(region, names.regionUnhealthyAlarm(region)),
          ...(dnsHere ? [contract.alarmArn(EDGE_REGION, names.edgeAlarm(`health-check-${region}`))] : []),
        ],
      })),
      distributionId: this.edgeCache?.distribution.id,
      edgeAlarmArns: this.edgeAlarms ? [contract.alarmArn(EDGE_REGION, names.edgeAlarm('edge-5xx'))] : [],
    });
  }

  /** Opt-in active-passive layers: the network per region, Aurora, ElastiCache. */
  private addDataLayers(contract: ServiceContract, service: ResolvedService, env: EnvironmentConfig): void {
    const { names, regions, accountId } = contract;
    const auroraPort = service.aurora ? databasePort(service.aurora.engine) : undefined;
    const networks = new Map(
      regions.map((region) => {
        const network = new ServiceNetwork(this, `network-${region}`, {
          provider: this.provider(region),
          vpc: env.network[region].vpc,
          privateSubnets: env.network[region].privateSubnets,
          namePrefix: names.dataIdentifier,
          databasePort: auroraPort,
          cachePort: service.cache ? 6379 : undefined,
        });
        new TerraformOutput(this, GLOBAL_OUTPUTS.lambdaSecurityGroupId(region), { value: network.lambdaSecurityGroup.id });
        return [region, network] as const;
      }),
    );

    if (service.aurora) {
      const aurora = new AuroraGlobalDatabase(this, 'aurora', {
        identifier: names.dataIdentifier,
        engine: service.aurora.engine,
        engineVersion: service.aurora.engineVersion,
        instanceClass: service.aurora.instanceClass,
        instancesPerRegion: service.aurora.instancesPerRegion,
        backupRetentionDays: service.aurora.backupRetentionDays,
        databaseName: service.aurora.databaseName,
        globalWriteForwarding: service.aurora.writeRouting === 'write-forwarding',
        accountId,
        regions: regions.map((region) => ({
          region,
          provider: this.provider(region),
          subnetIds: networks.get(region)!.subnetIds,
          securityGroupId: networks.get(region)!.databaseSecurityGroup!.id,
        })),
      });
      this.aurora = aurora;
      new TerraformOutput(this, GLOBAL_OUTPUTS.auroraWriterEndpoint, { value: aurora.writerEndpoint });
      for (const region of regions) {
        const cluster = aurora.clusterIn(region);
        new TerraformOutput(this, GLOBAL_OUTPUTS.auroraReaderEndpoint(region), { value: cluster.readerEndpoint });
        new TerraformOutput(this, GLOBAL_OUTPUTS.auroraClusterResourceId(region), { value: cluster.clusterResourceId });
        if (service.aurora.writeRouting === 'write-forwarding') new TerraformOutput(this, GLOBAL_OUTPUTS.auroraClusterEndpoint(region), { value: cluster.endpoint });
      }
    }

    if (service.cache) {
      const cache = new CacheGlobalDatastore(this, 'cache', {
        identifier: names.dataIdentifier,
        engine: service.cache.engine,
        engineVersion: service.cache.engineVersion,
        nodeType: service.cache.nodeType,
        replicasPerRegion: service.cache.replicasPerRegion,
        userName: names.cacheUser,
        accountId,
        regions: regions.map((region) => ({
          region,
          provider: this.provider(region),
          subnetIds: networks.get(region)!.subnetIds,
          securityGroupId: networks.get(region)!.cacheSecurityGroup!.id,
        })),
      });
      this.cache = cache;
      new TerraformOutput(this, GLOBAL_OUTPUTS.cacheWriterEndpoint, {
        value: cache.groupIn(regions[0]).primaryEndpointAddress,
      });
      for (const region of regions) {
        new TerraformOutput(this, GLOBAL_OUTPUTS.cacheReaderEndpoint(region), {
          value: cache.groupIn(region).readerEndpointAddress,
        });
      }
    }
  }
}


/** The edge's read failover: the function's name and the origin names its groups use. */
function edgeReadFailover(failover: ReadFailover | undefined, functionName: string, domains: ServiceContract['domains']): EdgeReadFailover | undefined {
  if (!failover) return undefined;
  return failover.shares
    ? { failover, functionName, readsDomainName: (region) => domains.readsIn(region) }
    : { failover, functionName, secondaryOriginDomainName: domains.secondary };
}
