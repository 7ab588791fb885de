import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import {
  EDGE_REGION,
  type EnvironmentConfig,
  GLOBAL_OUTPUTS,
  type ResolvedService,
  type ServiceContract,
  databasePort,
} from '@platform/config';
import {
  AuroraGlobalDatabase,
  CacheGlobalDatastore,
  DnsValidatedCertificate,
  EdgeCache,
  GlobalTable,
  HostedZone,
  PlatformStack,
  ReplicatedBuckets,
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
  readonly table: GlobalTable;
  readonly buckets: ReplicatedBuckets;
  readonly zone: HostedZone;
  readonly edgeCache?: EdgeCache;
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
      permissionsBoundaryArn: contract.permissionsBoundaryArn,
    });
    const { names, domains } = contract;
    const [primary, ...replicas] = regions;

    this.table = new GlobalTable(this, 'table', {
      tableName: names.table,
      definition: SERVICE_TABLE,
      provider: this.provider(primary),
      region: primary,
      replicaRegions: replicas,
      accountId: contract.accountId,
    });

    this.buckets = new ReplicatedBuckets(this, 'objects', {
      regions: regions.map((region) => ({ region, provider: this.provider(region), bucketName: names.bucket(region) })),
      replicationRoleName: names.replicationRole,
    });

    this.zone = new HostedZone(this, 'zone', { domain: domains.zone, provider: this.dnsProvider, mode: env.dns.zone });

    // The us-east-1 certificate covers the CloudFront name and, as a SAN, the regional
    // name: its validation records (written here, once) then also validate every
    // region's own certificate for the regional name, since ACM's validation CNAME is
    // per account and name, not per region.
    const edgeCertificate = new DnsValidatedCertificate(this, 'edge-certificate', {
      provider: this.provider(EDGE_REGION),
      domainName: domains.api,
      subjectAlternativeNames: [domains.regional],
      zoneId: this.zone.zoneId,
      dnsProvider: this.dnsProvider,
    });

    if (service.edgeCache.enabled) {
      this.edgeCache = new EdgeCache(this, 'edge-cache', {
        provider: this.provider(EDGE_REGION),
        domainName: domains.api,
        originDomainName: domains.regional,
        certificateArn: edgeCertificate.validatedArn,
        mode: service.edgeCache.mode,
        ttlSeconds: service.edgeCache.ttlSeconds,
        priceClass: service.edgeCache.priceClass,
        varyOnAuthorization: service.auth === 'authorization-header',
        cachePolicyName: names.cachePolicy,
        zoneId: this.zone.zoneId,
        dnsProvider: this.dnsProvider,
        logBucketName: names.edgeLogBucket,
        logBucketProvider: this.provider(primary),
      });
      new TerraformOutput(this, GLOBAL_OUTPUTS.distributionId, { value: this.edgeCache.distribution.id });
      new TerraformOutput(this, GLOBAL_OUTPUTS.distributionArn, { value: this.edgeCache.distributionArn });
    }

    if (service.aurora || service.cache) this.addDataLayers(contract, service, env);

    new TerraformOutput(this, GLOBAL_OUTPUTS.zoneId, { value: this.zone.zoneId });
    new TerraformOutput(this, GLOBAL_OUTPUTS.tableName, { value: this.table.table.name });
    new TerraformOutput(this, GLOBAL_OUTPUTS.tableArn, { value: this.table.tableArn });
    new TerraformOutput(this, GLOBAL_OUTPUTS.tableStreamArn, { value: this.table.streamArn });
    for (const region of regions) {
      new TerraformOutput(this, GLOBAL_OUTPUTS.bucketName(region), { value: this.buckets.bucketIn(region).bucket });
    }
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
      new TerraformOutput(this, GLOBAL_OUTPUTS.auroraSecretArn, { value: aurora.secretArn });
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
