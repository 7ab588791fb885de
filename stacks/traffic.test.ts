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

describe('origin failover (edgeCache.failoverPaths)', () => {
  const SECONDARY = 'secondary.regional.items.example.com';
  function withFailover(regions: readonly string[] = REGIONS) {
    const config = baseConfig();
    config.environments.prod.regions = [...regions];
    config.services.items.edgeCache = { failoverPaths: ['/catalog/*'] };
    return synthConfig(config);
  }
  const out = withFailover();
  const distribution = resourcesOf(out.stack('items-prod-global'), 'aws_cloudfront_distribution')[0];
  const secondaryRecords = REGIONS.map((region) => {
    const records = resourcesOf(out.stack(`items-prod-${region}`), 'aws_route53_record').filter((r) => r.name === SECONDARY);
    expect(records).toHaveLength(1);
    return { region, record: records[0] };
  });

  it('given two regions or more, then reads get an origin group: primary the latency-routed name, secondary the ring name', () => {
    expect(distribution.origin.map((o: any) => o.domain_name)).toEqual(['regional.items.example.com', SECONDARY]);
    expect(distribution.default_cache_behavior.target_origin_id).toBe('regional');
    // The reads of /catalog/* get the group from the viewer-request function; writes stay on `regional`.
    const fn = resourcesOf(out.stack('items-prod-global'), 'aws_cloudfront_function')[0];
    expect(fn).toMatchObject({ name: 'items-prod-read-failover', code: expect.stringContaining('{"originIds":[{"originId":"regional"},{"originId":"secondary"}]') });
    expect(distribution.default_cache_behavior.function_association[0].event_type).toBe('viewer-request');
  });

  it('then both origins send the same origin secret header', () => {
    const headers = distribution.origin.map((o: any) => o.custom_header);
    expect(headers[0]).toHaveLength(1);
    expect(headers[1]).toEqual(headers[0]);
  });

  it('then the edge certificate (whose validation records validate the regional ones) covers the secondary name', () => {
    const edgeCert = resourcesOf(out.stack('items-prod-global'), 'aws_acm_certificate')[0];
    expect(edgeCert.subject_alternative_names).toContain(SECONDARY);
  });

  it('then each region answers the secondary name for the resolvers of the region before it in the ring, under its own routing health check', () => {
    expect(secondaryRecords.map(({ region, record }) => [region, record.latency_routing_policy.region, record.set_identifier])).toEqual([
      ['eu-west-1', 'ap-southeast-1', 'eu-west-1'],
      ['us-east-1', 'eu-west-1', 'us-east-1'],
      ['ap-southeast-1', 'us-east-1', 'ap-southeast-1'],
    ]);
    for (const { region } of secondaryRecords) {
      const regional = out.stack(`items-prod-${region}`);
      const routing = routingRecords(regional)[0];
      const secondary = secondaryRecords.find((s) => s.region === region)!.record;
      // The same check: evacuating the region (forcing it unhealthy) also drops it as a secondary.
      expect(secondary.health_check_id).toBe(routing.health_check_id);
    }
  });

  it('then for any single region lost, no edge’s secondary is its own primary region, and the lost region’s edges fail over to a survivor', () => {
    const servedBy = new Map(secondaryRecords.map(({ region, record }) => [record.latency_routing_policy.region, region]));
    for (const lost of REGIONS) {
      expect(servedBy.get(lost)).not.toBe(lost);
      for (const primary of REGIONS) expect(servedBy.get(primary)).not.toBe(primary);
    }
    expect(new Set(servedBy.values()).size).toBe(REGIONS.length);
  });

  it('then the secondary name reaches the same API and stage as the shared name, so the same JWT authorizer and origin guard answer', () => {
    for (const region of REGIONS) {
      const regional = out.stack(`items-prod-${region}`);
      const domains = resourcesOf(regional, 'aws_apigatewayv2_domain_name').map((d) => d.domain_name);
      expect(domains).toContain(SECONDARY);
      const mappings = resourcesOf(regional, 'aws_apigatewayv2_api_mapping');
      expect(new Set(mappings.map((m) => `${m.api_id} ${m.stage}`)).size).toBe(1);
      expect(mappings).toHaveLength(3);
      expect(resourcesOf(regional, 'aws_acm_certificate')[0].subject_alternative_names).toContain(SECONDARY);
    }
  });

  it('given one region, then there is no origin group and no secondary name', () => {
    const single = withFailover(['eu-west-1']);
    const d = resourcesOf(single.stack('items-prod-global'), 'aws_cloudfront_distribution')[0];
    expect(d.origin_group).toBeUndefined();
    expect(d.origin).toHaveLength(1);
    expect(resourcesOf(single.stack('items-prod-eu-west-1'), 'aws_route53_record').filter((r) => r.name === SECONDARY)).toHaveLength(0);
  });

  it('given no failover paths (the default), then nothing changes: one origin, no secondary record', () => {
    const plain = synthConfig(baseConfig());
    expect(resourcesOf(plain.stack('items-prod-global'), 'aws_cloudfront_distribution')[0].origin).toHaveLength(1);
    expect(resourcesOf(plain.stack('items-prod-eu-west-1'), 'aws_route53_record').filter((r) => r.name === SECONDARY)).toHaveLength(0);
  });
});

describe('origin failover of a weighted service (edge-drawn region, read names)', () => {
  const READS = (region: string) => `${region}.reads.items.example.com`;
  const config = baseConfig();
  config.services.items.routing = { policy: 'weighted', weights: { 'eu-west-1': 200, 'us-east-1': 55, 'ap-southeast-1': 85 } };
  config.services.items.edgeCache = { failoverPaths: ['/items/*'] };
  const out = synthConfig(config);
  const global = out.stack('items-prod-global');
  const distribution = resourcesOf(global, 'aws_cloudfront_distribution')[0];
  const readRecords = REGIONS.flatMap((owner) =>
    resourcesOf(out.stack(`items-prod-${owner}`), 'aws_route53_record')
      .filter((r) => r.name.endsWith('.reads.items.example.com'))
      .map((r) => ({ owner, name: r.name as string, role: r.failover_routing_policy.type as string, setId: r.set_identifier as string, check: r.health_check_id as string })),
  );

  it('then the distribution has one origin per region’s read name, no ring name, and the function draws by the weights of the regional records', () => {
    expect(distribution.origin.map((o: any) => [o.origin_id, o.domain_name])).toEqual([
      ['regional', 'regional.items.example.com'],
      ...REGIONS.map((r) => [`reads-${r}`, READS(r)]),
    ]);
    const code = resourcesOf(global, 'aws_cloudfront_function')[0].code as string;
    expect(code).toContain('var TOTAL = 340;');
    expect(resourcesOf(out.stack('items-prod-eu-west-1'), 'aws_route53_record').filter((r) => r.name.startsWith('secondary.'))).toEqual([]);
  });

  it('then each read name is PRIMARY in its own region and SECONDARY in the next region of the ring, each under the owning region’s routing health check', () => {
    const byName = (name: string) => readRecords.filter((r) => r.name === name).map((r) => [r.owner, r.role, r.setId]);
    expect(byName(READS('eu-west-1'))).toEqual([
      ['eu-west-1', 'PRIMARY', 'eu-west-1'],
      ['us-east-1', 'SECONDARY', 'us-east-1'],
    ]);
    expect(byName(READS('ap-southeast-1'))).toEqual([
      ['eu-west-1', 'SECONDARY', 'eu-west-1'],
      ['ap-southeast-1', 'PRIMARY', 'ap-southeast-1'],
    ]);
    for (const owner of REGIONS) {
      const routing = routingRecords(out.stack(`items-prod-${owner}`))[0];
      // The same check: evacuating the region drops it from its own read name and as anyone's backup.
      for (const r of readRecords.filter((x) => x.owner === owner)) expect(r.check).toBe(routing.health_check_id);
    }
  });

  it('then every region’s API answers both read names it serves, under its certificate, and the edge certificate covers all of them (their validation records)', () => {
    for (const region of REGIONS) {
      const regional = out.stack(`items-prod-${region}`);
      const served = readRecords.filter((r) => r.owner === region).map((r) => r.name);
      const domains = resourcesOf(regional, 'aws_apigatewayv2_domain_name').map((d) => d.domain_name);
      expect(domains).toEqual(expect.arrayContaining(served));
      expect(resourcesOf(regional, 'aws_acm_certificate')[0].subject_alternative_names).toEqual(expect.arrayContaining(served));
    }
    expect(resourcesOf(global, 'aws_acm_certificate')[0].subject_alternative_names).toEqual(expect.arrayContaining(REGIONS.map(READS)));
  });
});
