import { baseConfig, resourcesOf, synthConfig } from './test-workspace';

const REGION = 'us-east-1';
const external = {
  issuer: 'https://login.example.com/',
  audiences: ['https://items.example.com'],
  routes: ['GET /items/{id}'],
  scopes: { GET: ['items:read'], POST: ['items:write'] },
};

describe('JWT authorization in every region', () => {
  const config = baseConfig();
  config.services.items.auth = external;
  const out = synthConfig(config);

  it('gives each regional HTTP API a JWT authorizer with the issuer and audiences, validating in its own region', () => {
    for (const region of ['eu-west-1', 'us-east-1', 'ap-southeast-1']) {
      const [authorizer] = resourcesOf(out.stack(`items-prod-${region}`), 'aws_apigatewayv2_authorizer');
      expect(authorizer).toMatchObject({
        provider: `aws.${region}`,
        authorizer_type: 'JWT',
        identity_sources: ['$request.header.Authorization'],
        jwt_configuration: { issuer: 'https://login.example.com/', audience: ['https://items.example.com'] },
      });
    }
  });

  it('attaches the authorizer to every route except the health check, with the scopes of each', () => {
    const routes = Object.fromEntries(resourcesOf(out.stack(`items-prod-${REGION}`), 'aws_apigatewayv2_route').map((r) => [r.route_key, r]));
    expect(routes['GET /health']).toMatchObject({ authorization_type: 'NONE' });
    expect(routes['GET /health'].authorizer_id).toBeUndefined();
    for (const key of ['$default', 'GET /items/{id}', 'GET /{proxy+}', 'POST /{proxy+}']) {
      expect(routes[key]).toMatchObject({ authorization_type: 'JWT', authorizer_id: expect.stringContaining('aws_apigatewayv2_authorizer') });
    }
    expect(routes['GET /items/{id}'].authorization_scopes).toEqual(['items:read']);
    expect(routes['POST /{proxy+}'].authorization_scopes).toEqual(['items:write']);
    expect(routes.$default.authorization_scopes).toBeUndefined();
  });

  it('turns off the execute-api endpoint', () => {
    expect(resourcesOf(out.stack(`items-prod-${REGION}`), 'aws_apigatewayv2_api')[0].disable_execute_api_endpoint).toBe(true);
  });

  it('serves a region-only name for the health check, on the regional certificate', () => {
    const tf = out.stack(`items-prod-${REGION}`);
    const names = resourcesOf(tf, 'aws_apigatewayv2_domain_name').map((d) => d.domain_name);
    expect(names).toEqual(['regional.items.example.com', 'us-east-1.regional.items.example.com']);
    expect(resourcesOf(tf, 'aws_acm_certificate')[0].subject_alternative_names).toEqual(['us-east-1.regional.items.example.com']);
    expect(resourcesOf(tf, 'aws_route53_record').find((r) => r.name === 'us-east-1.regional.items.example.com')).toMatchObject({ type: 'A' });
    expect(resourcesOf(out.stack('items-prod-global'), 'aws_acm_certificate')[0].subject_alternative_names).toContain('us-east-1.regional.items.example.com');
  });

  it('creates no Cognito pool when the service names its own issuer', () => {
    expect(resourcesOf(out.stack('items-prod-global'), 'aws_cognito_user_pool')).toHaveLength(0);
  });
});

describe('Cognito as the issuer (the default)', () => {
  const out = synthConfig(baseConfig());

  it('creates the pool, a resource server and a client in the primary region', () => {
    const global = out.stack('items-prod-global');
    expect(resourcesOf(global, 'aws_cognito_user_pool')[0]).toMatchObject({ provider: 'aws.eu-west-1', deletion_protection: 'ACTIVE' });
    expect(resourcesOf(global, 'aws_cognito_resource_server')[0]).toMatchObject({ provider: 'aws.eu-west-1', identifier: 'items' });
    expect(resourcesOf(global, 'aws_cognito_user_pool_client')).toHaveLength(1);
    expect(resourcesOf(global, 'aws_cognito_user_pool_domain')[0]).toMatchObject({ provider: 'aws.eu-west-1', domain: 'acme-items-prod' });
    expect(Object.keys(global.output)).toEqual(expect.arrayContaining(['user_pool_id', 'user_pool_client_id']));
  });

  it('wires the pool as every region\'s issuer through the global outputs', () => {
    const [authorizer] = resourcesOf(out.stack('items-prod-ap-southeast-1'), 'aws_apigatewayv2_authorizer');
    expect(authorizer.jwt_configuration.issuer).toMatch(/^https:\/\/cognito-idp\.eu-west-1\.amazonaws\.com\/\$\{.*user_pool_id.*\}$/);
    expect(authorizer.jwt_configuration.audience).toEqual([expect.stringContaining('user_pool_client_id')]);
  });
});

describe('the edge is the only entrance', () => {
  const out = synthConfig(baseConfig());
  const global = out.stack('items-prod-global');
  const [distribution] = resourcesOf(global, 'aws_cloudfront_distribution');

  it('sends the origin secret from Secrets Manager as a custom origin header', () => {
    expect(resourcesOf(global, 'aws_secretsmanager_secret')[0]).toMatchObject({ name: 'platform/items-prod/origin-secret', provider: 'aws.eu-west-1' });
    expect(resourcesOf(global, 'aws_secretsmanager_secret_version')[0].lifecycle).toEqual({ ignore_changes: ['secret_string'] });
    expect(distribution.origin[0].custom_header).toEqual([{ name: 'x-origin-verify', value: expect.stringMatching(/^\$\{jsondecode\(data\.aws_secretsmanager_secret_version\..*\.secret_string\)\.send\}$/) }]);
    expect(global.output.origin_secret_accepted.sensitive).toBe(true);
  });

  it('gives the functions the accepted values from the global state', () => {
    const [fn] = resourcesOf(out.stack(`items-prod-${REGION}`), 'aws_lambda_function');
    expect(fn.environment.variables.ORIGIN_SECRETS).toMatch(/^\${local\.global_outputs_\w+\.origin_secret_accepted}$/);
  });

  it('puts a CLOUDFRONT web ACL from us-east-1 on the distribution: common, known bad inputs, rate per IP', () => {
    const [acl] = resourcesOf(global, 'aws_wafv2_web_acl');
    expect(acl).toMatchObject({ provider: 'aws.us-east-1', scope: 'CLOUDFRONT', default_action: { allow: {} } });
    expect(acl.rule.map((r: any) => r.name)).toEqual(['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'rate-per-ip']);
    expect(acl.rule[2].statement).toEqual({ rate_based_statement: { limit: 2000, aggregate_key_type: 'IP' } });
    expect(distribution.web_acl_id).toMatch(/aws_wafv2_web_acl\..*\.arn/);
  });

  it('takes the rate limit from the config', () => {
    const config = baseConfig();
    config.services.items.waf = { rateLimitPer5Minutes: 500 };
    const [acl] = resourcesOf(synthConfig(config).stack('items-prod-global'), 'aws_wafv2_web_acl');
    expect(acl.rule[2].statement.rate_based_statement.limit).toBe(500);
  });

  it('has no web ACL for a service that opted out with a reason', () => {
    const config = baseConfig();
    config.services.items.waf = { enabled: false, reason: 'behind the partner WAF' };
    const tf = synthConfig(config).stack('items-prod-global');
    expect(resourcesOf(tf, 'aws_wafv2_web_acl')).toHaveLength(0);
    expect(resourcesOf(tf, 'aws_cloudfront_distribution')[0].web_acl_id).toBeUndefined();
  });

  it('adds HSTS, nosniff and frame options with a response headers policy', () => {
    const [policy] = resourcesOf(global, 'aws_cloudfront_response_headers_policy');
    expect(policy.provider).toBe('aws.us-east-1');
    expect(policy.security_headers_config).toMatchObject({
      strict_transport_security: { access_control_max_age_sec: 63072000, include_subdomains: true, override: true },
      content_type_options: { override: true },
      frame_options: { frame_option: 'DENY', override: true },
    });
    expect(distribution.default_cache_behavior.response_headers_policy_id).toMatch(/aws_cloudfront_response_headers_policy/);
  });

  it('keeps the Authorization header in the edge cache key while auth is on', () => {
    const [policy] = resourcesOf(global, 'aws_cloudfront_cache_policy');
    expect(policy.parameters_in_cache_key_and_forwarded_to_origin.headers_config).toEqual({ header_behavior: 'whitelist', headers: { items: ['Authorization'] } });
  });
});
