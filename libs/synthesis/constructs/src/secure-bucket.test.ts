import { Construct } from 'constructs';
import { S3AccessLogBucket } from './s3-access-log-bucket';
import { SecureBucket, type SecureBucketProps } from './secure-bucket';
import { only, synth, testStack } from './test-helpers';

function secureBucket(props: Partial<SecureBucketProps> = {}, configure?: (bucket: SecureBucket) => void) {
  const stack = testStack(['eu-west-1']);
  const bucket = new SecureBucket(stack, 'objects', { provider: stack.provider('eu-west-1'), bucketName: 'acme-objects', ...props });
  configure?.(bucket);
  return synth(stack);
}

/** The `${aws_s3_bucket.<id>.id}` reference every companion resource must carry. */
function bucketRef(tf: any): string {
  const [logicalId] = Object.keys(tf.resource.aws_s3_bucket);
  return `\${aws_s3_bucket.${logicalId}.id}`;
}

function logicalIds(tf: any, type: string): string[] {
  return Object.keys(tf.resource?.[type] ?? {});
}

function policyOf(tf: any): any {
  return JSON.parse(only(tf, 'aws_s3_bucket_policy').policy);
}

describe('SecureBucket', () => {
  it('given a bucket, when synthesized, then every public access is blocked on it', () => {
    const tf = secureBucket();
    expect(only(tf, 'aws_s3_bucket_public_access_block')).toMatchObject({
      bucket: bucketRef(tf),
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it('given no objectOwnership, when synthesized, then ACLs are disabled (BucketOwnerEnforced)', () => {
    const tf = secureBucket();
    expect(only(tf, 'aws_s3_bucket_ownership_controls')).toMatchObject({ bucket: bucketRef(tf), rule: { object_ownership: 'BucketOwnerEnforced' } });
  });

  it('given objectOwnership BucketOwnerPreferred, when synthesized, then ACLs stay enabled and the policy also waits for the ownership controls', () => {
    const tf = secureBucket({ objectOwnership: 'BucketOwnerPreferred' });
    expect(only(tf, 'aws_s3_bucket_ownership_controls').rule.object_ownership).toBe('BucketOwnerPreferred');
    expect(only(tf, 'aws_s3_bucket_policy').depends_on).toEqual([
      expect.stringMatching(/^aws_s3_bucket_public_access_block\./),
      expect.stringMatching(/^aws_s3_bucket_ownership_controls\./),
    ]);
  });

  it('given a bucket, when synthesized, then it is encrypted by default with SSE-S3 and an S3 Bucket Key', () => {
    const tf = secureBucket();
    expect(only(tf, 'aws_s3_bucket_server_side_encryption_configuration')).toMatchObject({
      bucket: bucketRef(tf),
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' }, bucket_key_enabled: true }],
    });
  });

  it('given bucketKeyEnabled false, when synthesized, then the encryption rule leaves bucket_key_enabled out', () => {
    const rule = only(secureBucket({ bucketKeyEnabled: false }), 'aws_s3_bucket_server_side_encryption_configuration').rule[0];
    expect(rule).toEqual({ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } });
  });

  it('given a bucket, when synthesized, then it is versioned', () => {
    const tf = secureBucket();
    expect(only(tf, 'aws_s3_bucket_versioning')).toMatchObject({ bucket: bucketRef(tf), versioning_configuration: { status: 'Enabled' } });
  });

  it('given a bucket, when synthesized, then its policy denies plain HTTP and TLS older than 1.2 on the bucket and its objects, after the public access block', () => {
    const tf = secureBucket();
    const arn = `\${aws_s3_bucket.${Object.keys(tf.resource.aws_s3_bucket)[0]}.arn}`;
    const policy = only(tf, 'aws_s3_bucket_policy');
    expect(policy.bucket).toBe(bucketRef(tf));
    expect(policy.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_public_access_block\./)]);
    expect(policyOf(tf).Statement).toEqual([
      { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [arn, `${arn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      { Sid: 'DenyOutdatedTls', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [arn, `${arn}/*`], Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } } },
    ]);
  });

  it('given a statement added after construction, when synthesized, then the policy has it after the TLS-only ones', () => {
    const statement = { Sid: 'ReadForAudit', Effect: 'Allow' as const, Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 's3:GetObject', Resource: 'x' };
    const tf = secureBucket({}, (b) => b.addToResourcePolicy(statement));
    expect(policyOf(tf).Statement.map((s: any) => s.Sid)).toEqual(['DenyInsecureTransport', 'DenyOutdatedTls', 'ReadForAudit']);
    expect(policyOf(tf).Statement[2]).toEqual(statement);
  });

  it('given preventDestroy, when synthesized, then Terraform refuses to destroy the bucket', () => {
    expect(only(secureBucket({ preventDestroy: true }), 'aws_s3_bucket').lifecycle).toEqual({ prevent_destroy: true });
    expect(only(secureBucket(), 'aws_s3_bucket').lifecycle).toBeUndefined();
  });

  it('given an access-log destination, when synthesized, then the bucket logs there under its own name', () => {
    const stack = testStack(['eu-west-1']);
    const provider = stack.provider('eu-west-1');
    const logs = new S3AccessLogBucket(stack, 'logs', { provider, bucketName: 'acme-logs', accountId: '123456789012' });
    new SecureBucket(stack, 'objects', { provider, bucketName: 'acme-objects', accessLogs: logs });
    const logging = only(synth(stack), 'aws_s3_bucket_logging');
    expect(logging.bucket).toMatch(/aws_s3_bucket\.objects_bucket_\w+\.id/);
    expect(logging.target_bucket).toMatch(/aws_s3_bucket\.logs_bucket_\w+\.id/);
    expect(logging.target_prefix).toBe('acme-objects/');
  });

  it('given no idsInScope, when synthesized, then its resources sit under the construct with their own names', () => {
    const tf = secureBucket();
    expect(logicalIds(tf, 'aws_s3_bucket')).toEqual([expect.stringMatching(/^objects_bucket_[0-9A-F]{8}$/)]);
    expect(logicalIds(tf, 'aws_s3_bucket_policy')).toEqual([expect.stringMatching(/^objects_policy_[0-9A-F]{8}$/)]);
  });

  it('given idsInScope, when synthesized, then its resources sit in its scope with those ids (the addresses of a bucket made before SecureBucket)', () => {
    const stack = testStack(['eu-west-1']);
    const owner = new Construct(stack, 'edge');
    new SecureBucket(owner, 'secure-log-bucket', {
      provider: stack.provider('eu-west-1'),
      bucketName: 'acme-logs',
      idsInScope: (resource) => `log-${resource}`,
    });
    const tf = synth(stack);
    // Logical ids join the construct path below the stack (a part that repeats the one before it once) and add its hash.
    expect(logicalIds(tf, 'aws_s3_bucket')).toEqual([expect.stringMatching(/^edge_log-bucket_[0-9A-F]{8}$/)]);
    expect(logicalIds(tf, 'aws_s3_bucket_versioning')).toEqual([expect.stringMatching(/^edge_log-versioning_[0-9A-F]{8}$/)]);
    expect(logicalIds(tf, 'aws_s3_bucket_public_access_block')).toEqual([expect.stringMatching(/^edge_log-public-access-block_[0-9A-F]{8}$/)]);
    expect(logicalIds(tf, 'aws_s3_bucket_policy')).toEqual([expect.stringMatching(/^edge_log-policy_[0-9A-F]{8}$/)]);
  });

  it('given an invalid bucket name, when constructed, then it fails naming the construct path and the rule', () => {
    expect(() => secureBucket({ bucketName: 'Bad_Name' })).toThrow(
      'test-stack/objects: bucketName "Bad_Name" is not a valid S3 bucket name (3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)',
    );
  });
});
