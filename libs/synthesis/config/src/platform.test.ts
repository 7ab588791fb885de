import * as path from 'node:path';
import { ConfigError } from './config-error';
import { effectiveWeight, loadPlatform, parsePlatform } from '.';
import { platformFixture } from './testing/platform-fixture';

/** A small valid config (the fixture's dev and prod, one service); each test breaks one thing in it. */
function validConfig(): any {
  const config = platformFixture({ services: { items: {} } });
  delete config.environments.staging;
  return config;
}

/** The problems of an invalid config, as `path: message` lines. */
function problems(config: unknown): string[] {
  try {
    parsePlatform(config, 'test.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  throw new Error('config was accepted');
}

describe('the example platform config', () => {
  const platform = loadPlatform(path.join(__dirname, '../../../../config/platform.json'));

  it('is valid and plans a global stack and a stack per region for each service and environment', () => {
    const expected = platform.services.flatMap((svc) =>
      svc.environments.flatMap((env) => [`${svc.name}-${env}-global`, ...platform.config.environments[env].regions.map((r) => `${svc.name}-${env}-${r}`)]),
    );
    expect(platform.stacks.map((s) => s.name)).toEqual(expected);
  });
});

describe('the stack plan', () => {
  const platform = parsePlatform(platformFixture());

  it('has dev in two regions and prod in eu-west-1, us-east-1 and ap-southeast-1, primary first', () => {
    expect(platform.config.environments.dev.regions).toHaveLength(2);
    expect(platform.config.environments.prod.regions).toEqual(['eu-west-1', 'us-east-1', 'ap-southeast-1']);
  });

  it('names one global stack and one stack per region for each service and environment', () => {
    const items = platform.stacks.filter((s) => s.service === 'items').map((s) => s.name);
    expect(items).toEqual([
      'items-dev-global',
      'items-dev-eu-west-1',
      'items-dev-us-east-1',
      'items-staging-global',
      'items-staging-eu-west-1',
      'items-staging-us-east-1',
      'items-staging-ap-southeast-1',
      'items-prod-global',
      'items-prod-eu-west-1',
      'items-prod-us-east-1',
      'items-prod-ap-southeast-1',
    ]);
  });

  it('links each regional stack to its global stack, app and a state key of its own', () => {
    const stack = platform.stacks.find((s) => s.name === 'items-prod-us-east-1')!;
    expect(stack).toMatchObject({
      layer: 'regional',
      region: 'us-east-1',
      globalStack: 'items-prod-global',
      app: 'items-api',
      accountId: '333333333333',
      stateKey: 'platform/prod/items-prod-us-east-1.tfstate',
    });
  });
});

describe('config defaults', () => {
  it('fills in latency routing, a TTL edge cache, the deploy role and the app name', () => {
    const platform = parsePlatform(validConfig());
    const items = platform.services[0];
    expect(items.routing).toEqual({ policy: 'latency', weights: {} });
    expect(items.edgeCache).toEqual({ enabled: true, mode: 'ttl', ttlSeconds: 60, priceClass: 'PriceClass_100', failoverPaths: [] });
    expect(items.healthCheck).toEqual({ intervalSeconds: 10, failureThreshold: 3, path: '/health', lambdaErrorAlarm: false });
    expect(items.auth).toEqual({ required: true, routes: [], scopes: {} });
    expect(items.waf).toEqual({ enabled: true, rateLimitPer5Minutes: 2000 });
    expect(platform.config.environments.dev.dns).toEqual({ zone: 'create' });
    expect(items.app).toBe('items-api');
    expect(platform.config.environments.dev.deployRoleName).toBe('platform-deploy');
  });

  it('splits evenly with one weight for every region when none are given, whatever the number of regions', () => {
    expect(effectiveWeight({ routing: { policy: 'weighted', weights: {} } }, 'eu-west-1')).toBe(100);
    expect(effectiveWeight({ routing: { policy: 'weighted', weights: { 'eu-west-1': 10 } } }, 'eu-west-1')).toBe(10);
  });
});

describe('bad config', () => {
  it('rejects a migration runner that is not a runner label', () => {
    const c = validConfig();
    c.environments.prod.migrationRunner = 'self hosted; rm -rf';
    expect(problems(c)).toEqual([
      'environments.prod.migrationRunner: migrationRunner must be a runner label such as self-hosted-prod-vpc (letters, digits, . _ : / -) (got "self hosted; rm -rf")',
    ]);
  });

  it('rejects an unknown region name, suggesting the closest one', () => {
    const c = validConfig();
    c.environments.prod.regions[1] = 'us-east1';
    expect(problems(c)).toEqual(['environments.prod.regions[1]: unknown AWS region "us-east1"; did you mean "us-east-1"? (got "us-east1")']);
  });

  it('rejects a duplicate region', () => {
    const c = validConfig();
    c.environments.prod.regions = ['eu-west-1', 'us-east-1', 'eu-west-1'];
    expect(problems(c)).toEqual([
      'environments.prod.regions[2]: duplicate region "eu-west-1" (already at regions[0]); list each region once',
    ]);
  });

  it('rejects an empty region list', () => {
    const c = validConfig();
    c.environments.dev.regions = [];
    expect(problems(c)).toEqual([
      'environments.dev.regions: an environment needs at least one region (the first is the primary) (got [])',
    ]);
  });

  it('rejects an account id that is not 12 digits', () => {
    const c = validConfig();
    c.environments.dev.accountId = '12345678901';
    expect(problems(c)).toEqual(['environments.dev.accountId: AWS account id must be exactly 12 digits (got "12345678901")']);
  });

  it('rejects an account id given as a number', () => {
    const c = validConfig();
    c.environments.dev.accountId = 111111111111;
    expect(problems(c)).toEqual(['environments.dev.accountId: must be a string of 12 digits (got 111111111111)']);
  });

  it('rejects two stacks that would share a name', () => {
    const c = validConfig();
    // Service "items" in environment "dev-qa" and service "items-dev" in environment "qa".
    c.environments = {
      'dev-qa': { accountId: '111111111111', domain: 'dev.example.com', regions: ['eu-west-1'] },
      qa: { accountId: '222222222222', domain: 'qa.example.com', regions: ['eu-west-1'] },
    };
    c.services = { items: { environments: ['dev-qa'] }, 'items-dev': { environments: ['qa'] } };
    expect(problems(c)).toEqual([
      'services.items-dev: stack name "items-dev-qa-global" of service "items-dev" in environment "qa" is also the name of a stack of service "items" in environment "dev-qa"; rename the service or the environment',
      'services.items-dev: stack name "items-dev-qa-eu-west-1" of service "items-dev" in environment "qa" is also the name of a stack of service "items" in environment "dev-qa"; rename the service or the environment',
    ]);
  });

  it('rejects two stacks that would share a state key', () => {
    // Keys are derived from names, so a name clash is also a key clash; the state key is
    // reported only when the names differ, which a key prefix cannot cause today.
    const c = validConfig();
    c.stateBackend.keyPrefix = 'platform/';
    const platform = parsePlatform(c);
    const keys = platform.stacks.map((s) => s.stateKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys[0]).toBe('platform/dev/items-dev-global.tfstate');
  });

  it('rejects a bad domain', () => {
    const c = validConfig();
    c.environments.prod.domain = 'https://Example.com/';
    expect(problems(c)).toEqual([
      'environments.prod.domain: domain must be a lower-case DNS name such as dev.example.com (no scheme, no trailing dot) (got "https://Example.com/")',
    ]);
  });

  it('rejects an unknown option value', () => {
    const c = validConfig();
    c.services.items = { routing: { policy: 'fastest' } };
    expect(problems(c)).toEqual([
      'services.items.routing.policy: unknown value; expected one of "latency", "weighted", "failover" (got "fastest")',
    ]);
  });

  it('rejects an unknown key, such as a misspelt option', () => {
    const c = validConfig();
    c.services.items = { routeing: {} };
    expect(problems(c)).toEqual(['services.items: unknown key "routeing"; check the spelling']);
  });

  it.each([256, -1, 1.5])('rejects weight %p (outside 0-255 or not whole)', (weight) => {
    const c = validConfig();
    c.services.items = { routing: { policy: 'weighted', weights: { 'eu-west-1': weight } } };
    expect(problems(c)).toEqual([expect.stringMatching(/^services\.items\.routing\.weights\.eu-west-1: weight must be .*0 to 255/)]);
  });

  it('rejects weights that are all zero in an environment', () => {
    const c = validConfig();
    c.services.items = { routing: { policy: 'weighted', weights: { 'eu-west-1': 0, 'us-east-1': 0, 'ap-southeast-1': 0 } } };
    expect(problems(c)).toEqual([
      'services.items.routing.weights: every region of environment "dev" has weight 0, so DNS would answer with no region; give at least one a weight above 0',
      'services.items.routing.weights: every region of environment "prod" has weight 0, so DNS would answer with no region; give at least one a weight above 0',
    ]);
  });

  it('rejects weights given for only some regions of an environment, naming the missing ones', () => {
    const c = validConfig();
    c.services.items = { routing: { policy: 'weighted', weights: { 'eu-west-1': 200, 'us-east-1': 55 } } };
    expect(problems(c)).toEqual([
      'services.items.routing.weights: weights are given for eu-west-1, us-east-1 but not for ap-southeast-1 of environment "prod"; give every region a weight, or none for an even split',
    ]);
  });

  it('accepts weighted routing with a weight for every region, or with none (an even split)', () => {
    const c = validConfig();
    c.services.items = { routing: { policy: 'weighted', weights: { 'eu-west-1': 200, 'us-east-1': 55, 'ap-southeast-1': 85 } } };
    expect(parsePlatform(c).services[0].routing.weights).toEqual({ 'eu-west-1': 200, 'us-east-1': 55, 'ap-southeast-1': 85 });
    c.services.items = { routing: { policy: 'weighted' } };
    expect(parsePlatform(c).services[0].routing.weights).toEqual({});
  });

  it('rejects weights on latency routing and weights for a region the service does not use', () => {
    const c = validConfig();
    c.services.items = { routing: { weights: { 'sa-east-1': 10 } } };
    expect(problems(c)).toEqual([
      'services.items.routing.weights: weights are set but routing.policy is "latency"; set policy to "weighted" or remove the weights',
      'services.items.routing.weights.sa-east-1: weight for region "sa-east-1", which no environment of this service uses (regions: eu-west-1, us-east-1, ap-southeast-1)',
    ]);
  });

  it('rejects invalidate mode when the edge cache is off', () => {
    const c = validConfig();
    c.services.items = { edgeCache: { enabled: false, mode: 'invalidate' } };
    expect(problems(c)).toEqual([
      'services.items.edgeCache.mode: mode "invalidate" needs the edge cache; set edgeCache.enabled to true or use mode "ttl"',
    ]);
  });

  it('rejects a service deployed to an unknown environment', () => {
    const c = validConfig();
    c.services.items = { environments: ['qa'] };
    expect(problems(c)).toEqual(['services.items.environments[0]: unknown environment "qa"; defined: dev, prod']);
  });

  it('rejects names that would make an S3 bucket name too long', () => {
    const c = validConfig();
    c.organization = 'a-very-long-org-name';
    c.services = { 'a-very-long-service-name': {} };
    expect(problems(c)[0]).toMatch(/^services\.a-very-long-service-name: S3 bucket name ".*" would be \d+ characters \(max 63\)/);
  });

  it('reports every problem at once, each with its path and value', () => {
    const c = validConfig();
    c.environments.dev.accountId = 'abc';
    c.environments.prod.domain = 'nodot';
    c.services.items = { edgeCache: { mode: 'forever' } };
    expect(problems(c)).toHaveLength(3);
  });

  it('reports a missing required field', () => {
    const c = validConfig();
    delete c.environments.dev.domain;
    expect(problems(c)).toEqual([expect.stringMatching(/^environments\.dev\.domain: missing; /)]);
  });
});

describe('bad traffic config', () => {
  it('defaults the TTL to a day in invalidate mode', () => {
    const c = validConfig();
    c.services.items = { edgeCache: { mode: 'invalidate' } };
    expect(parsePlatform(c).services[0].edgeCache.ttlSeconds).toBe(86400);
  });

  it.each([5, 20, 60])('rejects a health check interval of %p s', (interval) => {
    const c = validConfig();
    c.services.items = { healthCheck: { intervalSeconds: interval } };
    expect(problems(c)).toEqual([
      `services.items.healthCheck.intervalSeconds: Route53 health checks run every 10 or 30 seconds (got ${interval})`,
    ]);
  });

  it.each([0, 11])('rejects a failure threshold of %p', (threshold) => {
    const c = validConfig();
    c.services.items = { healthCheck: { failureThreshold: threshold } };
    expect(problems(c)).toEqual([`services.items.healthCheck.failureThreshold: failure threshold must be from 1 to 10 (got ${threshold})`]);
  });

  it('rejects an edge certificate over ACM’s 10 names: five weighted regions with failover paths need 12 (api, regional, 5 region names, 5 read names)', () => {
    const c = validConfig();
    c.environments.prod.regions = ['eu-west-1', 'us-east-1', 'ap-southeast-1', 'eu-central-1', 'us-west-2'];
    c.services.items = { routing: { policy: 'weighted' }, edgeCache: { failoverPaths: ['/items/*'] } };
    expect(problems(c)).toEqual([
      'services.items.edgeCache.failoverPaths: the edge certificate of items in prod would name 12 domains (api, regional, one per region, one read name per region); ACM takes 10 per certificate (https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html; this check assumes the default quota): use fewer regions or drop edgeCache.failoverPaths',
    ]);
    c.environments.prod.regions = c.environments.prod.regions.slice(0, 4);
    expect(parsePlatform(c).services[0].edgeCache.failoverPaths).toEqual(['/items/*']);
  });

  it('rejects a negative TTL', () => {
    const c = validConfig();
    c.services.items = { edgeCache: { ttlSeconds: -1 } };
    expect(problems(c)).toEqual(['services.items.edgeCache.ttlSeconds: TTL must not be negative (got -1)']);
  });

  it('rejects a TTL beyond a year', () => {
    const c = validConfig();
    c.services.items = { edgeCache: { ttlSeconds: 31_536_001 } };
    expect(problems(c)).toEqual(['services.items.edgeCache.ttlSeconds: TTL must be at most one year (31536000 s) (got 31536001)']);
  });

  it('rejects failover routing in an environment with more than two regions', () => {
    const c = validConfig();
    c.services.items = { routing: { policy: 'failover' } };
    expect(problems(c)).toEqual([
      'services.items.routing.policy: failover routing has one primary and one secondary, but environment "prod" has 3 regions (eu-west-1, us-east-1, ap-southeast-1); use latency or weighted routing, or deploy the service to two regions',
    ]);
  });

  it('accepts failover routing in two regions', () => {
    const c = validConfig();
    c.services.items = { routing: { policy: 'failover' }, environments: ['dev'] };
    expect(parsePlatform(c).services[0].routing.policy).toBe('failover');
  });

  it('rejects a Lambda error alarm health check when DNS lives in another account', () => {
    const c = validConfig();
    c.environments.prod.dns = { accountId: '999999999999', roleName: 'dns-records' };
    c.services.items = { healthCheck: { lambdaErrorAlarm: true } };
    expect(problems(c)).toEqual([
      expect.stringMatching(/^services\.items\.healthCheck\.lambdaErrorAlarm: environment "prod" keeps DNS in account 999999999999/),
    ]);
  });

  it('rejects an unknown hosted zone mode', () => {
    const c = validConfig();
    c.environments.prod.dns = { zone: 'import' };
    expect(problems(c)).toEqual(['environments.prod.dns.zone: unknown value; expected one of "create", "existing" (got "import")']);
  });
});

describe('bad data-layer config', () => {
  const network = {
    vpc: { id: 'vpc-0123456789abcdef0' },
    privateSubnets: { ids: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'] },
  };
  function withAurora(aurora: object, envs = ['dev']): any {
    const c = validConfig();
    c.environments.dev.network = { 'eu-west-1': network, 'us-east-1': network };
    c.services.items = { environments: envs, aurora: { engine: 'aurora-postgresql', engineVersion: '16.4', ...aurora } };
    return c;
  }

  it('accepts Aurora and a cache with a network in every region', () => {
    const c = withAurora({});
    c.services.items.cache = {};
    const items = parsePlatform(c).services[0];
    expect(items.aurora).toMatchObject({ instanceClass: 'db.r6g.large', instancesPerRegion: 2, backupRetentionDays: 7 });
    expect(items.cache).toMatchObject({ engine: 'valkey', nodeType: 'cache.r7g.large', replicasPerRegion: 1 });
  });

  it('rejects Aurora without a network in every region, saying why a network is needed, what to add and the other way out', () => {
    const c = withAurora({}, ['dev', 'prod']);
    expect(problems(c)).toEqual([
      'environments.prod.network: Aurora of service "items" runs in a VPC\'s private subnets (with the service\'s Lambda), which the platform looks up and never creates, ' +
        'and environment "prod" names none for eu-west-1, us-east-1, ap-southeast-1; add environments.prod.network.<region> = ' +
        '{ "vpc": { "id": "vpc-..." } or { "tags": {...} }, "privateSubnets": { "ids": [at least 2 "subnet-..."] } or { "tags": {...} } } for each ' +
        '(docs/data-layers.md), or deploy the service to the environments that have one (services.items.environments)',
    ]);
  });

  it('rejects a cache without a network in every region, naming the regions that lack one', () => {
    const c = validConfig();
    c.environments.dev.network = { 'eu-west-1': network };
    c.services.items = { environments: ['dev'], cache: {} };
    expect(problems(c)).toEqual([expect.stringMatching(/^environments\.dev\.network: the cache of service "items" runs in a VPC's private subnets .* names none for us-east-1; add environments\.dev\.network\.<region>/)]);
  });

  it.each([
    ['aurora-postgresql', '12.9', 'Aurora PostgreSQL 12.9 cannot start a new global database (majors before 13 are out of standard support); use 13 to 17'],
    ['aurora-mysql', '5.7.mysql_aurora.2.11.2', 'Aurora MySQL 5.7.mysql_aurora.2.11.2 (version 2) is out of standard support and cannot start a new global database; use 8.0.mysql_aurora.3.x'],
    ['aurora-postgresql', 'latest', '"latest" is not an Aurora PostgreSQL version such as 16.4'],
  ])('rejects %s %s, which cannot be a global database', (engine, engineVersion, message) => {
    expect(problems(withAurora({ engine, engineVersion }))).toEqual([`services.items.aurora.engineVersion: ${message}`]);
  });

  it('rejects more secondary regions than the engine allows', () => {
    const c = validConfig();
    const regions = ['eu-west-1', 'us-east-1', 'ap-southeast-1', 'us-west-2'];
    c.environments.prod.regions = regions;
    c.environments.prod.network = Object.fromEntries(regions.map((r) => [r, network]));
    c.services.items = { environments: ['prod'], cache: {} };
    expect(problems(c)).toEqual([
      'services.items.cache: the cache allows at most 2 secondary regions, but "prod" has 3 (us-east-1, ap-southeast-1, us-west-2)',
    ]);
  });

  it('rejects a backup retention of 0', () => {
    expect(problems(withAurora({ backupRetentionDays: 0 }))).toEqual([
      'services.items.aurora.backupRetentionDays: backup retention must be 1-35 days (Aurora always keeps backups; 0 is not allowed) (got 0)',
    ]);
  });

  it('keeps idempotency records 24 h by default and refuses a TTL outside 1-720 hours', () => {
    expect(parsePlatform(withAurora({})).services[0].aurora?.idempotencyTtlHours).toBe(24);
    expect(problems(withAurora({ idempotencyTtlHours: 0 }))).toEqual([
      'services.items.aurora.idempotencyTtlHours: idempotencyTtlHours must be 1-720 hours (retries need at least an hour) (got 0)',
    ]);
    expect(problems(withAurora({ idempotencyTtlHours: 1.5 }))).toEqual([
      'services.items.aurora.idempotencyTtlHours: idempotencyTtlHours must be a whole number of hours, 1-720 (got 1.5)',
    ]);
  });

  it('rejects a network for a region the environment does not use, and a malformed one', () => {
    const c = validConfig();
    c.environments.dev.network = { 'sa-east-1': network };
    expect(problems(c)).toEqual([
      'environments.dev.network.sa-east-1: network for region "sa-east-1", which is not one of the environment\'s regions (eu-west-1, us-east-1)',
    ]);
    c.environments.dev.network = { 'eu-west-1': { vpc: { id: 'my-vpc' }, privateSubnets: { ids: ['subnet-0a'] } } };
    expect(problems(c)).toHaveLength(2);
  });
});
