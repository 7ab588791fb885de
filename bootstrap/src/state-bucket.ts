import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import type { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { accountRootArn, environmentStatePrefix, stateBucketArn } from '@platform/config';
import { type BucketPolicyStatement, ConstructPropsError, type S3AccessLogBucket, SecureBucket } from '@platform/constructs';
import { type PolicyStatement, accountOf } from './policy';

/** The roles (any account) that reach one environment's state folder, `<keyPrefix>/<env>/`. */
export interface StateGrant {
  readonly environment: string;
  /** Roles that read state and take the S3 lock (`<key>.tflock`), e.g. the plan roles. @default [] */
  readonly readerRoleArns?: readonly string[];
  /** Roles that read and write state, e.g. the deploy roles. @default [] */
  readonly writerRoleArns?: readonly string[];
}

/** Props of {@link StateBucket}. */
export interface StateBucketProps {
  readonly provider: AwsProvider;
  readonly bucketName: string;
  /** Prefix of the stacks' state keys; each environment's roles get access below `<keyPrefix>/<env>/` only. */
  readonly keyPrefix: string;
  /** Per environment, the roles of other accounts that reach its state folder. @default [] */
  readonly grants?: readonly StateGrant[];
  /**
   * Bucket receiving the S3 server access logs of the state bucket.
   * @default - no access logging
   */
  readonly accessLogBucket?: S3AccessLogBucket;
  /**
   * Days an overwritten state version is kept (versioning is how a broken state is
   * rolled back).
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
}

/**
 * The Terraform state bucket: versioned, encrypted (SSE-S3, so roles of other
 * accounts need no KMS grant), public access blocked, bucket-owner-enforced, access
 * logged, a policy that denies anything but TLS 1.2+ and grants each environment's
 * pipeline roles access to that environment's folder only. Protected from destroy.
 */
export class StateBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    const days = props.noncurrentVersionExpirationDays ?? 90;
    if (!Number.isInteger(days) || days < 1) {
      throw new ConstructPropsError(this, `noncurrentVersionExpirationDays must be a whole number of days of at least 1, got ${days}`);
    }
    const provider = props.provider;
    // Its resources keep the ids (so the addresses) they had before SecureBucket, but
    // for the policy, now one level down (see the moved block below).
    const secure = new SecureBucket(this, 'secure-bucket', {
      provider,
      bucketName: props.bucketName,
      preventDestroy: true,
      accessLogs: props.accessLogBucket,
      idsInScope: (resource) => (resource === 'public-access-block' ? 'public-access' : resource),
    });
    this.bucket = secure.bucket;
    this.policy = secure.policy;
    // The policy was `<this>/policy`; it is now `<this>/policy/policy`. The old address
    // is the logical id of the construct that now holds it, at the old path.
    const formerPolicy = TerraformStack.of(this).getLogicalId(this.policy.node.scope!.node);
    this.policy.moveFromId(`aws_s3_bucket_policy.${formerPolicy}`);
    const bucket = this.bucket.id;
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      provider,
      bucket,
      rule: [
        {
          id: 'expire-old-state-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: days }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });

    const arn = stateBucketArn(props.bucketName);
    const grant = (sid: string, roles: readonly string[], actions: string[], resource: string, condition?: PolicyStatement['Condition']): BucketPolicyStatement[] =>
      roles.length === 0
        ? []
        : [
            {
              Sid: sid,
              Effect: 'Allow',
              Principal: { AWS: [...new Set(roles.map(accountOf))].sort().map((a) => accountRootArn(a)) },
              Action: actions,
              Resource: resource,
              Condition: { ...(condition ?? {}), ArnEquals: { 'aws:PrincipalArn': [...roles].sort() } },
            },
          ];
    const statements: BucketPolicyStatement[] = [];
    for (const g of props.grants ?? []) {
      // Sids are alphanumeric: the environment name without its hyphens.
      const env = g.environment.replace(/[^A-Za-z0-9]/g, '');
      const folder = environmentStatePrefix(props.keyPrefix, g.environment);
      const readers = g.readerRoleArns ?? [];
      const writers = g.writerRoleArns ?? [];
      statements.push(
        ...grant(`${env}ListState`, [...new Set([...readers, ...writers])], ['s3:ListBucket'], arn, {
          StringLike: { 's3:prefix': [folder, `${folder}/*`] },
        }),
        ...grant(`${env}ReadersReadState`, readers, ['s3:GetObject'], `${arn}/${folder}/*`),
        ...grant(`${env}ReadersTakeTheLock`, readers, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], `${arn}/${folder}/*.tflock`),
        ...grant(`${env}WritersReadAndWriteState`, writers, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], `${arn}/${folder}/*`),
      );
    }
    for (const statement of statements) secure.addToResourcePolicy(statement);
  }
}
