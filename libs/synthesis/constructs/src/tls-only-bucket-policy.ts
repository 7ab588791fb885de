import { Construct } from 'constructs';
import { type ITerraformDependable, Lazy } from 'cdktf';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';

/** A bucket policy statement, in S3's JSON shape. */
export interface BucketPolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal: unknown;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * The two statements every bucket of the platform carries: deny any request over
 * plain HTTP (`aws:SecureTransport` false) and any over TLS older than 1.2.
 */
export function tlsOnlyStatements(bucketArn: string): BucketPolicyStatement[] {
  const resource = [bucketArn, `${bucketArn}/*`];
  return [
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: resource,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: 'DenyOutdatedTls',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: resource,
      Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
    },
  ];
}

/** Props of {@link TlsOnlyBucketPolicy}. */
export interface TlsOnlyBucketPolicyProps {
  /** Provider of the bucket's region. */
  readonly provider: AwsProvider;
  /** The bucket's name (or id). */
  readonly bucket: string;
  readonly bucketArn: string;
  /** More statements of the same policy (a bucket has one policy). @default [] */
  readonly statements?: readonly BucketPolicyStatement[];
  /**
   * Resources the policy waits for; S3 rejects a policy while BlockPublicPolicy is
   * being set on a new bucket, so pass the public access block.
   * @default []
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** The bucket policy of a platform bucket: TLS only, plus the given statements. */
export class TlsOnlyBucketPolicy extends Construct {
  readonly policy: S3BucketPolicy;
  private readonly statements: BucketPolicyStatement[];

  constructor(scope: Construct, id: string, props: TlsOnlyBucketPolicyProps) {
    super(scope, id);
    this.statements = [...tlsOnlyStatements(props.bucketArn), ...(props.statements ?? [])];
    this.policy = new S3BucketPolicy(this, 'policy', {
      provider: props.provider,
      bucket: props.bucket,
      // Rendered at synth, so statements added after construction are in it.
      policy: Lazy.stringValue({ produce: () => JSON.stringify({ Version: '2012-10-17', Statement: this.statements }) }),
      dependsOn: props.dependsOn,
    });
  }

  /** Adds a statement after the ones the policy already has. */
  addStatement(statement: BucketPolicyStatement): void {
    this.statements.push(statement);
  }
}
