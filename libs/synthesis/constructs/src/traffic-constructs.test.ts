import { ORIGIN_FAILOVER, readFailoverFunctionCode } from '@platform/config';
import { TerraformOutput } from 'cdktf';
import { DnsValidatedCertificate } from './dns-validated-certificate';
import { CACHED_METHODS, EdgeCache, type EdgeCacheProps } from './edge-cache';
import { HostedZone } from './hosted-zone';
import { RegionalDomain } from './regional-domain';
import { RegionalHealthCheck, type RegionalHealthCheckProps } from './regional-health-check';
import { RegionalRecord, type RegionalRouting } from './regional-record';
import { only, resources, synth, testStack } from './test-helpers';

describe('HostedZone', () => {
  it('creates a public zone for the domain', () => {
    const stack = testStack(['eu-west-1']);
    new HostedZone(stack, 'zone', { domain: 'items.example.com', provider: stack.provider('eu-west-1') });
    expect(only(synth(stack), 'aws_route53_zone').name).toBe('items.example.com');
  });

  it('looks an existing zone up by name instead of creating one', () => {
    const stack = testStack(['eu-west-1']);
    new HostedZone(stack, 'zone', { domain: 'example.com', provider: stack.provider('eu-west-1'), mode: 'existing' });
    const tf = synth(stack);
    expect(resources(tf, 'aws_route53_zone')).toHaveLength(0);
    expect(Object.values<any>(tf.data.aws_route53_zone)[0]).toMatchObject({ name: 'example.com', private_zone: false });
  });

  it('rejects a domain that is not a DNS name', () => {
    const stack = testStack(['eu-west-1']);
    expect(() => new HostedZone(stack, 'zone', { domain: 'http://x', provider: stack.provider('eu-west-1') })).toThrow(
      'test-stack/zone: domain "http://x" is not a DNS name',
    );
  });

  it('delegates a created zone from its parent with an NS record of its name servers, an hour long', () => {
    const stack = testStack(['eu-west-1']);
    const zone = new HostedZone(stack, 'zone', {
      domain: 'items.dev.example.com',
      provider: stack.provider('eu-west-1'),
      delegation: { parentZoneName: 'dev.example.com', parentProvider: stack.provider('eu-west-1') },
    });
    const tf = synth(stack);
    expect(only(tf, 'aws_route53_record')).toMatchObject({ name: 'items.dev.example.com', type: 'NS', ttl: 3600 });
    expect(zone.delegationRecord).toBeDefined();
  });

  it('refuses to delegate a zone that is not a subdomain of the parent, or an existing zone', () => {
    const stack = testStack(['eu-west-1']);
    const delegation = { parentZoneName: 'other.example.com', parentProvider: stack.provider('eu-west-1') };
    expect(() => new HostedZone(stack, 'a', { domain: 'items.dev.example.com', provider: stack.provider('eu-west-1'), delegation })).toThrow(
      'test-stack/a: "items.dev.example.com" is not a subdomain of its parent zone "other.example.com"',
    );
    expect(() => new HostedZone(stack, 'b', { domain: 'example.com', provider: stack.provider('eu-west-1'), mode: 'existing', delegation })).toThrow(
      'test-stack/b: delegation is for a zone the stack creates; "example.com" is an existing zone',
    );
  });
});

describe('PlatformStack dnsParentProvider', () => {
  it('declares a provider assuming the parent account\'s role when the parent is in a third account', () => {
    const stack = testStack(['eu-west-1'], { dnsParent: { accountId: '666666666666', roleArn: 'arn:aws:iam::666666666666:role/delegation' } });
    expect(stack.dnsParentProvider.alias).toBe('dns-parent');
  });

  it('needs a role for a parent in a third account', () => {
    expect(() => testStack(['eu-west-1'], { dnsParent: { accountId: '666666666666' } })).toThrow('needs a roleArn to assume there');
  });

  it('is the stack\'s own provider when the parent is in its account', () => {
    const stack = testStack(['eu-west-1', 'us-east-1'], { dnsParent: { accountId: '123456789012' } });
    expect(stack.dnsParentProvider).toBe(stack.provider('us-east-1'));
  });
});

describe('DnsValidatedCertificate', () => {
  it('requests the certificate in its provider’s region and writes validation records through the DNS provider', () => {
    const stack = testStack(['eu-west-1', 'us-east-1']);
    new DnsValidatedCertificate(stack, 'cert', {
      provider: stack.provider('us-east-1'),
      domainName: 'api.items.example.com',
      subjectAlternativeNames: ['regional.items.example.com'],
      zoneId: 'Z123',
      dnsProvider: stack.provider('eu-west-1'),
    });
    const tf = synth(stack);
    expect(only(tf, 'aws_acm_certificate')).toMatchObject({
      provider: 'aws.us-east-1',
      domain_name: 'api.items.example.com',
      subject_alternative_names: ['regional.items.example.com'],
      validation_method: 'DNS',
    });
    const record = only(tf, 'aws_route53_record');
    expect(record).toMatchObject({ provider: 'aws.eu-west-1', zone_id: 'Z123', allow_overwrite: true, ttl: 60 });
    expect(only(tf, 'aws_acm_certificate_validation').validation_record_fqdns).toContain('aws_route53_record.');
  });

  it('keys the validation records by the domain names, known before the certificate exists', () => {
    const stack = testStack(['eu-west-1', 'us-east-1']);
    new DnsValidatedCertificate(stack, 'cert', {
      provider: stack.provider('us-east-1'),
      domainName: 'api.items.example.com',
      subjectAlternativeNames: ['regional.items.example.com', 'api.items.example.com'],
      zoneId: 'Z123',
      dnsProvider: stack.provider('eu-west-1'),
    });
    const record = only(synth(stack), 'aws_route53_record');
    // Terraform can plan a for_each only over keys it knows; domain_validation_options is apply-time.
    expect(record.for_each).toBe('${toset(["api.items.example.com", "regional.items.example.com"])}');
    expect(record.for_each).not.toContain('domain_validation_options');
    for (const [attribute, value] of [
      ['name', record.name],
      ['type', record.type],
      ['value', record.records[0]],
    ]) {
      expect(value).toContain('domain_validation_options');
      expect(value).toContain(`}[each.value].resource_record_${attribute}}`);
    }
  });

  it('only waits for issuance when another stack owns the validation records', () => {
    const stack = testStack(['eu-west-1']);
    new DnsValidatedCertificate(stack, 'cert', {
      provider: stack.provider('eu-west-1'),
      domainName: 'regional.items.example.com',
      writeValidationRecords: false,
    });
    const tf = synth(stack);
    expect(resources(tf, 'aws_route53_record')).toHaveLength(0);
    expect(only(tf, 'aws_acm_certificate_validation').validation_record_fqdns).toBeUndefined();
  });
});

describe('EdgeCache', () => {
  function edge(overrides: Partial<EdgeCacheProps> = {}) {
    const stack = testStack(['eu-west-1', 'us-east-1']);
    new EdgeCache(stack, 'edge', {
      provider: stack.provider('us-east-1'),
      domainName: 'api.items.example.com',
      originDomainName: 'regional.items.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
      mode: 'ttl',
      ttlSeconds: 60,
      cachePolicyName: 'items-test-edge',
      zoneId: 'Z123',
      dnsProvider: stack.provider('eu-west-1'),
      logBucketName: 'acme-items-test-edge-logs',
      logBucketProvider: stack.provider('eu-west-1'),
      ...overrides,
    });
    return synth(stack);
  }

  it('reaches the regional name over HTTPS only, TLS 1.2, and redirects viewers to HTTPS', () => {
    const d = only(edge(), 'aws_cloudfront_distribution');
    expect(d.provider).toBe('aws.us-east-1');
    expect(d.origin[0]).toMatchObject({
      domain_name: 'regional.items.example.com',
      custom_origin_config: { origin_protocol_policy: 'https-only', origin_ssl_protocols: ['TLSv1.2'] },
    });
    expect(d.default_cache_behavior.viewer_protocol_policy).toBe('redirect-to-https');
    expect(d.viewer_certificate).toMatchObject({ ssl_support_method: 'sni-only', minimum_protocol_version: 'TLSv1.2_2021' });
  });

  it('sends the origin’s own Host header (forwards all viewer headers except Host)', () => {
    const tf = edge();
    // Managed-AllViewerExceptHostHeader, by its documented ID: no lookup that calls AWS at plan time.
    expect(only(tf, 'aws_cloudfront_distribution').default_cache_behavior.origin_request_policy_id).toBe(
      'b689b0a8-53d0-40ab-baf2-68738e2966ac',
    );
    expect(tf.data?.aws_cloudfront_origin_request_policy).toBeUndefined();
  });

  it('forwards every method but caches only GET and HEAD', () => {
    const behavior = only(edge(), 'aws_cloudfront_distribution').default_cache_behavior;
    expect(behavior.allowed_methods).toEqual(expect.arrayContaining(['POST', 'PUT', 'PATCH', 'DELETE']));
    expect(behavior.cached_methods).toEqual(['GET', 'HEAD']);
    for (const mutation of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(CACHED_METHODS).not.toContain(mutation);
  });

  it('keys the cache on path and query string, and on Authorization only when asked', () => {
    const plain = only(edge(), 'aws_cloudfront_cache_policy').parameters_in_cache_key_and_forwarded_to_origin;
    expect(plain.query_strings_config.query_string_behavior).toBe('all');
    expect(plain.headers_config.header_behavior).toBe('none');
    const auth = only(edge({ varyOnAuthorization: true }), 'aws_cloudfront_cache_policy').parameters_in_cache_key_and_forwarded_to_origin;
    expect(auth.headers_config).toEqual({ header_behavior: 'whitelist', headers: { items: ['Authorization'] } });
  });

  it('caps the TTL in ttl mode and allows long TTLs in invalidate mode', () => {
    expect(only(edge(), 'aws_cloudfront_cache_policy')).toMatchObject({ default_ttl: 60, max_ttl: 60, min_ttl: 0 });
    const inv = only(edge({ mode: 'invalidate', ttlSeconds: 86400 }), 'aws_cloudfront_cache_policy');
    expect(inv).toMatchObject({ default_ttl: 86400, max_ttl: 31536000 });
  });

  describe('given a read failover with the ring’s secondary name (latency routing)', () => {
    const failover = {
      readFailover: { failover: { paths: ['/catalog/*'] }, functionName: 'items-test-read-failover', secondaryOriginDomainName: 'secondary.regional.items.example.com' },
    };

    it('then the distribution has the regional origin and the secondary one, and the function’s group fails over between them on 500/502/503/504 (high_availability_origin_failover.html)', () => {
      const tf = edge(failover);
      const d = only(tf, 'aws_cloudfront_distribution');
      expect(d.origin.map((o: any) => [o.origin_id, o.domain_name])).toEqual([
        ['regional', 'regional.items.example.com'],
        ['secondary', 'secondary.regional.items.example.com'],
      ]);
      const code = only(tf, 'aws_cloudfront_function').code;
      expect(code).toContain('{"originIds":[{"originId":"regional"},{"originId":"secondary"}],"failoverCriteria":{"statusCodes":[500,502,503,504]}}');
    });

    it('then both origins give up after one connection attempt of 2 s, from the one shared ORIGIN_FAILOVER', () => {
      const d = only(edge(failover), 'aws_cloudfront_distribution');
      for (const o of d.origin) {
        expect(o).toMatchObject({ connection_attempts: ORIGIN_FAILOVER.connectionAttempts, connection_timeout: ORIGIN_FAILOVER.connectionTimeoutSeconds });
      }
      expect(ORIGIN_FAILOVER).toMatchObject({ connectionAttempts: 1, connectionTimeoutSeconds: 2 });
    });

    it('then both origins carry the origin secret header', () => {
      const d = only(edge({ ...failover, originCustomHeaders: [{ name: 'x-origin-verify', value: 's3cret' }] }), 'aws_cloudfront_distribution');
      for (const o of d.origin) expect(o.custom_header).toEqual([{ name: 'x-origin-verify', value: 's3cret' }]);
    });

    it('then no behaviour targets a group (CloudFront refuses write methods there, aws-cdk#32450): every method stays on the single origin, and a published viewer-request function builds the group for the reads of the listed paths', () => {
      const tf = edge(failover);
      const d = only(tf, 'aws_cloudfront_distribution');
      expect(d.ordered_cache_behavior).toBeUndefined();
      expect(d.origin_group).toBeUndefined();
      expect(d.default_cache_behavior.target_origin_id).toBe('regional');
      expect(d.default_cache_behavior.allowed_methods).toEqual(expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE']));
      const fn = only(tf, 'aws_cloudfront_function');
      expect(fn).toMatchObject({ name: 'items-test-read-failover', runtime: 'cloudfront-js-2.0', publish: true, code: readFailoverFunctionCode({ paths: ['/catalog/*'] }) });
      expect(d.default_cache_behavior.function_association).toEqual([{ event_type: 'viewer-request', function_arn: expect.stringContaining('aws_cloudfront_function.') }]);
    });

    it('given a function name CloudFront refuses, or more patterns than fit 10 KB of function code, then it says which', () => {
      expect(() => edge({ readFailover: { ...failover.readFailover, functionName: 'items.read failover' } })).toThrow(/functionName "items.read failover" must be letters, digits, "_" and "-"/);
      const many = Array.from({ length: 400 }, (_, i) => `/catalog-${i}/*`);
      expect(() => edge({ readFailover: { ...failover.readFailover, failover: { paths: many } } })).toThrow(/bytes; CloudFront takes 10240 at most/);
    });
  });

  it('given a read failover with shares (weighted routing), then one origin per region’s read name, and the function draws among them', () => {
    const shares = [
      { region: 'eu-west-1', weight: 3 },
      { region: 'us-east-1', weight: 1 },
    ];
    const tf = edge({ readFailover: { failover: { paths: ['/items/*'], shares }, functionName: 'f', readsDomainName: (r) => `${r}.reads.items.example.com` } });
    const d = only(tf, 'aws_cloudfront_distribution');
    expect(d.origin.map((o: any) => [o.origin_id, o.domain_name])).toEqual([
      ['regional', 'regional.items.example.com'],
      ['reads-eu-west-1', 'eu-west-1.reads.items.example.com'],
      ['reads-us-east-1', 'us-east-1.reads.items.example.com'],
    ]);
    expect(only(tf, 'aws_cloudfront_function').code).toContain('Math.random() * TOTAL');
  });

  it('given no read failover, then one origin, no function, and CloudFront keeps its default connection attempts', () => {
    const d = only(edge(), 'aws_cloudfront_distribution');
    expect(d.origin_group).toBeUndefined();
    expect(d.ordered_cache_behavior).toBeUndefined();
    expect(d.default_cache_behavior.function_association).toBeUndefined();
    expect(resources(edge(), 'aws_cloudfront_function')).toEqual([]);
    expect(d.origin[0].connection_attempts).toBeUndefined();
  });

  it('given a read failover missing the names its groups need (or the secondary equal to the primary), then it says what to add', () => {
    const base = { functionName: 'f' };
    expect(() => edge({ readFailover: { ...base, failover: { paths: ['/c/*'] } } })).toThrow(/without shares \(latency routing\) needs secondaryOriginDomainName/);
    expect(() => edge({ readFailover: { ...base, failover: { paths: ['/c/*'], shares: [{ region: 'eu-west-1', weight: 1 }] } } })).toThrow(/needs readsDomainName/);
    expect(() => edge({ readFailover: { ...base, failover: { paths: [] }, secondaryOriginDomainName: 's.example.com' } })).toThrow(/paths is empty/);
    expect(() => edge({ readFailover: { ...base, failover: { paths: ['/c/*'] }, secondaryOriginDomainName: 'regional.items.example.com' } })).toThrow(/must differ from originDomainName/);
  });

  it('never caches error responses, so a failed region’s 502/503 does not outlive DNS failover', () => {
    const responses = only(edge(), 'aws_cloudfront_distribution').custom_error_response;
    expect(responses.map((r: any) => r.error_code)).toEqual(expect.arrayContaining([404, 500, 502, 503, 504]));
    expect(responses.every((r: any) => r.error_caching_min_ttl === 0 && r.response_code === undefined)).toBe(true);
  });

  it('logs to its own bucket and uses the configured price class', () => {
    const tf = edge({ priceClass: 'PriceClass_200' });
    const d = only(tf, 'aws_cloudfront_distribution');
    expect(d.price_class).toBe('PriceClass_200');
    expect(d.logging_config.bucket).toContain('aws_s3_bucket.edge_log-bucket_');
    expect(only(tf, 'aws_s3_bucket').bucket).toBe('acme-items-test-edge-logs');
  });

  it('points A and AAAA alias records at the distribution, without target health', () => {
    const records = resources(edge(), 'aws_route53_record');
    expect(records.map((r) => r.type).sort()).toEqual(['A', 'AAAA']);
    for (const r of records) {
      expect(r).toMatchObject({ name: 'api.items.example.com', zone_id: 'Z123', provider: 'aws.eu-west-1' });
      expect(r.alias.evaluate_target_health).toBe(false);
      expect(r.alias.name).toContain('aws_cloudfront_distribution.');
    }
  });

  it('rejects a TTL beyond a year', () => {
    expect(() => edge({ ttlSeconds: 31_536_001 })).toThrow('test-stack/edge: ttlSeconds must be 0-31536000');
  });
});

describe('RegionalDomain', () => {
  it('serves the shared name from this region with this region’s certificate, mapped to the API stage', () => {
    const stack = testStack(['ap-southeast-1']);
    new RegionalDomain(stack, 'domain', {
      provider: stack.provider('ap-southeast-1'),
      domainName: 'regional.items.example.com',
      apiId: 'api123',
      stageName: '$default',
    });
    const tf = synth(stack);
    expect(only(tf, 'aws_acm_certificate')).toMatchObject({ provider: 'aws.ap-southeast-1', domain_name: 'regional.items.example.com' });
    expect(only(tf, 'aws_apigatewayv2_domain_name')).toMatchObject({
      provider: 'aws.ap-southeast-1',
      domain_name: 'regional.items.example.com',
      domain_name_configuration: { endpoint_type: 'REGIONAL', security_policy: 'TLS_1_2' },
    });
    expect(only(tf, 'aws_apigatewayv2_domain_name').domain_name_configuration.certificate_arn).toContain(
      'aws_acm_certificate_validation.',
    );
    expect(only(tf, 'aws_apigatewayv2_api_mapping')).toMatchObject({ api_id: 'api123', stage: '$default' });
    expect(resources(tf, 'aws_route53_record')).toHaveLength(0);
  });
});

describe('RegionalHealthCheck', () => {
  function check(overrides: Partial<RegionalHealthCheckProps> = {}) {
    const stack = testStack(['eu-west-1']);
    new RegionalHealthCheck(stack, 'hc', {
      dnsProvider: stack.provider('eu-west-1'),
      region: 'eu-west-1',
      fqdn: 'abc123.execute-api.eu-west-1.amazonaws.com',
      name: 'items-test-eu-west-1',
      ...overrides,
    });
    return synth(stack);
  }

  it('checks the region’s own endpoint over HTTPS on /health every 10 s, 3 failures, latency measured', () => {
    expect(only(check(), 'aws_route53_health_check')).toMatchObject({
      type: 'HTTPS',
      fqdn: 'abc123.execute-api.eu-west-1.amazonaws.com',
      port: 443,
      resource_path: '/health',
      request_interval: 10,
      failure_threshold: 3,
      measure_latency: true,
      enable_sni: true,
    });
  });

  it('takes interval and threshold from its props', () => {
    expect(only(check({ intervalSeconds: 30, failureThreshold: 5 }), 'aws_route53_health_check')).toMatchObject({
      request_interval: 30,
      failure_threshold: 5,
    });
  });

  it('combines the HTTPS check with a Lambda error alarm in a calculated check', () => {
    const stack = testStack(['eu-west-1']);
    const hc = new RegionalHealthCheck(stack, 'hc', {
      dnsProvider: stack.provider('eu-west-1'),
      region: 'eu-west-1',
      fqdn: 'abc123.execute-api.eu-west-1.amazonaws.com',
      name: 'items-test-eu-west-1',
      lambdaErrorAlarm: { functionName: 'items-test', alarmProvider: stack.provider('eu-west-1') },
    });
    new TerraformOutput(stack, 'used-check', { value: hc.healthCheckId });
    const tf = synth(stack);
    const checks = resources(tf, 'aws_route53_health_check');
    expect(checks.map((c) => c.type).sort()).toEqual(['CALCULATED', 'CLOUDWATCH_METRIC', 'HTTPS']);
    const calculated = checks.find((c) => c.type === 'CALCULATED');
    expect(calculated.child_health_threshold).toBe(2);
    expect(calculated.child_healthchecks).toHaveLength(2);
    expect(only(tf, 'aws_cloudwatch_metric_alarm')).toMatchObject({
      namespace: 'AWS/Lambda',
      metric_name: 'Errors',
      dimensions: { FunctionName: 'items-test' },
    });
    expect(tf.output['used-check'].value).toMatch(/^\${aws_route53_health_check\.hc_calculated_\w+\.id}$/);
  });

  it.each([
    [{ intervalSeconds: 20 }, 'intervalSeconds must be 10 or 30, got 20'],
    [{ failureThreshold: 11 }, 'failureThreshold must be 1-10, got 11'],
  ])('rejects %p', (overrides, message) => {
    expect(() => check(overrides)).toThrow(`test-stack/hc: ${message}`);
  });
});

describe('RegionalRecord', () => {
  function record(routing: RegionalRouting) {
    const stack = testStack(['us-east-1']);
    new RegionalRecord(stack, 'record', {
      dnsProvider: stack.provider('us-east-1'),
      zoneId: 'Z123',
      name: 'regional.items.example.com',
      region: 'us-east-1',
      routing,
      targetDomainName: 'd-abc.execute-api.us-east-1.amazonaws.com',
      targetHostedZoneId: 'Z1UJRXOUMOOFQ8',
      healthCheckId: 'hc-1',
    });
    return only(synth(stack), 'aws_route53_record');
  }

  it('is a latency alias record for the region, tied to the health check and target health', () => {
    expect(record({ policy: 'latency' })).toMatchObject({
      name: 'regional.items.example.com',
      type: 'A',
      set_identifier: 'us-east-1',
      health_check_id: 'hc-1',
      latency_routing_policy: { region: 'us-east-1' },
      alias: { name: 'd-abc.execute-api.us-east-1.amazonaws.com', zone_id: 'Z1UJRXOUMOOFQ8', evaluate_target_health: true },
    });
  });

  it('carries the weight in weighted mode and the role in failover mode', () => {
    expect(record({ policy: 'weighted', weight: 200 }).weighted_routing_policy).toEqual({ weight: 200 });
    expect(record({ policy: 'failover', role: 'SECONDARY' }).failover_routing_policy).toEqual({ type: 'SECONDARY' });
  });

  it('rejects a weight outside 0-255', () => {
    expect(() => record({ policy: 'weighted', weight: 256 })).toThrow('test-stack/record: weight must be a whole number 0-255, got 256');
  });
});
