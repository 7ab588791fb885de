import { Construct } from 'constructs';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import type { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { type BucketPolicyStatement, TlsOnlyBucketPolicy } from './tls-only-bucket-policy';
import { ConstructPropsError, isKnown } from './validation';

/** The resources of a {@link SecureBucket}, by the construct id each gets by default. */
export type SecureBucketResource = 'bucket' | 'versioning' | 'encryption' | 'public-access-block' | 'ownership' | 'policy' | 'access-logs';

/** Where a bucket's S3 server access logs go (an `S3AccessLogBucket` of the bucket's region). */
export interface IAccessLogDestination {
  /** Sends the server access logs of `bucket` here, under `prefix`. */
  logBucket(scope: Construct, id: string, props: { readonly provider?: AwsProvider; readonly bucket: string; readonly prefix: string }): unknown;
}

/** Props of {@link SecureBucket}. */
export interface SecureBucketProps {
  /** Provider of the bucket's region. */
  readonly provider: AwsProvider;
  /** Globally unique bucket name. */
  readonly bucketName: string;
  /**
   * S3 Object Ownership. `BucketOwnerPreferred` keeps ACLs enabled, for a bucket that
   * a service writes to through an ACL grant (CloudFront standard logs).
   * @default 'BucketOwnerEnforced' - ACLs disabled, the bucket owner owns every object
   */
  readonly objectOwnership?: 'BucketOwnerEnforced' | 'BucketOwnerPreferred';
  /**
   * Sets `bucket_key_enabled` on the default encryption (S3 Bucket Keys cut KMS calls
   * when objects use SSE-KMS; with SSE-S3 they change nothing).
   * @default true
   */
  readonly bucketKeyEnabled?: boolean;
  /** Terraform refuses to destroy the bucket (`lifecycle.prevent_destroy`). @default false */
  readonly preventDestroy?: boolean;
  /**
   * Where the bucket's S3 server access logs go, under `<bucketName>/`.
   * @default - no access logging
   */
  readonly accessLogs?: IAccessLogDestination;
  /**
   * Creates the resources in this construct's scope with these ids, instead of under
   * the construct with the resource names as ids. A bucket that existed before this
   * construct keeps its construct paths and so its Terraform addresses: a changed
   * address plans the bucket's destroy and re-creation unless a `moved` block follows it.
   * @default - under the construct: `bucket`, `versioning`, `encryption`, `public-access-block`, `ownership`, `policy`, `access-logs`
   */
  readonly idsInScope?: (resource: SecureBucketResource) => string;
}

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * An S3 bucket with the platform's hardening, the one implementation of it: versioned,
 * encrypted by default (SSE-S3, so no KMS grant is needed by readers in other accounts
 * or by S3 log delivery), every public access blocked, ACLs disabled (unless
 * `objectOwnership` keeps them), and a bucket policy that denies any request that is
 * not TLS 1.2 or later. More policy statements come through {@link addToResourcePolicy}.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly versioning: S3BucketVersioningA;
  readonly publicAccessBlock: S3BucketPublicAccessBlock;
  readonly ownershipControls: S3BucketOwnershipControls;
  readonly policy: S3BucketPolicy;
  private readonly tlsOnlyPolicy: TlsOnlyBucketPolicy;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    if (isKnown(props.bucketName) && !BUCKET_NAME.test(props.bucketName)) {
      throw new ConstructPropsError(
        this,
        `bucketName "${props.bucketName}" is not a valid S3 bucket name (3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)`,
      );
    }
    const at: Construct = props.idsInScope ? scope : this;
    const idOf = props.idsInScope ?? ((resource: SecureBucketResource) => resource);
    const provider = props.provider;
    const ownership = props.objectOwnership ?? 'BucketOwnerEnforced';

    this.bucket = new S3Bucket(at, idOf('bucket'), {
      provider,
      bucket: props.bucketName,
      ...(props.preventDestroy ? { lifecycle: { preventDestroy: true } } : {}),
    });
    // `id` is the bucket's name (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket#id-1).
    const bucket = this.bucket.id;
    this.versioning = new S3BucketVersioningA(at, idOf('versioning'), { provider, bucket, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(at, idOf('encryption'), {
      provider,
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, ...((props.bucketKeyEnabled ?? true) ? { bucketKeyEnabled: true } : {}) }],
    });
    this.publicAccessBlock = new S3BucketPublicAccessBlock(at, idOf('public-access-block'), {
      provider,
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    this.ownershipControls = new S3BucketOwnershipControls(at, idOf('ownership'), { provider, bucket, rule: { objectOwnership: ownership } });
    this.tlsOnlyPolicy = new TlsOnlyBucketPolicy(at, idOf('policy'), {
      provider,
      bucket,
      bucketArn: this.bucket.arn,
      // S3 rejects a policy while BlockPublicPolicy is being set on a new bucket. A bucket
      // that keeps ACLs (the CloudFront log bucket) has had its policy wait for its
      // ownership controls too since it was written; kept, so its plan does not change.
      dependsOn: ownership === 'BucketOwnerEnforced' ? [this.publicAccessBlock] : [this.publicAccessBlock, this.ownershipControls],
    });
    this.policy = this.tlsOnlyPolicy.policy;
    props.accessLogs?.logBucket(at, idOf('access-logs'), { provider, bucket, prefix: `${props.bucketName}/` });
  }

  /** The bucket's ARN (a reference to the created bucket). */
  get bucketArn(): string {
    return this.bucket.arn;
  }

  /** Adds a statement to the bucket policy, after the two TLS-only ones. */
  addToResourcePolicy(statement: BucketPolicyStatement): void {
    this.tlsOnlyPolicy.addStatement(statement);
  }
}
