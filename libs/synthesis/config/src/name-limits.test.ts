import { ConfigError } from './config-error';
import { parsePlatform } from './parse';
import { NAME_LIMITS, type NameLimit, derivedNames, nameProblem } from './name-limits';
import { platformFixture } from './testing/platform-fixture';

/** The problem lines of a config, as the CLI prints them; [] when it is accepted. */
function problemLines(config: unknown): string[] {
  try {
    parsePlatform(config, 'fixture.json');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `- ${err.source}: ${p.path || '(root)'}: ${p.message}`);
    throw err;
  }
}

/** A network for each region of the fixture's prod, so Aurora and the cache can be turned on. */
function network(regions: readonly string[]) {
  return Object.fromEntries(regions.map((r) => [r, { vpc: { id: 'vpc-0123456789abcdef0' }, privateSubnets: { ids: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'] } }]));
}

/** One environment `env` (domain `domain`, regions `regions`) with one service `service` (options `svc`). */
function fixture(opts: { service?: string; env?: string; domain?: string; regions?: string[]; svc?: object; organization?: string }) {
  const regions = opts.regions ?? ['eu-west-1', 'ap-southeast-1'];
  return platformFixture({
    organization: opts.organization ?? 'acme',
    environments: {
      [opts.env ?? 'prod']: { accountId: '333333333333', domain: opts.domain ?? 'example.com', regions, network: network(regions) },
    },
    services: { [opts.service ?? 'items']: { app: 'items-api', ...opts.svc } },
  });
}

const cache = { cache: { engine: 'valkey' } };
const aurora = { aurora: { engine: 'aurora-postgresql', engineVersion: '16.4' } };
// 236 characters, a valid domain (labels of at most 63): the region's own name adds 30.
const longDomain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.${'g'.repeat(40)}.com`;

describe('AWS name limits checked at config load (issue 22 #12, check 4)', () => {
  // Each row: a config the schema accepts whose derived name AWS refuses, the config
  // path the line must point at, and what the line must say. All but the S3 length and
  // the Cognito words were accepted before this check.
  it.each([
    [
      'an ElastiCache replication group id over 40 characters (service 24 + environment 16 + region)',
      fixture({ service: 'orders-fulfilment-intake', env: 'preproduction-eu', svc: cache }),
      'services.orders-fulfilment-intake',
      'ElastiCache replication group id "orders-fulfilment-intake-preproduction-eu-ap-southeast-1" would be 56 characters (max 40)',
    ],
    [
      'two consecutive hyphens in an Aurora cluster id (the schema allows them in a service name)',
      fixture({ service: 'ab--cd', svc: aurora }),
      'services.ab--cd',
      'Aurora DB cluster identifier "ab--cd-prod-ap-southeast-1" must not contain two consecutive hyphens',
    ],
    [
      'an ACM certificate domain name over 64 characters',
      fixture({ service: 'catalogue-search-service', domain: 'platform.internal.engineering.example.com' }),
      'environments.prod.domain',
      'ACM certificate domain name (the first name, its Common Name) "regional.catalogue-search-service.platform.internal.engineering.example.com" would be 75 characters (max 64)',
    ],
    [
      'a DNS name over 253 characters',
      fixture({ domain: longDomain }),
      'environments.prod.domain',
      'DNS name (hosted zone, record, certificate SAN, API custom domain) "ap-southeast-1.regional.items.ddd',
    ],
    [
      'a CloudFront comment over 128 characters',
      fixture({ domain: `${'d'.repeat(40)}.example.com` }),
      'environments.prod.domain',
      'CloudFront comment (distribution, cache policy) "api.items.dddd',
    ],
    [
      'an S3 bucket name with a prefix S3 reserves',
      fixture({ organization: 'sthree' }),
      'organization',
      'must not start with "sthree-", which AWS refuses (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html); change the organization "sthree"',
    ],
    [
      'a security group name starting with "sg-"',
      fixture({ service: 'sg', svc: cache }),
      'services.sg',
      'EC2 security group name "sg-prod-lambda" must not start with "sg-"',
    ],
    [
      'a resource server identifier with ":" or "/", which the resource server name it also becomes may not hold',
      fixture({ svc: { auth: { cognito: { resourceServer: 'https://orders.example.com' } } } }),
      'services.items.auth.cognito.resourceServer',
      'Cognito resource server name (the platform names it after its identifier) "https://orders.example.com" must be letters, digits, spaces and _+=,.@- (no ":" or "/")',
    ],
    [
      'a scope with "/", which OAuth allows and Cognito does not',
      fixture({ svc: { auth: { cognito: {}, scopes: { GET: ['orders/read'] } } } }),
      'services.items.auth.scopes',
      'Cognito scope name "orders/read" must be printable ASCII without spaces, quotes, backslashes or "/"',
    ],
  ])('refuses %s, in one line naming the config value to change', (_what, config, path, says) => {
    const lines = problemLines(config);
    const line = lines.find((l) => l.startsWith(`- fixture.json: ${path}: `) && l.includes(says));
    expect(line ?? lines).toEqual(expect.stringContaining(says));
    expect(line).toMatch(/which AWS refuses \(https:\/\/docs\.aws\.amazon\.com\/[^)]+\); (shorten|change) the /);
  });

  it('refuses a state role name that the environment name makes longer than IAM allows', () => {
    const config = fixture({ env: 'preproduction-eu' });
    config.stateBackend.roleName = `platform-terraform-state-${'r'.repeat(30)}`;
    expect(problemLines(config)).toEqual([
      expect.stringMatching(
        /^- fixture\.json: stateBackend\.roleName: IAM role name "platform-terraform-state-r+-preproduction-eu" would be 72 characters \(max 64\).*; shorten the state role name ".*" or the environment name "preproduction-eu" \(environments\.preproduction-eu\)$/,
      ),
    ]);
  });

  it('accepts a replication group id of exactly 40 characters', () => {
    // 12 + 1 + 12 + 1 + 14 = 40
    expect(problemLines(fixture({ service: 'orders-fulfi', env: 'preprod-euwe', svc: cache }))).toEqual([]);
  });

  it('reports one line per kind of name and config value, the longest name first', () => {
    const lines = problemLines(fixture({ service: 'orders-fulfilment-intake', env: 'preproduction-eu', svc: cache }));
    const replicationGroups = lines.filter((l) => l.includes('ElastiCache replication group id'));
    expect(replicationGroups).toHaveLength(1);
    expect(replicationGroups[0]).toContain('-ap-southeast-1"');
    expect(replicationGroups[0]).toContain('or the environment name "preproduction-eu" (environments.preproduction-eu)');
  });

  it('derives every name of the fixture platform within its limit', () => {
    const { config } = parsePlatform(platformFixture());
    expect(derivedNames(config).filter((d) => nameProblem(NAME_LIMITS[d.kind], d.name))).toEqual([]);
  });
});

describe('the table of AWS name limits', () => {
  it.each(Object.entries(NAME_LIMITS))('%s names the AWS documentation that states it', (_kind, limit: NameLimit) => {
    expect(limit.doc).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
  });

  it.each([
    ['elasticacheReplicationGroup', 'a'.repeat(40), undefined],
    ['elasticacheReplicationGroup', 'a'.repeat(41), 'would be 41 characters (max 40)'],
    ['elasticacheReplicationGroup', 'a-', 'must not end with a hyphen'],
    ['elasticacheReplicationGroup', '1a', 'must be letters, digits and hyphens, starting with a letter'],
    ['s3Bucket', 'xn--abc', 'must not start with "xn--"'],
    ['s3Bucket', 'a..b', 'must not contain two adjacent dots'],
    ['kmsAlias', 'alias/aws/x', 'must not start with "alias/aws/"'],
    ['cognitoDomain', 'acme-amazon-dev', 'must not contain "aws", "amazon" or "cognito" (reserved words)'],
    ['wafMetric', 'All', 'must not be "All" or "Default_Action"'],
    ['dnsName', `${'a'.repeat(64)}.example.com`, 'has a label (between dots) over 63 characters'],
    ['stsRoleSessionName', 'a', 'would be 1 characters (min 2)'],
  ] as const)('%s: "%s" -> %s', (kind, name, reason) => {
    expect(nameProblem(NAME_LIMITS[kind], name)?.reason).toBe(reason);
  });
});
