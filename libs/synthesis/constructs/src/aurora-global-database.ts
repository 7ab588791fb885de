import { auroraClusterIdentifier, formatArn } from '@platform/config';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { RdsGlobalCluster } from '@cdktf/provider-aws/lib/rds-global-cluster';
import { type IGrantable, type PolicyStatement, grant } from './grants';
import { ConstructPropsError, requireDistinctRegions } from './validation';

/** One region of an {@link AuroraGlobalDatabase}. */
export interface AuroraRegion {
  readonly region: string;
  readonly provider: AwsProvider;
  readonly subnetIds: string[];
  readonly securityGroupId: string;
}

/** What a global database's users need: IAM-authenticated connections per region. */
export interface IAuroraGlobalDatabase {
  /**
   * Lets `grantee` connect as `databaseUser` with IAM authentication to the cluster of
   * `region` (or of each of several regions: an app that connects to the global writer
   * endpoint reaches whichever is the writer).
   */
  grantConnect(grantee: IGrantable, region: string | readonly string[], databaseUser: string): PolicyStatement;
}

/** Attributes of a global database another stack created. */
export interface AuroraGlobalDatabaseAttributes {
  readonly accountId: string;
  /** The cluster resource id (`cluster-...`) of a region's cluster, used in `rds-db:connect` ARNs. */
  clusterResourceId(region: string): string;
}

function grantAuroraConnect(attrs: AuroraGlobalDatabaseAttributes, grantee: IGrantable, region: string | readonly string[], databaseUser: string): PolicyStatement {
  const regions = typeof region === 'string' ? [region] : region;
  return grant(grantee, {
    Sid: 'ConnectToDatabaseWithIam',
    Effect: 'Allow',
    Action: ['rds-db:connect'],
    Resource: regions.map((r) => formatArn({ service: 'rds-db', region: r, account: attrs.accountId, resource: `dbuser:${attrs.clusterResourceId(r)}/${databaseUser}` })),
  });
}

/** Props of {@link AuroraGlobalDatabase}. */
export interface AuroraGlobalDatabaseProps {
  /** Identifier of the global cluster; cluster identifiers are `<identifier>-<region>`. */
  readonly identifier: string;
  readonly engine: 'aurora-postgresql' | 'aurora-mysql';
  readonly engineVersion: string;
  /** Regions, the writer's (primary) first. */
  readonly regions: readonly AuroraRegion[];
  /** Account of the clusters, for IAM grants. @default - grantConnect is not available */
  readonly accountId?: string;
  /** @default "db.r6g.large" */
  readonly instanceClass?: string;
  /** @default 2 */
  readonly instancesPerRegion?: number;
  /** @default 7 */
  readonly backupRetentionDays?: number;
  /** @default "app" */
  readonly databaseName?: string;
  /** @default "platform_admin" */
  readonly masterUsername?: string;
  /**
   * Aurora global write forwarding on every cluster (it acts only on secondaries; set
   * on all, so that moving the primary changes nothing). Apps in a secondary region
   * then write through their own cluster's endpoint. @default false
   */
  readonly globalWriteForwarding?: boolean;
}

/**
 * Attributes whose value depends on which region is the writer. They are set on
 * creation and ignored afterwards, so that swapping the primary region in config
 * after a switchover or failover plans no replacement: RDS itself moves the roles.
 */
export const ROLE_DEPENDENT_CLUSTER_ATTRIBUTES = [
  'global_cluster_identifier',
  'replication_source_identifier',
  'master_username',
  'master_password_wo_version',
  // Upgrades of a global database go through the global cluster.
  'engine_version',
];

/**
 * An Aurora global database, all in one stack with each region's provider so
 * Terraform orders the writer before the secondaries: the global cluster, a cluster
 * per region (the writer in the first region with a master password that exists
 * nowhere, see below; read-only secondaries without credentials),
 * instances per region, a KMS key per region, deletion protection, IAM database
 * authentication and log exports. Resource ids name regions, never roles, so a
 * change of primary keeps every address.
 */
export class AuroraGlobalDatabase extends Construct implements IAuroraGlobalDatabase {
  /** Cluster identifier of the global database `identifier` in `region` (what its CloudWatch metrics name). */
  static clusterIdentifier(identifier: string, region: string): string {
    return auroraClusterIdentifier(identifier, region);
  }

  /** A global database another stack created, from its attributes (tokens are fine). */
  static fromAttributes(attrs: AuroraGlobalDatabaseAttributes): IAuroraGlobalDatabase {
    return { grantConnect: (grantee, region, databaseUser) => grantAuroraConnect(attrs, grantee, region, databaseUser) };
  }

  readonly globalCluster: RdsGlobalCluster;
  readonly clusters = new Map<string, RdsCluster>();
  readonly port: number;
  readonly writerRegion: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: AuroraGlobalDatabaseProps,
  ) {
    super(scope, id);
    requireDistinctRegions(this, 'regions', props.regions.map((r) => r.region));
    const instances = props.instancesPerRegion ?? 2;
    const retention = props.backupRetentionDays ?? 7;
    if (retention < 1 || retention > 35) throw new ConstructPropsError(this, `backupRetentionDays must be 1-35, got ${retention}`);
    if (instances < 1) throw new ConstructPropsError(this, `instancesPerRegion must be at least 1, got ${instances}`);
    const postgres = props.engine === 'aurora-postgresql';
    this.port = postgres ? 5432 : 3306;
    const [writer] = props.regions;
    this.writerRegion = writer.region;

    this.globalCluster = new RdsGlobalCluster(this, 'global-cluster', {
      provider: writer.provider,
      globalClusterIdentifier: props.identifier,
      engine: props.engine,
      engineVersion: props.engineVersion,
      databaseName: props.databaseName ?? 'app',
      storageEncrypted: true,
      deletionProtection: true,
      lifecycle: { ignoreChanges: ['database_name'] },
    });

    let writerInstances: RdsClusterInstance[] = [];
    for (const r of props.regions) {
      const isWriter = r === writer;
      const key = new KmsKey(this, `key-${r.region}`, {
        provider: r.provider,
        description: `Aurora ${props.identifier} in ${r.region}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
      });
      new KmsAlias(this, `key-alias-${r.region}`, {
        provider: r.provider,
        name: `alias/${props.identifier}-aurora`,
        targetKeyId: key.keyId,
      });
      const subnets = new DbSubnetGroup(this, `subnets-${r.region}`, {
        provider: r.provider,
        name: `${props.identifier}-${r.region}`,
        subnetIds: r.subnetIds,
      });
      const cluster = new RdsCluster(this, `cluster-${r.region}`, {
        provider: r.provider,
        clusterIdentifier: AuroraGlobalDatabase.clusterIdentifier(props.identifier, r.region),
        engine: props.engine,
        engineVersion: props.engineVersion,
        globalClusterIdentifier: this.globalCluster.id,
        dbSubnetGroupName: subnets.name,
        vpcSecurityGroupIds: [r.securityGroupId],
        storageEncrypted: true,
        kmsKeyId: key.arn,
        backupRetentionPeriod: retention,
        copyTagsToSnapshot: true,
        deletionProtection: true,
        iamDatabaseAuthenticationEnabled: true,
        ...(props.globalWriteForwarding ? { enableGlobalWriteForwarding: true } : {}),
        enabledCloudwatchLogsExports: postgres ? ['postgresql'] : ['audit', 'error', 'slowquery'],
        finalSnapshotIdentifier: `${props.identifier}-${r.region}-final`,
        // Only the writer is created with credentials. RDS refuses to manage the master
        // password in Secrets Manager for a member of a global database
        // (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations),
        // so the writer gets a random password through a write-only argument, which
        // Terraform sends at creation and never keeps in plan or state
        // (https://developer.hashicorp.com/terraform/language/manage-sensitive-data/write-only;
        // resent only when master_password_wo_version changes). Nobody knows it: the
        // apps and the migrations use IAM authentication, and the one-time creation of the
        // database user starts by setting a new master password (docs/orders.md). The
        // value is 128 random bits (Terraform's uuid(), crypto/rand) as 32 hex digits, made
        // in this argument only: no AWS call at plan time (an ephemeral
        // aws_secretsmanager_random_password would call GetRandomPassword on every plan),
        // and no copy anywhere (a Secrets Manager version would be read back with
        // GetSecretValue on every refresh, by the plan role too).
        ...(isWriter
          ? {
              masterUsername: props.masterUsername ?? 'platform_admin',
              masterPasswordWo: Fn.replace(Fn.uuid(), '-', ''),
              masterPasswordWoVersion: 1,
            }
          : {}),
        // Secondaries can only join once the writer has an instance.
        ...(isWriter ? {} : { dependsOn: writerInstances }),
        lifecycle: { ignoreChanges: ROLE_DEPENDENT_CLUSTER_ATTRIBUTES },
      });
      this.clusters.set(r.region, cluster);
      const created: RdsClusterInstance[] = [];
      for (let i = 1; i <= instances; i++) {
        created.push(
          new RdsClusterInstance(this, `instance-${r.region}-${i}`, {
            provider: r.provider,
            identifier: `${props.identifier}-${r.region}-${i}`,
            clusterIdentifier: cluster.id,
            engine: props.engine,
            instanceClass: props.instanceClass ?? 'db.r6g.large',
            dbSubnetGroupName: subnets.name,
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: key.arn,
            autoMinorVersionUpgrade: true,
            lifecycle: { ignoreChanges: ['engine_version'] },
          }),
        );
      }
      if (isWriter) writerInstances = created;
    }
  }

  /** The cluster of `region`. */
  clusterIn(region: string): RdsCluster {
    const cluster = this.clusters.get(region);
    if (!cluster) throw new ConstructPropsError(this, `no cluster in region "${region}"`);
    return cluster;
  }

  grantConnect(grantee: IGrantable, region: string | readonly string[], databaseUser: string): PolicyStatement {
    const accountId = this.props.accountId;
    if (!accountId) throw new ConstructPropsError(this, 'grantConnect needs the accountId prop');
    return grantAuroraConnect(
      { accountId, clusterResourceId: (r) => this.clusterIn(r).clusterResourceId },
      grantee,
      region,
      databaseUser,
    );
  }

  /** The global writer endpoint: follows the writer through switchovers and failovers. */
  get writerEndpoint(): string {
    return this.globalCluster.endpoint;
  }
}
