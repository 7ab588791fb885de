import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { bucketName, type Platform, type ResolvedService, type StackSpec } from '@platform/config';
import {
  DnsValidatedCertificate,
  EdgeCache,
  GlobalTable,
  HostedZone,
  PlatformStack,
  ReplicatedBuckets,
} from '@platform/constructs';
import { SERVICE_TABLE } from '@platform/table-definition';
import { GLOBAL_OUTPUTS, defaultTags, dnsAccessFor, resourceNames, roleArn, stateBackendFor } from './naming';

/** CloudFront and its certificate live in us-east-1, whatever the environment's regions. */
const EDGE_REGION = 'us-east-1';

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

  constructor(scope: Construct, platform: Platform, spec: StackSpec, service: ResolvedService) {
    const env = platform.config.environments[spec.environment];
    super(scope, spec.name, {
      accountId: env.accountId,
      deployRoleArn: roleArn(env.accountId, env.deployRoleName),
      regions: spec.regions.includes(EDGE_REGION) ? spec.regions : [...spec.regions, EDGE_REGION],
      defaultTags: defaultTags(spec),
      stateBackend: stateBackendFor(platform, spec),
      dns: dnsAccessFor(platform, spec),
    });
    const names = resourceNames(platform, spec);
    const [primary, ...replicas] = spec.regions;

    this.table = new GlobalTable(this, 'table', {
      tableName: names.tableName,
      definition: SERVICE_TABLE,
      provider: this.provider(primary),
      region: primary,
      replicaRegions: replicas,
      accountId: env.accountId,
    });

    this.buckets = new ReplicatedBuckets(this, 'objects', {
      regions: spec.regions.map((region) => ({
        region,
        provider: this.provider(region),
        bucketName: bucketName(platform.config, service.name, spec.environment, region),
      })),
      replicationRoleName: names.replicationRoleName,
    });

    this.zone = new HostedZone(this, 'zone', { domain: names.zoneDomain, provider: this.dnsProvider, mode: env.dns.zone });

    // The us-east-1 certificate covers the CloudFront name and, as a SAN, the regional
    // name: its validation records (written here, once) then also validate every
    // region's own certificate for the regional name, since ACM's validation CNAME is
    // per account and name, not per region.
    const edgeCertificate = new DnsValidatedCertificate(this, 'edge-certificate', {
      provider: this.provider(EDGE_REGION),
      domainName: names.apiDomain,
      subjectAlternativeNames: [names.regionalDomain],
      zoneId: this.zone.zoneId,
      dnsProvider: this.dnsProvider,
    });

    if (service.edgeCache.enabled) {
      this.edgeCache = new EdgeCache(this, 'edge-cache', {
        provider: this.provider(EDGE_REGION),
        domainName: names.apiDomain,
        originDomainName: names.regionalDomain,
        certificateArn: edgeCertificate.validatedArn,
        mode: service.edgeCache.mode,
        ttlSeconds: service.edgeCache.ttlSeconds,
        priceClass: service.edgeCache.priceClass,
        varyOnAuthorization: service.auth === 'authorization-header',
        cachePolicyName: names.cachePolicyName,
        zoneId: this.zone.zoneId,
        dnsProvider: this.dnsProvider,
        logBucketName: names.edgeLogBucket,
        logBucketProvider: this.provider(primary),
      });
      new TerraformOutput(this, GLOBAL_OUTPUTS.distributionId, { value: this.edgeCache.distribution.id });
      new TerraformOutput(this, GLOBAL_OUTPUTS.distributionArn, { value: this.edgeCache.distributionArn });
    }

    new TerraformOutput(this, GLOBAL_OUTPUTS.zoneId, { value: this.zone.zoneId });
    new TerraformOutput(this, GLOBAL_OUTPUTS.tableName, { value: this.table.table.name });
    new TerraformOutput(this, GLOBAL_OUTPUTS.tableArn, { value: this.table.table.arn });
    new TerraformOutput(this, GLOBAL_OUTPUTS.tableStreamArn, { value: this.table.table.streamArn });
    for (const region of spec.regions) {
      new TerraformOutput(this, GLOBAL_OUTPUTS.bucketName(region), { value: this.buckets.bucketIn(region).bucket });
    }
  }
}
