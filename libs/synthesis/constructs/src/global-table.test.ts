import { GlobalTable } from './global-table';
import { ACCOUNT, only, synth, testStack } from './test-helpers';

const definition = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' };

function tableIn(regions: string[]) {
  const stack = testStack(regions);
  const table = new GlobalTable(stack, 'table', {
    tableName: 'svc-test',
    definition,
    provider: stack.provider(regions[0]),
    region: regions[0],
    replicaRegions: regions.slice(1),
    accountId: ACCOUNT,
  });
  return { stack, table, tf: () => only(synth(stack), 'aws_dynamodb_table') };
}

describe('GlobalTable', () => {
  it('creates the table through the primary region provider', () => {
    expect(tableIn(['eu-west-1', 'us-east-1']).tf().provider).toBe('aws.eu-west-1');
  });

  it('adds one replica per non-primary region and none for the primary', () => {
    const t = tableIn(['eu-west-1', 'us-east-1', 'ap-southeast-1']).tf();
    expect(t.replica.map((r: any) => r.region_name)).toEqual(['us-east-1', 'ap-southeast-1']);
  });

  it('keeps PITR and deletion protection on every replica', () => {
    for (const r of tableIn(['eu-west-1', 'us-east-1']).tf().replica) {
      expect(r).toMatchObject({ point_in_time_recovery: true, deletion_protection_enabled: true, propagate_tags: true });
    }
  });

  it('enables streams with new and old images (global tables replicate through them)', () => {
    expect(tableIn(['eu-west-1']).tf()).toMatchObject({ stream_enabled: true, stream_view_type: 'NEW_AND_OLD_IMAGES' });
  });

  it('is on-demand, encrypted, point-in-time recoverable and deletion protected', () => {
    expect(tableIn(['eu-west-1']).tf()).toMatchObject({
      billing_mode: 'PAY_PER_REQUEST',
      server_side_encryption: { enabled: true },
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
    });
  });

  it('takes its key schema and TTL attribute from the shared definition', () => {
    expect(tableIn(['eu-west-1']).tf()).toMatchObject({
      hash_key: 'pk',
      range_key: 'sk',
      attribute: [
        { name: 'pk', type: 'S' },
        { name: 'sk', type: 'S' },
      ],
      ttl: { attribute_name: 'expiresAt', enabled: true },
    });
  });

  it('gives the ARN of the replica in each region', () => {
    const { table } = tableIn(['eu-west-1', 'us-east-1']);
    expect(table.replicaArn('us-east-1')).toBe(`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/svc-test`);
    expect(() => table.replicaArn('sa-east-1')).toThrow('has no replica in "sa-east-1"');
  });

  it('rejects a replica in the primary region', () => {
    const stack = testStack(['eu-west-1']);
    expect(
      () =>
        new GlobalTable(stack, 'table', {
          tableName: 'svc-test',
          definition,
          provider: stack.provider('eu-west-1'),
          region: 'eu-west-1',
          replicaRegions: ['eu-west-1'],
          accountId: ACCOUNT,
        }),
    ).toThrow('test-stack/table: regions lists region "eu-west-1" twice');
  });
});
