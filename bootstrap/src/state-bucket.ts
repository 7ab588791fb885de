import { Construct } from 'constructs';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { stateKeyPrefix } from '@platform/config';
import { ConstructPropsError } from '@platform/constructs';
import { type PolicyStatement, accountOf, accountRoot, policyDocument } from './policy';

/** Props of {@link StateBucket}. */
export interface StateBucketProps {
  readonly provider: AwsProvider;
  readonly bucketName: string;
  /** Prefix of the stacks' state keys; the pipeline roles get access below it only. */
  readonly keyPrefix: string;
  /**
   * Roles (any account) that read state and take the S3 lock (`<key>.tflock`), e.g.
   * the plan roles.
   * @default []
   */
  readonly readerRoleArns?: readonly string[];
  /** Roles (any account) that read and write state, e.g. the deploy roles. @default [] */
  readonly writerRoleArns?: readonly string[];
  /**
   * Days an overwritten state version is kept (versioning is how a broken state is
   * rolled back).
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
}

/**
 * The Terraform state bucket: versioned, encrypted (SSE-S3, so roles of other
 * accounts need no KMS grant), public access blocked, bucket-owner-enforced, a
 * policy that denies anything but TLS 1.2+ and grants the pipeline roles of the
 * environment accounts access below the key prefix. Protected from destroy.
 */
export class StateBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.bucketName)) {
      throw new ConstructPropsError(this, `bucketName "${props.bucketName}" is not a valid S3 bucket name`);
    }
    const days = props.noncurrentVersionExpirationDays ?? 90;
    if (!Number.isInteger(days) || days < 1) {
      throw new ConstructPropsError(this, `noncurrentVersionExpirationDays must be a whole number of days of at least 1, got ${days}`);
    }
    const provider = props.provider;
    this.bucket = new S3Bucket(this, 'bucket', {
      provider,
      bucket: props.bucketName,
      lifecycle: { preventDestroy: true },
    });
    const bucket = this.bucket.bucket;
    new S3BucketVersioningA(this, 'versioning', { provider, bucket, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      provider,
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access', {
      provider,
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { provider, bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
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

    const arn = `arn:aws:s3:::${props.bucketName}`;
    const prefix = stateKeyPrefix(props.keyPrefix);
    const readers = [...(props.readerRoleArns ?? [])].sort();
    const writers = [...(props.writerRoleArns ?? [])].sort();
    const grant = (sid: string, roles: string[], actions: string[], resource: string): PolicyStatement[] =>
      roles.length === 0
        ? []
        : [
            {
              Sid: sid,
              Effect: 'Allow',
              Principal: { AWS: [...new Set(roles.map(accountOf))].sort().map(accountRoot) },
              Action: actions,
              Resource: resource,
              Condition: { ArnEquals: { 'aws:PrincipalArn': roles } },
            },
          ];
    const statements: PolicyStatement[] = [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'DenyOutdatedTls',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, `${arn}/*`],
        Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
      },
      ...grant('PipelinesListState', [...new Set([...readers, ...writers])].sort(), ['s3:ListBucket'], arn),
      ...grant('ReadersReadState', readers, ['s3:GetObject'], `${arn}/${prefix}/*`),
      ...grant('ReadersTakeTheLock', readers, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], `${arn}/${prefix}/*.tflock`),
      ...grant('WritersReadAndWriteState', writers, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], `${arn}/${prefix}/*`),
    ];
    this.policy = new S3BucketPolicy(this, 'policy', {
      provider,
      bucket,
      policy: policyDocument(statements),
      // S3 rejects a bucket policy while BlockPublicPolicy is being set up on a new bucket.
      dependsOn: [publicAccess],
    });
  }
}
