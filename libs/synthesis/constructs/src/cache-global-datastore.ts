import { cacheReplicationGroupId, formatArn } from '@platform/config';
import { Construct } from 'constructs';
import { ElasticacheGlobalReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-global-replication-group';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheSubnetGroup } from '@cdktf/provider-aws/lib/elasticache-subnet-group';
import { ElasticacheUser } from '@cdktf/provider-aws/lib/elasticache-user';
import { ElasticacheUserGroup } from '@cdktf/provider-aws/lib/elasticache-user-group';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { type IGrantable, type PolicyStatement, grant } from './grants';
import { RegionalKmsKey } from './regional-kms-key';
import { ConstructPropsError, requireDistinctRegions } from './validation';

/** One region of a {@link CacheGlobalDatastore}. */
export interface CacheRegion {
  readonly region: string;
  readonly provider: AwsProvider;
  readonly subnetIds: string[];
  readonly securityGroupId: string;
}

/** What a global datastore's users need: IAM-authenticated connections per region. */
export interface ICacheGlobalDatastore {
  /** Lets `grantee` connect with IAM authentication, as the datastore's user, to the replication group of `region`. */
  grantConnect(grantee: IGrantable, region: string | readonly string[]): PolicyStatement;
}

/** Attributes of a global datastore another stack created. */
export interface CacheGlobalDatastoreAttributes {
  readonly accountId: string;
  /** The datastore's identifier (replication groups are `<identifier>-<region>`). */
  readonly identifier: string;
  /** The IAM-authenticated user the application connects as. */
  readonly userName: string;
}

function grantCacheConnect(attrs: CacheGlobalDatastoreAttributes, grantee: IGrantable, region: string | readonly string[]): PolicyStatement {
  const regions = typeof region === 'string' ? [region] : region;
  return grant(grantee, {
    Sid: 'ConnectToCacheWithIam',
    Effect: 'Allow',
    Action: ['elasticache:Connect'],
    Resource: regions.flatMap((r) => [
      formatArn({ service: 'elasticache', region: r, account: attrs.accountId, resource: `replicationgroup:${cacheReplicationGroupId(attrs.identifier, r)}` }),
      formatArn({ service: 'elasticache', region: r, account: attrs.accountId, resource: `user:${attrs.userName}` }),
    ]),
  });
}

/** Props of {@link CacheGlobalDatastore}. */
export interface CacheGlobalDatastoreProps {
  /** Replication groups are `<identifier>-<region>`; the global datastore's suffix is the identifier. */
  readonly identifier: string;
  /** @default "valkey" */
  readonly engine?: 'valkey' | 'redis';
  /** @default "8.0" for valkey, "7.1" for redis */
  readonly engineVersion?: string;
  /** @default "cache.r7g.large" */
  readonly nodeType?: string;
  /** Read replicas per region besides the node holding the data. @default 1 */
  readonly replicasPerRegion?: number;
  /** Regions, the primary first; at most two secondaries. */
  readonly regions: readonly CacheRegion[];
  /** IAM-authenticated user the service connects as. */
  readonly userName: string;
  /** Account of the datastore, for IAM grants. @default - grantConnect is not available */
  readonly accountId?: string;
}

/** Attributes set only on the primary at creation; the global datastore owns them afterwards. */
export const ROLE_DEPENDENT_CACHE_ATTRIBUTES = [
  'global_replication_group_id',
  'engine',
  'engine_version',
  'node_type',
  'at_rest_encryption_enabled',
  'transit_encryption_enabled',
  'parameter_group_name',
];

/**
 * An ElastiCache global datastore: a replication group per region (ids name regions),
 * the global replication group over the first, read-only secondaries elsewhere.
 * Encryption in transit and at rest; clients authenticate with IAM through an RBAC
 * user group per region (the default user is disabled).
 */
export class CacheGlobalDatastore extends Construct implements ICacheGlobalDatastore {
  /** Replication group id of the datastore `identifier` in `region`. */
  static replicationGroupId(identifier: string, region: string): string {
    return cacheReplicationGroupId(identifier, region);
  }

  /**
   * The member clusters (one node each) of the replication group of `region` with
   * `nodes` nodes: what ElastiCache's CloudWatch metrics name (dimension
   * `CacheClusterId`; the metrics are per cache node:
   * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html).
   * ElastiCache numbers a cluster-mode-disabled group's members `<group>-001`, `-002`, …;
   * the AWS provider relies on the same (it names `<group>-001` the snapshotting
   * cluster, internal/service/elasticache/replication_group.go).
   */
  static memberClusterIds(identifier: string, region: string, nodes: number): string[] {
    return Array.from({ length: nodes }, (_, i) => `${cacheReplicationGroupId(identifier, region)}-${String(i + 1).padStart(3, '0')}`);
  }

  /** A global datastore another stack created, from its attributes. */
  static fromAttributes(attrs: CacheGlobalDatastoreAttributes): ICacheGlobalDatastore {
    return { grantConnect: (grantee, region) => grantCacheConnect(attrs, grantee, region) };
  }

  readonly globalGroup: ElasticacheGlobalReplicationGroup;
  readonly groups = new Map<string, ElasticacheReplicationGroup>();
  readonly port = 6379;
  readonly userIds = new Map<string, string>();

  constructor(
    scope: Construct,
    id: string,
    private readonly props: CacheGlobalDatastoreProps,
  ) {
    super(scope, id);
    requireDistinctRegions(this, 'regions', props.regions.map((r) => r.region));
    if (props.regions.length > 3) {
      throw new ConstructPropsError(this, `a global datastore has at most two secondary regions, got ${props.regions.length - 1}`);
    }
    const engine = props.engine ?? 'valkey';
    const replicas = props.replicasPerRegion ?? 1;
    const [primary, ...secondaries] = props.regions;
    const groupFor = (r: CacheRegion, extra: Record<string, unknown>) => {
      const subnets = new ElasticacheSubnetGroup(this, `subnets-${r.region}`, {
        provider: r.provider,
        name: `${props.identifier}-${r.region}`,
        subnetIds: r.subnetIds,
      });
      const disabledDefault = new ElasticacheUser(this, `default-user-${r.region}`, {
        provider: r.provider,
        userId: `${props.identifier}-default`,
        userName: 'default',
        engine,
        accessString: 'off -@all',
        authenticationMode: { type: 'no-password-required' },
      });
      const serviceUser = new ElasticacheUser(this, `user-${r.region}`, {
        provider: r.provider,
        // IAM authentication requires the user id to equal the user name.
        userId: props.userName,
        userName: props.userName,
        engine,
        accessString: 'on ~* +@all -@dangerous',
        authenticationMode: { type: 'iam' },
      });
      this.userIds.set(r.region, serviceUser.userId);
      const users = new ElasticacheUserGroup(this, `user-group-${r.region}`, {
        provider: r.provider,
        userGroupId: `${props.identifier}-${r.region}`,
        engine,
        userIds: [disabledDefault.userId, serviceUser.userId],
      });
      // The cache holds the service's own data: a customer-managed key per region.
      const key = props.accountId
        ? new RegionalKmsKey(this, `key-${r.region}`, {
            provider: r.provider,
            region: r.region,
            accountId: props.accountId,
            description: `ElastiCache ${props.identifier} in ${r.region}`,
            viaServices: ['elasticache'],
          })
        : undefined;
      const group = new ElasticacheReplicationGroup(this, `group-${r.region}`, {
        provider: r.provider,
        replicationGroupId: cacheReplicationGroupId(props.identifier, r.region),
        description: `${props.identifier} cache in ${r.region}`,
        numCacheClusters: 1 + replicas,
        automaticFailoverEnabled: replicas > 0,
        multiAzEnabled: replicas > 0,
        subnetGroupName: subnets.name,
        securityGroupIds: [r.securityGroupId],
        userGroupIds: [users.userGroupId],
        snapshotRetentionLimit: 1,
        ...(key ? { kmsKeyId: key.arn } : {}),
        lifecycle: { ignoreChanges: ROLE_DEPENDENT_CACHE_ATTRIBUTES },
        ...extra,
      });
      this.groups.set(r.region, group);
      return group;
    };

    const primaryGroup = groupFor(primary, {
      engine,
      engineVersion: props.engineVersion ?? (engine === 'valkey' ? '8.0' : '7.1'),
      nodeType: props.nodeType ?? 'cache.r7g.large',
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
    });
    this.globalGroup = new ElasticacheGlobalReplicationGroup(this, 'global-group', {
      provider: primary.provider,
      globalReplicationGroupIdSuffix: props.identifier,
      primaryReplicationGroupId: primaryGroup.id,
      globalReplicationGroupDescription: `${props.identifier} global datastore`,
      // After a failover AWS reports another member as primary; the group itself stays.
      lifecycle: { ignoreChanges: ['primary_replication_group_id'] },
    });
    for (const r of secondaries) {
      // Engine, node type and encryption are inherited from the global datastore.
      groupFor(r, { globalReplicationGroupId: this.globalGroup.globalReplicationGroupId });
    }
  }

  grantConnect(grantee: IGrantable, region: string): PolicyStatement {
    const accountId = this.props.accountId;
    if (!accountId) throw new ConstructPropsError(this, 'grantConnect needs the accountId prop');
    this.groupIn(region);
    return grantCacheConnect({ accountId, identifier: this.props.identifier, userName: this.props.userName }, grantee, region);
  }

  /** The replication group of `region`. */
  groupIn(region: string): ElasticacheReplicationGroup {
    const group = this.groups.get(region);
    if (!group) throw new ConstructPropsError(this, `no replication group in region "${region}"`);
    return group;
  }
}
