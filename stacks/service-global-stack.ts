import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { bucketName, type Platform, type ResolvedService, type StackSpec } from '@platform/config';
import { GlobalTable, PlatformStack, ReplicatedBuckets } from '@platform/constructs';
import { SERVICE_TABLE } from '@platform/table-definition';
import { GLOBAL_OUTPUTS, defaultTags, resourceNames, roleArn, stateBackendFor } from './naming';

/**
 * The global layer of one service in one environment: everything shared by its
 * regions (the global table with a replica per region, the replicated buckets).
 * Each resource goes through the aliased provider of the region it lives in.
 */
export class ServiceGlobalStack extends PlatformStack {
  readonly table: GlobalTable;
  readonly buckets: ReplicatedBuckets;

  constructor(scope: Construct, platform: Platform, spec: StackSpec, service: ResolvedService) {
    const env = platform.config.environments[spec.environment];
    super(scope, spec.name, {
      accountId: env.accountId,
      deployRoleArn: roleArn(env.accountId, env.deployRoleName),
      regions: spec.regions,
      defaultTags: defaultTags(spec),
      stateBackend: stateBackendFor(platform, spec),
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

    new TerraformOutput(this, GLOBAL_OUTPUTS.tableName, { value: this.table.table.name });
    new TerraformOutput(this, GLOBAL_OUTPUTS.tableArn, { value: this.table.table.arn });
    new TerraformOutput(this, GLOBAL_OUTPUTS.tableStreamArn, { value: this.table.table.streamArn });
    for (const region of spec.regions) {
      new TerraformOutput(this, GLOBAL_OUTPUTS.bucketName(region), { value: this.buckets.bucketIn(region).bucket });
    }
  }
}
