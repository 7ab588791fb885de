// AWS's rules for the names the platform derives from the config (service contract and
// the constructs' own suffixes), checked when the config loads: a config that would make
// a name AWS refuses fails here, with the config value to shorten, instead of at apply.
// Each rule is a fact of AWS's documentation, linked in `doc`. The stacks' test
// (stacks/name-limits.test.ts) proves that every name the synthesized Terraform carries
// is one that `derivedNames` lists, so a construct that adds a name must add it here.
import type { ConfigProblem } from './config-error';
import { failoverOriginNames, readFailoverOf } from './origin-failover';
import type { PlatformConfig } from './schema';
import {
  alarmTopicName,
  auroraClusterIdentifier,
  cognitoScopes,
  serviceContract,
  stateAccessLogBucketName,
  stateRoleName,
  usesCognito,
  usesOriginSecret,
} from './service-contract';

/** One extra rule of a name (a reserved prefix, a forbidden sequence): what it says and whether `name` breaks it. */
export interface NameRule {
  readonly text: string;
  readonly breaks: (name: string) => boolean;
}

/** What AWS accepts for one kind of name. */
export interface NameLimit {
  /** AWS's term for the name. */
  readonly what: string;
  /** @default 1 */
  readonly minLength?: number;
  /** Most characters (the names are ASCII, so characters are octets). @default - none documented */
  readonly maxLength?: number;
  /** Allowed characters and shape. @default - none documented */
  readonly pattern?: { readonly regex: RegExp; readonly text: string };
  /** How AWS treats case, where it says (for the table; it refuses nothing). */
  readonly caseNote?: string;
  readonly rules?: readonly NameRule[];
  /** The AWS documentation that states the limit. */
  readonly doc: string;
}

const startsWith = (prefix: string): NameRule => ({ text: `must not start with "${prefix}"`, breaks: (n) => n.startsWith(prefix) });
const endsWith = (suffix: string): NameRule => ({ text: `must not end with "${suffix}"`, breaks: (n) => n.endsWith(suffix) });
const noDoubleHyphen: NameRule = { text: 'must not contain two consecutive hyphens', breaks: (n) => n.includes('--') };
const noTrailingHyphen: NameRule = { text: 'must not end with a hyphen', breaks: (n) => n.endsWith('-') };
const labelsFit: NameRule = { text: 'has a label (between dots) over 63 characters', breaks: (n) => n.split('.').some((label) => label.length > 63) };
const LETTERS_DIGITS_HYPHENS = { regex: /^[A-Za-z][A-Za-z0-9-]*$/, text: 'letters, digits and hyphens, starting with a letter' };

/**
 * AWS's rules for every kind of name the platform derives, keyed by what the name is.
 * Where AWS documents no length (an API's `Name` without constraints), the entry has none:
 * it is listed so the table is complete, not to guess a limit.
 */
export const NAME_LIMITS = {
  stsRoleSessionName: {
    what: 'STS role session name (the stack name, in every provider that assumes a role)',
    minLength: 2,
    maxLength: 64,
    pattern: { regex: /^[\w+=,.@-]+$/, text: 'letters, digits and _+=,.@-' },
    doc: 'https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html',
  },
  iamRole: {
    what: 'IAM role name',
    maxLength: 64,
    pattern: { regex: /^[\w+=,.@-]+$/, text: 'letters, digits and _+=,.@-' },
    caseNote: 'unique regardless of case',
    doc: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
  },
  s3Bucket: {
    what: 'S3 bucket name',
    minLength: 3,
    maxLength: 63,
    pattern: { regex: /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, text: 'lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit' },
    rules: [
      { text: 'must not contain two adjacent dots', breaks: (n) => n.includes('..') },
      { text: 'must not look like an IP address', breaks: (n) => /^\d+\.\d+\.\d+\.\d+$/.test(n) },
      startsWith('xn--'),
      startsWith('sthree-'),
      startsWith('amzn-s3-demo-'),
      endsWith('-s3alias'),
      endsWith('--ol-s3'),
      endsWith('.mrap'),
      endsWith('--x-s3'),
      endsWith('--table-s3'),
    ],
    doc: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html',
  },
  dynamodbTable: {
    what: 'DynamoDB table name',
    minLength: 3,
    maxLength: 255,
    pattern: { regex: /^[A-Za-z0-9_.-]+$/, text: 'letters, digits and _.-' },
    doc: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html',
  },
  lambdaFunction: {
    what: 'Lambda function name',
    maxLength: 64,
    pattern: { regex: /^[A-Za-z0-9_-]+$/, text: 'letters, digits, hyphens and underscores' },
    doc: 'https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html',
  },
  logGroup: {
    what: 'CloudWatch Logs log group name',
    maxLength: 512,
    pattern: { regex: /^[.\-_/#A-Za-z0-9]+$/, text: 'letters, digits and ._-/#' },
    doc: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html',
  },
  alarm: {
    what: 'CloudWatch alarm name',
    maxLength: 255,
    doc: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html',
  },
  dashboard: {
    what: 'CloudWatch dashboard name',
    maxLength: 255,
    pattern: { regex: /^[A-Za-z0-9_-]+$/, text: 'letters, digits, "-" and "_"' },
    doc: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html',
  },
  snsTopic: {
    what: 'SNS topic name',
    maxLength: 256,
    pattern: { regex: /^[A-Za-z0-9_-]+$/, text: 'letters, digits, hyphens and underscores' },
    doc: 'https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html',
  },
  secret: {
    what: 'Secrets Manager secret name',
    maxLength: 512,
    pattern: { regex: /^[A-Za-z0-9/_+=.@-]+$/, text: 'letters, digits and /_+=.@-' },
    doc: 'https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html',
  },
  kmsAlias: {
    what: 'KMS alias name',
    maxLength: 256,
    pattern: { regex: /^alias\/[A-Za-z0-9/_-]+$/, text: '"alias/" then letters, digits and /_-' },
    rules: [startsWith('alias/aws/')],
    doc: 'https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html',
  },
  route53TagValue: {
    what: 'Route53 tag value (a health check\'s Name)',
    maxLength: 256,
    doc: 'https://docs.aws.amazon.com/Route53/latest/APIReference/API_Tag.html',
  },
  acmDomainName: {
    what: 'ACM certificate domain name (the first name, its Common Name)',
    maxLength: 64,
    rules: [labelsFit],
    doc: 'https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html',
  },
  dnsName: {
    what: 'DNS name (hosted zone, record, certificate SAN, API custom domain)',
    maxLength: 253,
    rules: [labelsFit],
    doc: 'https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html',
  },
  cloudfrontComment: {
    what: 'CloudFront comment (distribution, cache policy)',
    maxLength: 128,
    doc: 'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html',
  },
  cloudfrontPolicyName: {
    what: 'CloudFront cache / response headers policy name',
    doc: 'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachePolicyConfig.html',
  },
  cloudfrontFunction: {
    what: 'CloudFront Function name',
    maxLength: 64,
    pattern: { regex: /^[a-zA-Z0-9_-]+$/, text: 'letters, digits, "_" and "-"' },
    doc: 'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateFunction.html',
  },
  wafWebAcl: {
    what: 'WAF web ACL name',
    maxLength: 128,
    pattern: { regex: /^[\w-]+$/, text: 'letters, digits, "_" and "-"' },
    doc: 'https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html',
  },
  wafMetric: {
    what: 'WAF metric name',
    maxLength: 255,
    pattern: { regex: /^[\w#:.\-/]+$/, text: 'letters, digits and _#:.-/' },
    rules: [{ text: 'must not be "All" or "Default_Action"', breaks: (n) => n === 'All' || n === 'Default_Action' }],
    doc: 'https://docs.aws.amazon.com/waf/latest/APIReference/API_VisibilityConfig.html',
  },
  apiGatewayName: {
    what: 'API Gateway HTTP API / authorizer name',
    doc: 'https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html',
  },
  cognitoUserPool: {
    what: 'Cognito user pool name',
    maxLength: 128,
    pattern: { regex: /^[\w\s+=,.@-]+$/, text: 'letters, digits, spaces and _+=,.@-' },
    doc: 'https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html',
  },
  cognitoClient: {
    what: 'Cognito app client name',
    maxLength: 128,
    pattern: { regex: /^[\w\s+=,.@-]+$/, text: 'letters, digits, spaces and _+=,.@-' },
    doc: 'https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html',
  },
  cognitoDomain: {
    what: 'Cognito domain prefix',
    maxLength: 63,
    pattern: { regex: /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, text: 'lower-case letters, digits and hyphens, not starting or ending with a hyphen' },
    rules: [{ text: 'must not contain "aws", "amazon" or "cognito" (reserved words)', breaks: (n) => /aws|amazon|cognito/.test(n) }],
    doc: 'https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html',
  },
  cognitoResourceServer: {
    what: 'Cognito resource server identifier',
    maxLength: 256,
    pattern: { regex: /^[\x21\x23-\x5B\x5D-\x7E]+$/, text: 'printable ASCII without spaces, quotes or backslashes' },
    doc: 'https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResourceServerType.html',
  },
  cognitoResourceServerName: {
    what: 'Cognito resource server name (the platform names it after its identifier)',
    maxLength: 256,
    pattern: { regex: /^[\w\s+=,.@-]+$/, text: 'letters, digits, spaces and _+=,.@- (no ":" or "/")' },
    doc: 'https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResourceServerType.html',
  },
  cognitoScope: {
    what: 'Cognito scope name',
    maxLength: 256,
    pattern: { regex: /^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+$/, text: 'printable ASCII without spaces, quotes, backslashes or "/"' },
    doc: 'https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResourceServerScopeType.html',
  },
  rdsGlobalCluster: {
    what: 'Aurora global cluster identifier',
    maxLength: 255,
    pattern: { regex: /^[A-Za-z][0-9A-Za-z\-:._]*$/, text: 'a letter, then letters, digits and -:._' },
    caseNote: 'stored lower-case',
    doc: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateGlobalCluster.html',
  },
  rdsCluster: {
    what: 'Aurora DB cluster identifier',
    maxLength: 63,
    pattern: LETTERS_DIGITS_HYPHENS,
    rules: [noTrailingHyphen, noDoubleHyphen],
    caseNote: 'stored lower-case',
    doc: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html',
  },
  rdsInstance: {
    what: 'Aurora DB instance identifier',
    maxLength: 63,
    pattern: LETTERS_DIGITS_HYPHENS,
    rules: [noTrailingHyphen, noDoubleHyphen],
    caseNote: 'stored lower-case',
    doc: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html',
  },
  rdsClusterSnapshot: {
    what: 'Aurora final snapshot identifier',
    maxLength: 255,
    pattern: LETTERS_DIGITS_HYPHENS,
    rules: [noTrailingHyphen, noDoubleHyphen],
    doc: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBCluster.html',
  },
  rdsSubnetGroup: {
    what: 'DB subnet group name',
    maxLength: 255,
    pattern: { regex: /^[A-Za-z0-9._ -]+$/, text: 'letters, digits, periods, underscores, spaces and hyphens' },
    rules: [{ text: 'must not be "default"', breaks: (n) => n.toLowerCase() === 'default' }],
    caseNote: 'stored lower-case',
    doc: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html',
  },
  elasticacheReplicationGroup: {
    what: 'ElastiCache replication group id',
    maxLength: 40,
    pattern: LETTERS_DIGITS_HYPHENS,
    rules: [noTrailingHyphen, noDoubleHyphen],
    caseNote: 'stored lower-case',
    doc: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html',
  },
  elasticacheGlobalDatastore: {
    what: 'ElastiCache global datastore id suffix (AWS prefixes it with its region\'s five letters)',
    doc: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateGlobalReplicationGroup.html',
  },
  elasticacheSubnetGroup: {
    what: 'ElastiCache subnet group name',
    maxLength: 255,
    pattern: { regex: /^[A-Za-z0-9-]+$/, text: 'letters, digits and hyphens' },
    caseNote: 'stored lower-case',
    doc: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateCacheSubnetGroup.html',
  },
  elasticacheUser: {
    what: 'ElastiCache user id',
    pattern: LETTERS_DIGITS_HYPHENS,
    doc: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateUser.html',
  },
  elasticacheUserGroup: {
    what: 'ElastiCache user group id',
    doc: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateUserGroup.html',
  },
  securityGroup: {
    what: 'EC2 security group name',
    maxLength: 255,
    rules: [startsWith('sg-')],
    doc: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html',
  },
} as const satisfies Record<string, NameLimit>;

/** The kind of a name: a key of {@link NAME_LIMITS}. */
export type NameKind = keyof typeof NAME_LIMITS;

/** A value of the config a name is made of, which a person can change. */
export interface NamePart {
  /** Config path of the value, e.g. `services.orders`. */
  readonly path: string;
  /** What the value is, e.g. `service name`. */
  readonly what: string;
  readonly value: string;
}

/** One name the platform derives, the rule it must follow, and the config values it is made of. */
export interface DerivedName {
  readonly kind: NameKind;
  readonly name: string;
  /** The config values in the name (regions and fixed words are not). */
  readonly from: readonly NamePart[];
}

/** Why `name` breaks `limit`, and whether making it shorter is the fix; undefined when it passes. */
export function nameProblem(limit: NameLimit, name: string): { readonly reason: string; readonly tooLong: boolean } | undefined {
  if (limit.maxLength !== undefined && name.length > limit.maxLength) {
    return { reason: `would be ${name.length} characters (max ${limit.maxLength})`, tooLong: true };
  }
  if (name.length < (limit.minLength ?? 1)) return { reason: `would be ${name.length} characters (min ${limit.minLength ?? 1})`, tooLong: false };
  if (limit.pattern && !limit.pattern.regex.test(name)) return { reason: `must be ${limit.pattern.text}`, tooLong: false };
  const broken = limit.rules?.find((rule) => rule.breaks(name));
  return broken ? { reason: broken.text, tooLong: false } : undefined;
}

// The names of the constructs' own suffixes, as they add them to the contract's names.
// Aurora: AuroraGlobalDatabase; cache: CacheGlobalDatastore; security groups: ServiceNetwork;
// web ACL metrics: EdgeWebAcl (its managed rule groups); health-check tags and the
// Lambda error alarm: RegionalHealthCheck; alarm metrics: RegionAlarms.
const WAF_RULE_METRICS = ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'rate-per-ip'];
const REGION_ALARMS = ['api-5xx', 'api-p99-latency', 'function-errors', 'function-throttles', 'function-concurrency', 'dynamodb-throttles', 'replication-latency', 'aurora-replication-lag', 'cache-replication-lag'];
const HEALTH_CHECK_TAGS = ['https', 'lambda-errors', 'calculated'];

/** Every name of `service` in `environment` (the config must be one the schema accepted, with both defined). */
export function serviceNames(config: PlatformConfig, service: string, environment: string): DerivedName[] {
  const svc = config.services[service];
  const env = config.environments[environment];
  const c = serviceContract(config, service, environment);
  const { names, domains } = c;
  const org: NamePart = { path: 'organization', what: 'organization', value: config.organization };
  const s: NamePart = { path: `services.${service}`, what: 'service name', value: service };
  const e: NamePart = { path: `environments.${environment}`, what: 'environment name', value: environment };
  const domain: NamePart = { path: `environments.${environment}.domain`, what: 'domain', value: env.domain };
  const out: DerivedName[] = [];
  const add = (kind: NameKind, name: string, ...from: NamePart[]) => out.push({ kind, name, from });

  add('stsRoleSessionName', c.globalStack, s, e);
  add('dynamodbTable', names.table, s, e);
  add('lambdaFunction', names.function, s, e);
  add('apiGatewayName', names.function, s, e);
  add('apiGatewayName', names.authorizer, s, e);
  add('logGroup', `/aws/lambda/${names.function}`, s, e);
  add('logGroup', `/aws/apigateway/${names.function}`, s, e);
  add('iamRole', names.replicationRole, s, e);
  add('s3Bucket', names.edgeLogBucket, org, s, e);
  add('kmsAlias', names.dataKeyAlias, s, e);
  add('kmsAlias', names.logKeyAlias, s, e);
  add('dashboard', names.dashboard, s, e);
  add('dnsName', domains.service, s, domain);
  add('dnsName', domains.regional, s, domain);
  add('acmDomainName', domains.api, s, domain);
  add('dnsName', domains.api, s, domain);
  add('acmDomainName', domains.regional, s, domain);
  if (svc.edgeCache.enabled) {
    add('cloudfrontPolicyName', names.cachePolicy, s, e);
    add('cloudfrontPolicyName', names.responseHeadersPolicy, s, e);
    const failover = readFailoverOf(svc, c.regions);
    if (failover) add('cloudfrontFunction', names.readFailoverFunction, s, e);
    for (const name of failoverOriginNames(failover, c.regions, domains)) add('dnsName', name, s, domain);
    add('cloudfrontComment', `${svc.edgeCache.mode} mode: GET/HEAD of ${domains.api}`, s, domain);
    add('cloudfrontComment', `${domains.api} -> ${domains.regional}`, s, domain);
    add('alarm', names.edgeAlarm('edge-5xx'), s, e);
    if (usesOriginSecret(svc)) add('secret', names.originSecret, s, e);
    if (svc.waf.enabled) {
      add('wafWebAcl', names.webAcl, s, e);
      add('wafMetric', names.webAcl, s, e);
      for (const rule of WAF_RULE_METRICS) add('wafMetric', `${names.webAcl}-${rule}`, s, e);
    }
  }
  if (usesCognito(svc)) {
    add('cognitoUserPool', names.userPool, s, e);
    add('cognitoClient', names.userPoolClient, s, e);
    add('cognitoDomain', names.userPoolDomain, org, s, e);
    const configured = svc.auth.cognito?.resourceServer;
    const server: NamePart = configured ? { path: `services.${service}.auth.cognito.resourceServer`, what: 'resource server', value: configured } : s;
    add('cognitoResourceServer', server.value, server);
    add('cognitoResourceServerName', server.value, server);
    for (const scope of cognitoScopes(svc)) add('cognitoScope', scope, { path: `services.${service}.auth.scopes`, what: 'scope', value: scope });
  }
  for (const region of c.regions) {
    add('stsRoleSessionName', c.regionalStack(region), s, e);
    add('iamRole', names.apiRole(region), s, e);
    add('s3Bucket', names.bucket(region), org, s, e);
    add('s3Bucket', names.accessLogBucket(region), org, s, e);
    add('dnsName', domains.regionalIn(region), s, domain);
    add('alarm', names.regionUnhealthyAlarm(region), s, e);
    add('alarm', names.edgeAlarm(`health-check-${region}`), s, e);
    add('alarm', `${names.healthCheck(region)}-lambda-errors`, s, e);
    for (const metric of REGION_ALARMS) add('alarm', names.regionAlarm(region, metric), s, e);
    for (const tag of HEALTH_CHECK_TAGS) add('route53TagValue', `${names.healthCheck(region)}-${tag}`, s, e);
  }
  const id = names.dataIdentifier;
  if (svc.aurora || svc.cache) {
    for (const group of ['lambda', ...(svc.aurora ? ['database'] : []), ...(svc.cache ? ['cache'] : [])]) add('securityGroup', `${id}-${group}`, s, e);
  }
  if (svc.aurora) {
    add('rdsGlobalCluster', id, s, e);
    add('kmsAlias', `alias/${id}-aurora`, s, e);
    for (const region of c.regions) {
      add('rdsCluster', auroraClusterIdentifier(id, region), s, e);
      add('rdsSubnetGroup', `${id}-${region}`, s, e);
      add('rdsClusterSnapshot', `${id}-${region}-final`, s, e);
      for (let i = 1; i <= svc.aurora.instancesPerRegion; i++) add('rdsInstance', `${id}-${region}-${i}`, s, e);
    }
  }
  if (svc.cache) {
    add('elasticacheGlobalDatastore', id, s, e);
    add('elasticacheUser', `${id}-default`, s, e);
    add('elasticacheUser', names.cacheUser, s, e);
    for (const region of c.regions) {
      add('elasticacheReplicationGroup', names.cacheReplicationGroup(region), s, e);
      add('elasticacheSubnetGroup', `${id}-${region}`, s, e);
      add('elasticacheUserGroup', `${id}-${region}`, s, e);
    }
  }
  return out;
}

/** The names of `environment` shared by its services: the alarm topics and the state role. */
export function environmentNames(config: PlatformConfig, environment: string): DerivedName[] {
  const e: NamePart = { path: `environments.${environment}`, what: 'environment name', value: environment };
  const out: DerivedName[] = [{ kind: 'snsTopic', name: alarmTopicName(environment), from: [e] }];
  const { roleName } = config.stateBackend;
  if (roleName) {
    out.push({ kind: 'iamRole', name: stateRoleName(roleName, environment), from: [{ path: 'stateBackend.roleName', what: 'state role name', value: roleName }, e] });
  }
  return out;
}

/** The names of the platform as a whole: the state bucket's access-log bucket. */
export function platformNames(config: PlatformConfig): DerivedName[] {
  const bucket = config.stateBackend.bucket;
  return [{ kind: 's3Bucket', name: stateAccessLogBucketName(bucket), from: [{ path: 'stateBackend.bucket', what: 'state bucket name', value: bucket }] }];
}

/** Every name the config derives, in the order: platform, environments, then each service in each of its environments. */
export function derivedNames(config: PlatformConfig): DerivedName[] {
  return [
    ...platformNames(config),
    ...Object.keys(config.environments).flatMap((env) => environmentNames(config, env)),
    ...Object.entries(config.services).flatMap(([service, svc]) =>
      (svc.environments ?? Object.keys(config.environments)).filter((env) => config.environments[env]).flatMap((env) => serviceNames(config, service, env)),
    ),
  ];
}

/**
 * The parts of a name in the order to suggest changing them: for a name too long, the
 * longest value first (it has the most to give); for any other rule, the value whose
 * replacement alone makes the name pass (the one that starts it with a reserved prefix,
 * say), then the rest in the order they appear.
 */
function culpritsFirst(d: DerivedName, limit: NameLimit, tooLong: boolean): NamePart[] {
  if (tooLong) return [...d.from].sort((a, b) => b.value.length - a.value.length);
  const byPosition = [...d.from].sort((a, b) => d.name.indexOf(a.value) - d.name.indexOf(b.value));
  const culprit = byPosition.find((p) => !nameProblem(limit, d.name.replace(p.value, 'x')));
  return culprit ? [culprit, ...byPosition.filter((p) => p !== culprit)] : byPosition;
}

/**
 * One problem per name kind and config value: the longest name of that kind it breaks,
 * at the path of the value to change (the longest value the name is made of; the others
 * are named as alternatives).
 */
export function nameProblems(names: readonly DerivedName[]): ConfigProblem[] {
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const d of [...names].sort((a, b) => b.name.length - a.name.length)) {
    const limit: NameLimit = NAME_LIMITS[d.kind];
    const problem = nameProblem(limit, d.name);
    if (!problem) continue;
    const [first, ...others] = culpritsFirst(d, limit, problem.tooLong);
    const key = `${d.kind} ${first?.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const verb = problem.tooLong ? 'shorten' : 'change';
    const alternatives = others.map((o) => ` or the ${o.what} "${o.value}" (${o.path})`).join('');
    problems.push({
      path: first?.path ?? '',
      message: `${limit.what} "${d.name}" ${problem.reason}, which AWS refuses (${limit.doc}); ${verb} the ${first?.what} "${first?.value}"${alternatives}`,
    });
  }
  return problems;
}
