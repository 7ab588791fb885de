import { ReplicatedBuckets } from './replicated-buckets';
import { only, resources, synth, testStack } from './test-helpers';

function bucketsIn(regions: string[], replicationTimeControl?: boolean) {
  const stack = testStack(regions);
  new ReplicatedBuckets(stack, 'objects', {
    regions: regions.map((region) => ({ region, provider: stack.provider(region), bucketName: `acme-svc-test-${region}` })),
    replicationRoleName: 'svc-test-s3-replication',
    replicationTimeControl,
  });
  return synth(stack);
}

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-1'];

describe('ReplicatedBuckets', () => {
  it('creates one bucket per region through that region’s provider', () => {
    const tf = bucketsIn(REGIONS);
    const buckets = resources(tf, 'aws_s3_bucket').map((b) => [b.bucket, b.provider]);
    expect(buckets.sort()).toEqual(REGIONS.map((r) => [`acme-svc-test-${r}`, `aws.${r}`]).sort());
  });

  it('versions, encrypts and blocks public access on every bucket', () => {
    const tf = bucketsIn(REGIONS);
    expect(resources(tf, 'aws_s3_bucket_versioning').map((v) => v.versioning_configuration.status)).toEqual([
      'Enabled',
      'Enabled',
      'Enabled',
    ]);
    expect(resources(tf, 'aws_s3_bucket_server_side_encryption_configuration')).toHaveLength(3);
    for (const block of resources(tf, 'aws_s3_bucket_public_access_block')) {
      expect(block).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
    }
  });

  it('replicates from the primary bucket with one rule per replica, delete markers included', () => {
    const config = only(bucketsIn(REGIONS), 'aws_s3_bucket_replication_configuration');
    expect(config.bucket).toMatch(/aws_s3_bucket\.objects_bucket-eu-west-1_\w+\.id/);
    expect(config.provider).toBe('aws.eu-west-1');
    expect(config.rule.map((r: any) => [r.id, r.priority, r.status, r.delete_marker_replication.status])).toEqual([
      ['to-us-east-1', 1, 'Enabled', 'Enabled'],
      ['to-ap-southeast-1', 2, 'Enabled', 'Enabled'],
    ]);
    expect(config.rule[0].destination.bucket).toMatch(/aws_s3_bucket\.objects_bucket-us-east-1_\w+\.arn/);
    expect(config.rule[1].destination.bucket).toMatch(/aws_s3_bucket\.objects_bucket-ap-southeast-1_\w+\.arn/);
  });

  it('waits for versioning on every bucket before configuring replication', () => {
    const config = only(bucketsIn(REGIONS), 'aws_s3_bucket_replication_configuration');
    expect(config.depends_on).toHaveLength(3);
    expect(config.depends_on.every((d: string) => d.startsWith('aws_s3_bucket_versioning.'))).toBe(true);
  });

  it('uses a role only S3 can assume', () => {
    const role = only(bucketsIn(REGIONS), 'aws_iam_role');
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
  });

  it('scopes the replication policy to the source and replica buckets', () => {
    const policy = JSON.parse(only(bucketsIn(REGIONS), 'aws_iam_role_policy').policy);
    const bySid = Object.fromEntries(policy.Statement.map((s: any) => [s.Sid, s]));
    expect(bySid.ReadSourceConfiguration.Resource).toEqual([expect.stringMatching(/objects_bucket-eu-west-1_\w+\.arn}$/)]);
    expect(bySid.ReadSourceObjects.Resource).toEqual([expect.stringMatching(/objects_bucket-eu-west-1_\w+\.arn}\/\*$/)]);
    expect(bySid.WriteReplicas.Action).toEqual(['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags']);
    expect(bySid.WriteReplicas.Resource).toEqual([
      expect.stringMatching(/objects_bucket-us-east-1_\w+\.arn}\/\*$/),
      expect.stringMatching(/objects_bucket-ap-southeast-1_\w+\.arn}\/\*$/),
    ]);
    expect(JSON.stringify(policy)).not.toContain('"Resource":"*"');
  });

  it('adds Replication Time Control and metrics only when asked', () => {
    const off = only(bucketsIn(REGIONS), 'aws_s3_bucket_replication_configuration');
    expect(off.rule[0].destination.replication_time).toBeUndefined();
    const on = only(bucketsIn(REGIONS, true), 'aws_s3_bucket_replication_configuration');
    expect(on.rule[0].destination.replication_time).toEqual({ status: 'Enabled', time: { minutes: 15 } });
    expect(on.rule[0].destination.metrics).toEqual({ status: 'Enabled', event_threshold: { minutes: 15 } });
  });

  it('configures no replication for a single region', () => {
    const tf = bucketsIn(['eu-west-1']);
    expect(resources(tf, 'aws_s3_bucket_replication_configuration')).toHaveLength(0);
    expect(resources(tf, 'aws_iam_role')).toHaveLength(0);
  });

  it('rejects an invalid bucket name, naming the construct', () => {
    const stack = testStack(['eu-west-1']);
    expect(
      () =>
        new ReplicatedBuckets(stack, 'objects', {
          regions: [{ region: 'eu-west-1', provider: stack.provider('eu-west-1'), bucketName: 'Bad_Name' }],
          replicationRoleName: 'r',
        }),
    ).toThrow('test-stack/objects/secure-bucket-eu-west-1: bucketName "Bad_Name" is not a valid S3 bucket name');
  });
});
