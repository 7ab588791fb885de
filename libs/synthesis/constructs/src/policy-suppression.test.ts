import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { suppressPolicyRule } from './policy-suppression';
import { testStack } from './test-helpers';

describe('suppressPolicyRule', () => {
  it('writes each suppression with its reason into the resource’s comment, where the rule pack reads it', () => {
    const stack = testStack(['eu-west-1']);
    const bucket = new S3Bucket(stack, 'bucket', { provider: stack.provider('eu-west-1'), bucket: 'acme-b' });

    suppressPolicyRule(bucket, 'CKV_AWS_18', 'the log destination itself');
    suppressPolicyRule(bucket, 'CKV_AWS_21', 'a scratch bucket, nothing to keep');

    // Testing.synth drops the `//` comments, so read the stack's own Terraform JSON.
    const json = stack.toTerraform() as { resource: Record<string, Record<string, Record<string, any>>> };
    expect(Object.values(json.resource.aws_s3_bucket)[0]['//'].policy_suppressions).toEqual([
      { rule: 'CKV_AWS_18', reason: 'the log destination itself' },
      { rule: 'CKV_AWS_21', reason: 'a scratch bucket, nothing to keep' },
    ]);
  });

  it('refuses a suppression without a reason at synth, naming the resource', () => {
    const stack = testStack(['eu-west-1']);
    const bucket = new S3Bucket(stack, 'bucket', { provider: stack.provider('eu-west-1'), bucket: 'acme-b' });

    expect(() => suppressPolicyRule(bucket, 'CKV_AWS_18', ' ')).toThrow('test-stack/bucket: suppressing CKV_AWS_18 needs a reason');
  });
});
