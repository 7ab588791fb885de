import { parsePlatform } from './parse';
import { serviceContract } from './service-contract';
import { configProblems, platformFixture } from './testing/platform-fixture';

function withDns(dns: object) {
  const config = platformFixture();
  (config.environments.dev as any).dns = dns;
  return config;
}

describe('where a created zone is delegated from (dns.parent, issue 22 #4)', () => {
  const delegation = (dns: object) => serviceContract(parsePlatform(withDns(dns)).config, 'items', 'dev').dnsDelegation;

  it('defaults to the environment\'s domain zone in the account of the service zones, with no role of its own', () => {
    expect(delegation({ zone: 'create' })).toEqual({ parentZone: 'dev.example.com', recordName: 'items.dev.example.com', accountId: '111111111111' });
    expect(delegation({ zone: 'create', accountId: '444444444444', roleName: 'route53-records' })).toEqual({
      parentZone: 'dev.example.com',
      recordName: 'items.dev.example.com',
      accountId: '444444444444',
    });
  });

  it('assumes a role in a parent account of its own, the DNS role name by default', () => {
    expect(delegation({ zone: 'create', parent: { accountId: '666666666666' } })?.roleArn).toBe('arn:aws:iam::666666666666:role/platform-deploy');
    expect(delegation({ zone: 'create', parent: { accountId: '666666666666', roleName: 'route53-delegation' } })?.roleArn).toBe(
      'arn:aws:iam::666666666666:role/route53-delegation',
    );
  });

  it('is none for an existing zone or a parent delegated by hand', () => {
    expect(delegation({ zone: 'existing' })).toBeUndefined();
    expect(delegation({ zone: 'create', parent: { delegate: false } })).toBeUndefined();
  });

  it('refuses a parent for an existing zone, and a parent account with delegate false', () => {
    expect(configProblems(withDns({ zone: 'existing', parent: {} }))).toEqual([expect.stringMatching(/^environments\.dev\.dns\.parent: dns\.parent is for zone "create"/)]);
    expect(configProblems(withDns({ zone: 'create', parent: { delegate: false, accountId: '666666666666' } }))).toEqual([
      expect.stringMatching(/^environments\.dev\.dns\.parent: dns\.parent\.delegate is false, so no stack writes to the parent/),
    ]);
  });
});
