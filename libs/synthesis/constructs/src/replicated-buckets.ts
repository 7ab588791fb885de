import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import type { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import type { S3AccessLogBucket } from './s3-access-log-bucket';
import { SecureBucket } from './secure-bucket';
import { ConstructPropsError, requireDistinctRegions } from './validation';

/** One region of {@link ReplicatedBuckets}. */
export interface BucketRegion {
  readonly region: string;
  readonly provider: AwsProvider;
  /** Globally unique bucket name for this region. */
  readonly bucketName: string;
}

/** Props of {@link ReplicatedBuckets}. */
export interface ReplicatedBucketsProps {
  /** Regions, the source (primary) first; every other region receives replicas. */
  readonly regions: readonly BucketRegion[];
  /**
   * Name of the IAM role S3 assumes to replicate. IAM is global, so the name must be
   * unique in the account.
   */
  readonly replicationRoleName: string;
  /**
   * S3 Replication Time Control: 99.99 % of objects replicated within 15 minutes,
   * with replication metrics. Costs extra per GB.
   * @default false - asynchronous replication, most objects within seconds to minutes, no SLA
   */
  readonly replicationTimeControl?: boolean;
  /**
   * Account of the buckets: the replication role then trusts S3 only on behalf of this
   * account (`aws:SourceAccount`, against the confused deputy).
   * @default - no condition
   */
  readonly accountId?: string;
  /**
   * The bucket of each region that receives the buckets' S3 server access logs.
   * @default - no access logging
   */
  readonly accessLogBuckets?: ReadonlyMap<string, S3AccessLogBucket>;
}

/**
 * One S3 bucket per region (versioned, encrypted, public access blocked, ACLs
 * disabled, TLS only, access logged into the region's log bucket) with cross-region replication from the first region's bucket to each
 * other bucket, delete markers included. Replication needs versioning on both
 * sides, so the replication configuration depends on every versioning resource.
 * Objects that existed before replication was configured are not replicated.
 */
export class ReplicatedBuckets extends Construct {
  /** Bucket per region. */
  readonly buckets = new Map<string, S3Bucket>();
  readonly replicationRole?: IamRole;

  constructor(scope: Construct, id: string, props: ReplicatedBucketsProps) {
    super(scope, id);
    requireDistinctRegions(this, 'regions', props.regions.map((r) => r.region));

    const versioning: S3BucketVersioningA[] = [];
    for (const { region, provider, bucketName } of props.regions) {
      // Its resources keep the ids (so the addresses) they had before SecureBucket.
      const secure = new SecureBucket(this, `secure-bucket-${region}`, {
        provider,
        bucketName,
        accessLogs: props.accessLogBuckets?.get(region),
        idsInScope: (resource) => `${resource}-${region}`,
      });
      this.buckets.set(region, secure.bucket);
      versioning.push(secure.versioning);
    }

    const [source, ...destinations] = props.regions;
    if (destinations.length === 0) return;
    const sourceBucket = this.buckets.get(source.region)!;

    this.replicationRole = new IamRole(this, 'replication-role', {
      provider: source.provider,
      name: props.replicationRoleName,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: 'sts:AssumeRole',
            ...(props.accountId ? { Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } } } : {}),
          },
        ],
      }),
    });
    const destinationArns = destinations.map((d) => this.buckets.get(d.region)!.arn);
    new IamRolePolicy(this, 'replication-policy', {
      provider: source.provider,
      role: this.replicationRole.id,
      name: 'replicate-to-replica-buckets',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ReadSourceConfiguration',
            Effect: 'Allow',
            Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
            Resource: [sourceBucket.arn],
          },
          {
            Sid: 'ReadSourceObjects',
            Effect: 'Allow',
            Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
            Resource: [`${sourceBucket.arn}/*`],
          },
          {
            Sid: 'WriteReplicas',
            Effect: 'Allow',
            Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
            Resource: destinationArns.map((arn) => `${arn}/*`),
          },
        ],
      }),
    });

    const rtc = props.replicationTimeControl ?? false;
    new S3BucketReplicationConfigurationA(this, 'replication', {
      provider: source.provider,
      bucket: sourceBucket.id,
      role: this.replicationRole.arn,
      // Versioning must be enabled on both sides before S3 accepts the configuration.
      dependsOn: versioning,
      rule: destinations.map((d, i) => ({
        id: `to-${d.region}`,
        priority: i + 1,
        status: 'Enabled',
        filter: { prefix: '' },
        deleteMarkerReplication: { status: 'Enabled' },
        destination: {
          bucket: this.buckets.get(d.region)!.arn,
          storageClass: 'STANDARD',
          ...(rtc
            ? {
                replicationTime: { status: 'Enabled', time: { minutes: 15 } },
                metrics: { status: 'Enabled', eventThreshold: { minutes: 15 } },
              }
            : {}),
        },
      })),
    });
  }

  /** Bucket of `region`. */
  bucketIn(region: string): S3Bucket {
    const bucket = this.buckets.get(region);
    if (!bucket) throw new ConstructPropsError(this, `no bucket in region "${region}"`);
    return bucket;
  }
}
