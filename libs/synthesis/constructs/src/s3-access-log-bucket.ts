import { Construct } from 'constructs';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { suppressPolicyRule } from './policy-suppression';
import { type IAccessLogDestination, SecureBucket } from './secure-bucket';
import { ConstructPropsError } from './validation';

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
export class S3AccessLogBucket extends Construct implements IAccessLogDestination {
  readonly bucket: S3Bucket;
  private readonly provider: AwsProvider;

  constructor(scope: Construct, id: string, props: S3AccessLogBucketProps) {
    super(scope, id);
    const days = props.expirationDays ?? 365;
    if (!Number.isInteger(days) || days < 1) throw new ConstructPropsError(this, `expirationDays must be a whole number of at least 1, got ${days}`);
    const provider = props.provider;
    this.provider = provider;
    // Its resources keep the ids (so the addresses) they had before SecureBucket.
    const secure = new SecureBucket(this, 'secure-bucket', { provider, bucketName: props.bucketName, idsInScope: (resource) => resource });
    this.bucket = secure.bucket;
    suppressPolicyRule(this.bucket, 'CKV_AWS_18', 'the access-log bucket is the destination of access logs; logging it into itself would loop');
    const bucket = this.bucket.id;
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
    secure.addToResourcePolicy({
      Sid: 'S3ServerAccessLogDelivery',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${this.bucket.arn}/*`,
      Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
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
