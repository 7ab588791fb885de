import { accountRootArn, awsManagedPolicyArn, bucketArn, formatArn, parseArn, partitionOf, policyArn, roleArn } from './arn';
import { auroraClusterIdentifier, cacheReplicationGroupId, stateBucketArn } from './service-contract';

describe('partitionOf', () => {
  it.each([
    ['eu-west-1', 'aws'],
    ['us-east-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
  ])('given region %s, then the partition is %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});

describe('formatArn', () => {
  it('given a region, when no partition is given, then the ARN is in the region’s partition', () => {
    expect(formatArn({ service: 'dynamodb', region: 'cn-north-1', account: '123456789012', resource: 'table/items' })).toBe(
      'arn:aws-cn:dynamodb:cn-north-1:123456789012:table/items',
    );
    expect(formatArn({ service: 'logs', region: 'us-gov-west-1', account: '123456789012', resource: 'log-group:*' })).toBe(
      'arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:*',
    );
    expect(formatArn({ service: 'sns', region: 'eu-west-1', account: '123456789012', resource: 'alarms' })).toBe('arn:aws:sns:eu-west-1:123456789012:alarms');
  });

  it('given no region, when no partition is given, then the ARN is in the platform’s partition with empty region (and account) fields', () => {
    expect(formatArn({ service: 's3', resource: 'acme-state' })).toBe('arn:aws:s3:::acme-state');
    expect(formatArn({ service: 'iam', account: '123456789012', resource: 'root' })).toBe('arn:aws:iam::123456789012:root');
  });

  it('given an explicit partition, then it wins over the region’s', () => {
    expect(formatArn({ partition: 'aws-cn', service: 'iam', account: '123456789012', resource: 'role/x' })).toBe('arn:aws-cn:iam::123456789012:role/x');
  });
});

describe('parseArn', () => {
  it('given an ARN of any partition, then it reads back the parts formatArn wrote', () => {
    const parts = { partition: 'aws-us-gov', service: 'elasticache', region: 'us-gov-west-1', account: '123456789012', resource: 'replicationgroup:svc-dev-us-gov-west-1' };
    expect(parseArn(formatArn(parts))).toEqual(parts);
  });

  it('given something that is not an ARN, then it is undefined', () => {
    expect(parseArn('not-an-arn')).toBeUndefined();
    expect(parseArn('arn:azure:s3:::x')).toBeUndefined();
  });
});

describe('named ARNs', () => {
  it('given an IAM path in the name, then the role and policy ARNs have one slash after role/ and policy/', () => {
    expect(roleArn('123456789012', '/platform-workload/*')).toBe('arn:aws:iam::123456789012:role/platform-workload/*');
    expect(policyArn('123456789012', 'boundary')).toBe('arn:aws:iam::123456789012:policy/boundary');
  });

  it('given the names the contract uses, then the account root, managed policy and bucket ARNs are the IAM and S3 forms', () => {
    expect(accountRootArn('123456789012')).toBe('arn:aws:iam::123456789012:root');
    expect(accountRootArn('123456789012', 'aws-cn')).toBe('arn:aws-cn:iam::123456789012:root');
    expect(awsManagedPolicyArn('PowerUserAccess')).toBe('arn:aws:iam::aws:policy/PowerUserAccess');
    expect(bucketArn('b', 'platform/dev/*')).toBe('arn:aws:s3:::b/platform/dev/*');
    expect(stateBucketArn('acme-state')).toBe('arn:aws:s3:::acme-state');
    expect(stateBucketArn('acme-state', 'platform/dev/*.tflock')).toBe('arn:aws:s3:::acme-state/platform/dev/*.tflock');
  });

  it('given a data identifier and a region, then the replication group and cluster ids add the region', () => {
    expect(cacheReplicationGroupId('acme-orders-dev', 'eu-west-1')).toBe('acme-orders-dev-eu-west-1');
    expect(auroraClusterIdentifier('acme-orders-dev', 'eu-west-1')).toBe('acme-orders-dev-eu-west-1');
  });
});
