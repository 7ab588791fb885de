import { baseConfig, resourcesOf, synthConfig } from './test-workspace';

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-1'];

/** The regional stack's records of the shared name (not the region-only one its health check calls). */
const routingRecords = (tf: Parameters<typeof resourcesOf>[0]) => resourcesOf(tf, 'aws_route53_record').filter((r) => r.name === 'regional.items.example.com');

describe('traffic layer of a latency-routed service', () => {
  const out = synthConfig(baseConfig());
  const global = out.stack('items-prod-global');

  it('owns the CloudFront certificate through the us-east-1 provider alias', () => {
    const cert = resourcesOf(global, 'aws_acm_certificate')[0];
    expect(cert).toMatchObject({ provider: 'aws.us-east-1', domain_name: 'api.items.example.com' });
    expect(resourcesOf(global, 'aws_cloudfront_distribution')[0].provider).toBe('aws.us-east-1');
  });

  it('creates the service zone and points api.<domain> A and AAAA at CloudFront', () => {
    expect(resourcesOf(global, 'aws_route53_zone')[0].name).toBe('items.example.com');
    const aliases = resourcesOf(global, 'aws_route53_record').filter((r) => r.name === 'api.items.example.com');
    expect(aliases.map((r) => r.type).sort()).toEqual(['A', 'AAAA']);
  });

  it('writes the certificate validation records once, in the global stack', () => {
    const validation = resourcesOf(global, 'aws_route53_record').filter((r) => r.for_each);
    expect(validation).toHaveLength(1);
    for (const region of REGIONS) {
      const regional = out.stack(`items-prod-${region}`);
      expect(resourcesOf(regional, 'aws_route53_record').filter((r) => r.for_each)).toHaveLength(0);
    }
  });

  it('requests each regional certificate through that region’s provider alias', () => {
    for (const region of REGIONS) {
      const cert = resourcesOf(out.stack(`items-prod-${region}`), 'aws_acm_certificate')[0];
      expect(cert).toMatchObject({ provider: `aws.${region}`, domain_name: 'regional.items.example.com' });
    }
  });

  it('has one latency record per region, distinct set identifiers, each with its own health check', () => {
    const records = REGIONS.map((region) => {
      const tf = out.stack(`items-prod-${region}`);
      const [record] = routingRecords(tf);
      const [check] = resourcesOf(tf, 'aws_route53_health_check');
      expect(record.latency_routing_policy).toEqual({ region });
      expect(record.health_check_id).toMatch(/^\${aws_route53_health_check\.health-check_https_\w+\.id}$/);
      // The execute-api endpoint is off: the check calls the region's own custom domain.
      expect(check.fqdn).toBe(`${region}.regional.items.example.com`);
      return record;
    });
    expect(new Set(records.map((r) => r.set_identifier))).toEqual(new Set(REGIONS));
    expect(new Set(records.map((r) => r.name))).toEqual(new Set(['regional.items.example.com']));
  });

  it('gives no CloudFront permission to a ttl-mode service', () => {
    const policy = JSON.parse(resourcesOf(out.stack('items-prod-eu-west-1'), 'aws_iam_role_policy')[0].policy);
    expect(JSON.stringify(policy)).not.toContain('cloudfront');
  });
});

describe('invalidate mode', () => {
  const config = baseConfig();
  config.services.items.edgeCache = { mode: 'invalidate' };
  const out = synthConfig(config);

  it('lets the Lambda invalidate its own distribution only, and tells it the id', () => {
    const tf = out.stack('items-prod-us-east-1');
    const policy = JSON.parse(resourcesOf(tf, 'aws_iam_role_policy')[0].policy);
    const statement = policy.Statement.find((s: any) => s.Sid === 'InvalidateOwnDistribution');
    expect(statement.Action).toEqual(['cloudfront:CreateInvalidation']);
    expect(statement.Resource).toEqual([expect.stringMatching(/^\${local\.global_outputs_\w+\.distribution_arn}$/)]);
    const env = resourcesOf(tf, 'aws_lambda_function')[0].environment.variables;
    expect(env).toMatchObject({ EDGE_CACHE_MODE: 'invalidate', EDGE_CACHE_TTL_SECONDS: '86400' });
    expect(env.DISTRIBUTION_ID).toMatch(/^\${local\.global_outputs_\w+\.distribution_id}$/);
  });

  it('keeps a long TTL on the cache policy', () => {
    const cache = resourcesOf(out.stack('items-prod-global'), 'aws_cloudfront_cache_policy')[0];
    expect(cache).toMatchObject({ default_ttl: 86400, max_ttl: 31536000 });
  });
});

describe('weighted and failover routing', () => {
  it('writes the configured weights, and one even weight for every region when none is given', () => {
    const weights = (routing: object) => {
      const config = baseConfig();
      config.services.items.routing = routing;
      const out = synthConfig(config);
      return REGIONS.map((region) => routingRecords(out.stack(`items-prod-${region}`))[0].weighted_routing_policy.weight);
    };
    expect(weights({ policy: 'weighted', weights: { 'eu-west-1': 200, 'us-east-1': 40, 'ap-southeast-1': 15 } })).toEqual([200, 40, 15]);
    expect(weights({ policy: 'weighted' })).toEqual([100, 100, 100]);
  });

  it('makes the primary region PRIMARY and the other SECONDARY', () => {
    const config = baseConfig();
    config.environments.prod.regions = ['eu-west-1', 'us-east-1'];
    config.services.items.routing = { policy: 'failover' };
    const out = synthConfig(config);
    const role = (region: string) =>
      routingRecords(out.stack(`items-prod-${region}`))[0].failover_routing_policy.type;
    expect([role('eu-west-1'), role('us-east-1')]).toEqual(['PRIMARY', 'SECONDARY']);
  });
});

describe('DNS in a central network account', () => {
  const config = baseConfig();
  config.environments.prod.regions = ['eu-west-1', 'ap-southeast-1'];
  config.environments.prod.dns = { zone: 'existing', accountId: '444444444444', roleName: 'route53-records' };
  const out = synthConfig(config);
  const global = out.stack('items-prod-global');
  const regional = out.stack('items-prod-ap-southeast-1');

  it('looks the zone up, and writes records, validation records and health checks through the DNS account', () => {
    expect(resourcesOf(global, 'aws_route53_zone')).toHaveLength(0);
    expect(Object.values<any>(global.data.aws_route53_zone)[0]).toMatchObject({ name: 'example.com', provider: 'aws.dns' });
    for (const tf of [global, regional]) {
      for (const r of [...resourcesOf(tf, 'aws_route53_record'), ...resourcesOf(tf, 'aws_route53_health_check')]) {
        expect(r.provider).toBe('aws.dns');
      }
    }
    const dns = regional.provider.aws.find((p: any) => p.alias === 'dns');
    expect(dns).toMatchObject({
      allowed_account_ids: ['444444444444'],
      assume_role: [{ role_arn: 'arn:aws:iam::444444444444:role/route53-records', session_name: 'items-prod-ap-southeast-1' }],
    });
  });

  it('keeps everything else in the workload account', () => {
    for (const tf of [global, regional]) {
      for (const [type, byId] of Object.entries<any>(tf.resource)) {
        if (type.startsWith('aws_route53_')) continue;
        for (const r of Object.values<any>(byId)) {
          // Route53 publishes a health check's metrics in the account that owns it.
          if (r.namespace === 'AWS/Route53') continue;
          expect(r.provider).not.toBe('aws.dns');
        }
      }
    }
  });

  it('still gets a us-east-1 provider in the global stack for CloudFront, though the environment has none', () => {
    expect(global.provider.aws.map((p: any) => p.alias)).toEqual(['eu-west-1', 'ap-southeast-1', 'us-east-1', 'dns']);
  });
});
