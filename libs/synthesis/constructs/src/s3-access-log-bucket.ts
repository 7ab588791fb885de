import { Construct } from 'constructs';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { suppressPolicyRule } from './policy-suppression';
import { TlsOnlyBucketPolicy } from './tls-only-bucket-policy';
import { ConstructPropsError, isKnown } from './validation';

/** Props of {@link S3AccessLogBucket}. */
export interface S3AccessLogBucketProps {
  /** Provider of the region: S3 delivers server access logs only within a region. */
  readonly provider: AwsProvider;
  readonly bucketName: string;
  /** Account whose buckets log here (`aws:SourceAccount` of the delivery). */
  readonly accountId: string;
  /** Days a log object is kept. @default 365 */
  readonly expirationDays?: number;
}

/**
 * The bucket of one region that receives the S3 server access logs of the platform's
 * buckets there: versioned, SSE-S3 (log delivery cannot use a customer-managed key),
 * public access blocked, bucket-owner-enforced, TLS only, logs expired after
 * `expirationDays`, and writable by S3's log delivery for this account only.
 * It does not log itself (logs of the logs would loop).
 */
export class S3AccessLogBucket extends Construct {
  readonly bucket: S3Bucket;
  private readonly provider: AwsProvider;

  constructor(scope: Construct, id: string, props: S3AccessLogBucketProps) {
    super(scope, id);
    const days = props.expirationDays ?? 365;
    if (!Number.isInteger(days) || days < 1) throw new ConstructPropsError(this, `expirationDays must be a whole number of at least 1, got ${days}`);
    if (isKnown(props.bucketName) && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.bucketName)) {
      throw new ConstructPropsError(this, `bucketName "${props.bucketName}" is not a valid S3 bucket name`);
    }
    const provider = props.provider;
    this.provider = provider;
    this.bucket = new S3Bucket(this, 'bucket', { provider, bucket: props.bucketName });
    suppressPolicyRule(this.bucket, 'CKV_AWS_18', 'the access-log bucket is the destination of access logs; logging it into itself would loop');
    const bucket = this.bucket.id;
    new S3BucketVersioningA(this, 'versioning', { provider, bucket, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      provider,
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access-block', {
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
          id: 'expire-logs',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          expiration: [{ days }],
          noncurrentVersionExpiration: [{ noncurrentDays: 30 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    new TlsOnlyBucketPolicy(this, 'policy', {
      provider,
      bucket,
      bucketArn: this.bucket.arn,
      dependsOn: [publicAccess],
      statements: [
        {
          Sid: 'S3ServerAccessLogDelivery',
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${this.bucket.arn}/*`,
          Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
        },
      ],
    });
  }

  /** Sends the server access logs of `bucket` (same region) here, under `prefix`. */
  logBucket(scope: Construct, id: string, props: { readonly provider?: AwsProvider; readonly bucket: string; readonly prefix: string }): S3BucketLoggingA {
    return new S3BucketLoggingA(scope, id, {
      provider: props.provider ?? this.provider,
      bucket: props.bucket,
      targetBucket: this.bucket.id,
      targetPrefix: props.prefix,
    });
  }
}
