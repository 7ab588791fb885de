// The constructs of the security fixes (issue 12): KMS keys, the access-log bucket,
// TLS-only bucket policies, per-replica table keys and the replication role's trust.
import { GlobalTable } from './global-table';
import { RegionalKmsKey } from './regional-kms-key';
import { ReplicatedBuckets } from './replicated-buckets';
import { S3AccessLogBucket } from './s3-access-log-bucket';
import { ACCOUNT, only, resources, synth, testStack } from './test-helpers';

const REGIONS = ['eu-west-1', 'us-east-1'];
const policyOf = (r: any) => JSON.parse(r.policy).Statement as any[];

describe('RegionalKmsKey', () => {
  const keyWith = (props: { logs?: boolean; viaServices?: string[] }) => {
    const stack = testStack(['eu-west-1']);
    new RegionalKmsKey(stack, 'key', { provider: stack.provider('eu-west-1'), region: 'eu-west-1', accountId: ACCOUNT, description: 'k', ...props });
    return only(synth(stack), 'aws_kms_key');
  };

  it('rotates and lets CloudWatch Logs of its region use it only for this account’s log groups', () => {
    const key = keyWith({ logs: true });
    const logs = policyOf(key).find((s) => s.Sid === 'CloudWatchLogsOfThisAccount');

    expect(key.enable_key_rotation).toBe(true);
    expect(logs.Principal).toEqual({ Service: 'logs.eu-west-1.amazonaws.com' });
    expect(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']).toBe(`arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:*`);
  });

  it('lets the account use it only through the named services of its region', () => {
    const via = policyOf(keyWith({ viaServices: ['dynamodb'] })).find((s) => s.Sid === 'ThroughTheDataServices');

    expect(via.Condition.StringEquals).toEqual({ 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': ['dynamodb.eu-west-1.amazonaws.com'] });
  });
});

describe('ReplicatedBuckets', () => {
  const tf = () => {
    const stack = testStack(REGIONS);
    const logs = new Map(
      REGIONS.map((region) => [
        region,
        new S3AccessLogBucket(stack, `logs-${region}`, { provider: stack.provider(region), bucketName: `acme-logs-${region}`, accountId: ACCOUNT }),
      ]),
    );
    new ReplicatedBuckets(stack, 'objects', {
      regions: REGIONS.map((region) => ({ region, provider: stack.provider(region), bucketName: `acme-svc-${region}` })),
      replicationRoleName: 'svc-s3-replication',
      accountId: ACCOUNT,
      accessLogBuckets: logs,
    });
    return synth(stack);
  };

  it('denies requests without TLS on every bucket, the log buckets included', () => {
    const policies = resources(tf(), 'aws_s3_bucket_policy');

    expect(policies).toHaveLength(4);
    for (const p of policies) {
      expect(policyOf(p)[0]).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    }
  });

  it('logs each object bucket into the log bucket of its own region', () => {
    const logging = resources(tf(), 'aws_s3_bucket_logging').map((l) => [l.provider, /logs-[a-z0-9-]+_bucket/.exec(l.target_bucket)![0]]);

    expect(logging.sort()).toEqual([
      ['aws.eu-west-1', 'logs-eu-west-1_bucket'],
      ['aws.us-east-1', 'logs-us-east-1_bucket'],
    ]);
  });

  it('trusts S3 for replication only on behalf of the account', () => {
    const trust = JSON.parse(only(tf(), 'aws_iam_role').assume_role_policy).Statement[0];

    expect(trust.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': ACCOUNT } });
  });

  it('lets only S3 log delivery of this account write into a log bucket', () => {
    const delivery = resources(tf(), 'aws_s3_bucket_policy')
      .flatMap(policyOf)
      .find((s) => s.Sid === 'S3ServerAccessLogDelivery');

    expect(delivery).toMatchObject({ Principal: { Service: 'logging.s3.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } });
  });
});

describe('GlobalTable with customer-managed keys', () => {
  const table = (replicaKmsKeyArns: Record<string, string>) => {
    const stack = testStack(REGIONS);
    new GlobalTable(stack, 'table', {
      tableName: 'svc-test',
      definition: { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' },
      provider: stack.provider('eu-west-1'),
      region: 'eu-west-1',
      replicaRegions: ['us-east-1'],
      accountId: ACCOUNT,
      kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/a',
      replicaKmsKeyArns,
    });
    return stack;
  };

  it('encrypts every replica with the key of its region', () => {
    const t = only(synth(table({ 'us-east-1': 'arn:aws:kms:us-east-1:123456789012:key/b' })), 'aws_dynamodb_table');

    expect(t.server_side_encryption).toEqual({ enabled: true, kms_key_arn: 'arn:aws:kms:eu-west-1:123456789012:key/a' });
    expect(t.replica[0].kms_key_arn).toBe('arn:aws:kms:us-east-1:123456789012:key/b');
  });

  it('refuses a table key without a key for each replica region', () => {
    expect(() => table({})).toThrow('replicaKmsKeyArns has no key for us-east-1');
  });
});
