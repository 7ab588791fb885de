import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { ACCOUNT, synth, testStack } from './test-helpers';

describe('PlatformStack', () => {
  it('declares one aliased provider per region, named after the region', () => {
    const tf = synth(testStack(['eu-west-1', 'us-east-1', 'ap-southeast-1']));
    expect(tf.provider.aws.map((p: any) => [p.alias, p.region])).toEqual([
      ['eu-west-1', 'eu-west-1'],
      ['us-east-1', 'us-east-1'],
      ['ap-southeast-1', 'ap-southeast-1'],
    ]);
  });

  it('declares no default (unaliased) provider', () => {
    const tf = synth(testStack());
    expect(tf.provider.aws.every((p: any) => typeof p.alias === 'string')).toBe(true);
  });

  it('makes every provider assume the deploy role and allow only the account', () => {
    const tf = synth(testStack());
    for (const p of tf.provider.aws) {
      expect(p.assume_role).toEqual([{ role_arn: `arn:aws:iam::${ACCOUNT}:role/platform-deploy`, session_name: 'test-stack' }]);
      expect(p.allowed_account_ids).toEqual([ACCOUNT]);
    }
  });

  it('gives every provider the default tags', () => {
    const tf = synth(testStack());
    for (const p of tf.provider.aws) {
      expect(p.default_tags[0].tags).toEqual({
        service: 'svc',
        environment: 'test',
        layer: 'global',
        'managed-by': 'cdktf-platform',
      });
    }
  });

  it('stores state in S3 under its own key, encrypted, with S3-native locking', () => {
    const tf = synth(testStack());
    expect(tf.terraform.backend.s3).toEqual({
      bucket: 'state-bucket',
      key: 'platform/test-stack.tfstate',
      region: 'eu-west-1',
      encrypt: true,
      use_lockfile: true,
    });
    expect(tf.terraform.backend.s3.dynamodb_table).toBeUndefined();
  });

  it('requires a Terraform that supports use_lockfile (1.10 or later)', () => {
    expect(synth(testStack()).terraform.required_version).toBe('>= 1.11.0');
  });

  it('assumes the state role when one is given', () => {
    const stack = testStack(['eu-west-1'], {
      stateBackend: {
        bucket: 'state-bucket',
        region: 'eu-west-1',
        key: 'k.tfstate',
        roleArn: 'arn:aws:iam::000000000000:role/state',
      },
    });
    expect(synth(stack).terraform.backend.s3.assume_role).toEqual({ role_arn: 'arn:aws:iam::000000000000:role/state' });
  });

  it('returns the provider of a region and refuses a region it does not touch', () => {
    const stack = testStack(['eu-west-1']);
    expect(stack.provider('eu-west-1').alias).toBe('eu-west-1');
    expect(() => stack.provider('us-west-2')).toThrow('test-stack: no provider for region "us-west-2"; the stack\'s regions are eu-west-1');
  });

  it('rejects an account id that is not 12 digits, naming the stack', () => {
    expect(() => testStack(['eu-west-1'], { accountId: '1234' })).toThrow('test-stack: accountId must be 12 digits, got "1234"');
  });

  it('rejects duplicate and empty region lists', () => {
    expect(() => testStack(['eu-west-1', 'eu-west-1'])).toThrow('regions lists region "eu-west-1" twice');
    expect(() => testStack([])).toThrow('regions must list at least one region');
  });
});

describe('PlatformStack DNS provider', () => {
  it('uses a regional provider for Route53 when DNS lives in the same account', () => {
    expect(testStack(['eu-west-1', 'us-east-1']).dnsProvider.alias).toBe('us-east-1');
    expect(testStack(['eu-west-1']).dnsProvider.alias).toBe('eu-west-1');
  });

  it('adds a provider assuming the DNS account role when the zone lives in another account', () => {
    const stack = testStack(['eu-west-1'], {
      dns: { accountId: '999999999999', roleArn: 'arn:aws:iam::999999999999:role/dns-records' },
    });
    expect(stack.dnsProvider.alias).toBe('dns');
    const dns = synth(stack).provider.aws.find((p: any) => p.alias === 'dns');
    expect(dns).toMatchObject({
      region: 'us-east-1',
      allowed_account_ids: ['999999999999'],
      assume_role: [{ role_arn: 'arn:aws:iam::999999999999:role/dns-records', session_name: 'test-stack' }],
    });
  });
});

describe('PlatformStack state provider', () => {
  const stateProvider = (stack: ReturnType<typeof testStack>) => {
    expect(stack.stateProvider).toBe(stack.stateProvider);
    return synth(stack).provider.aws.filter((p: any) => p.alias === 'state');
  };

  it('is declared only when used', () => {
    expect(synth(testStack(['us-east-1'])).provider.aws.map((p: any) => p.alias)).toEqual(['us-east-1']);
  });

  it('reads the state bucket in its region with the session the backend uses: no role, restricted to the stack’s account', () => {
    const providers = stateProvider(testStack(['us-east-1']));
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({ alias: 'state', region: 'eu-west-1', allowed_account_ids: [ACCOUNT] });
    expect(providers[0].assume_role).toBeUndefined();
  });

  it('assumes the backend’s state role, in the state account, when there is one', () => {
    const stack = testStack(['us-east-1'], {
      stateBackend: { bucket: 'state-bucket', region: 'eu-central-1', key: 'k.tfstate', roleArn: 'arn:aws:iam::000000000000:role/state-dev' },
    });
    expect(stateProvider(stack)[0]).toMatchObject({
      region: 'eu-central-1',
      allowed_account_ids: ['000000000000'],
      assume_role: [{ role_arn: 'arn:aws:iam::000000000000:role/state-dev', session_name: 'test-stack' }],
    });
  });
});

describe('PlatformStack permissions boundary', () => {
  const boundary = `arn:aws:iam::${ACCOUNT}:policy/platform-workload-boundary`;

  it('bounds every IAM role in the stack, whichever construct created it', () => {
    const stack = testStack(['eu-west-1'], { permissionsBoundaryArn: boundary });
    new IamRole(stack, 'some-role', { provider: stack.provider('eu-west-1'), name: 'r', assumeRolePolicy: '{}' });
    const tf = synth(stack);
    expect(Object.values<any>(tf.resource.aws_iam_role).map((r) => r.permissions_boundary)).toEqual([boundary]);
  });

  it('sets no boundary unless asked', () => {
    const stack = testStack(['eu-west-1']);
    new IamRole(stack, 'some-role', { provider: stack.provider('eu-west-1'), name: 'r', assumeRolePolicy: '{}' });
    expect(Object.values<any>(synth(stack).resource.aws_iam_role)[0].permissions_boundary).toBeUndefined();
  });
});
