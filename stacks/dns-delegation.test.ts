// Issue 22 #4: a zone the global stack creates answers nothing until its parent delegates
// to it, and ACM's DNS validation waits its whole timeout (75 minutes by the provider's
// default) for records nobody can resolve. The stack that creates the zone delegates it.
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-routing-traffic-for-subdomains.html
// https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/acm_certificate_validation#timeouts
import { baseConfig, resourcesOf, synthConfig } from './test-workspace';

function delegationOf(tf: any) {
  const ns = Object.entries<any>(tf.resource?.aws_route53_record ?? {}).filter(([, r]) => r.type === 'NS');
  const parents = Object.entries<any>(tf.data?.aws_route53_zone ?? {}).filter(([id]) => id.includes('parent'));
  return { ns, parents };
}

/** prod with `zone: create` and the given dns block. */
function created(dns: object = {}): any {
  const config = baseConfig();
  config.environments.prod.domain = 'prod.example.com';
  config.environments.prod.dns = { zone: 'create', ...dns };
  return config;
}

describe('delegation of the zone a global stack creates', () => {
  it('writes the new zone\'s name servers into the parent zone (the environment\'s domain, found by name)', () => {
    const tf = synthConfig(created()).stack('items-prod-global');
    const { ns, parents } = delegationOf(tf);
    expect(parents.map(([, z]) => [z.name, z.private_zone, z.provider])).toEqual([['prod.example.com', false, 'aws.us-east-1']]);
    const [parentId] = parents[0];
    expect(ns.map(([, r]) => ({ name: r.name, zone_id: r.zone_id, records: r.records, provider: r.provider }))).toEqual([
      {
        name: 'items.prod.example.com',
        zone_id: `\${data.aws_route53_zone.${parentId}.zone_id}`,
        records: expect.stringMatching(/^\$\{aws_route53_zone\.zone_\w+\.name_servers\}$/),
        provider: 'aws.us-east-1',
      },
    ]);
  });

  it('makes the edge certificate\'s validation wait for the delegation', () => {
    const tf = synthConfig(created()).stack('items-prod-global');
    const [[nsId]] = delegationOf(tf).ns;
    const [validation] = resourcesOf(tf, 'aws_acm_certificate_validation');
    expect(validation.depends_on).toEqual([`aws_route53_record.${nsId}`]);
  });

  it('writes the delegation through a provider assuming the role of the parent\'s own account', () => {
    const tf = synthConfig(created({ parent: { accountId: '666666666666', roleName: 'route53-delegation' } })).stack('items-prod-global');
    expect(tf.provider.aws.find((p: any) => p.alias === 'dns-parent')).toMatchObject({
      region: 'us-east-1',
      allowed_account_ids: ['666666666666'],
      assume_role: [{ role_arn: 'arn:aws:iam::666666666666:role/route53-delegation' }],
    });
    const { ns, parents } = delegationOf(tf);
    expect([...ns, ...parents].map(([, r]) => r.provider)).toEqual(['aws.dns-parent', 'aws.dns-parent']);
  });

  it('uses the DNS account\'s provider when the parent lives in the DNS account with the zone', () => {
    const tf = synthConfig(created({ accountId: '444444444444', roleName: 'route53-records' })).stack('items-prod-global');
    expect(tf.provider.aws.map((p: any) => p.alias)).not.toContain('dns-parent');
    const { ns, parents } = delegationOf(tf);
    expect([...ns, ...parents].map(([, r]) => r.provider)).toEqual(['aws.dns', 'aws.dns']);
  });

  it('delegates nothing for an existing zone, or when the parent is delegated by hand', () => {
    const existing = baseConfig();
    existing.environments.prod.dns = { zone: 'existing' };
    for (const config of [existing, created({ parent: { delegate: false } })]) {
      const tf = synthConfig(config).stack('items-prod-global');
      expect(delegationOf(tf).ns).toEqual([]);
      expect(resourcesOf(tf, 'aws_acm_certificate_validation')[0].depends_on).toBeUndefined();
    }
  });
});
