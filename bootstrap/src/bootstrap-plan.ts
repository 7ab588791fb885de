import {
  ConfigError,
  type ConfigProblem,
  EDGE_REGION,
  type EnvironmentConfig,
  type Platform,
  alarmArn,
  awsManagedPolicyArn,
  deployRoleArn,
  dnsAccess,
  environmentStatePrefix,
  roleArn,
  domainZoneAccess,
  environmentNamePatterns,
  formatArn,
  stateBucketArn,
  stateRoleName,
  usesOriginSecret,
  zoneAccess,
} from '@platform/config';
import { type AccountObservability, planAccountObservability } from './observability-plan';
import type { PolicyStatement } from './policy';
import type { StateGrant } from './state-bucket';
import type { BootstrapSettings } from './settings';

/** What the bootstrap builds in one AWS account. */
export interface AccountBootstrap {
  /** `bootstrap-<what the account is for>`, e.g. `bootstrap-state`, `bootstrap-prod`. */
  readonly stackName: string;
  readonly accountId: string;
  /** Region of the account's provider (IAM is global; the state bucket lives here). */
  readonly region: string;
  /** The pipeline roles, when environments deploy into this account. */
  readonly pipeline?: {
    readonly environments: readonly string[];
    readonly deployRoleName: string;
    /** Roles of other accounts the deploy / plan roles assume (DNS, state). */
    readonly deployAssumableRoleArns: readonly string[];
    readonly planAssumableRoleArns: readonly string[];
    /** The buckets the platform stacks create in the account (the plan role refreshes them). */
    readonly platformBucketNames: readonly string[];
    /** The secrets the plans read through data sources (the services' origin secrets). */
    readonly planReadableSecretArns: readonly string[];
  };
  /** The state bucket, when this is the state account. */
  readonly stateBucket?: {
    readonly bucketName: string;
    readonly keyPrefix: string;
    /** Per environment, the roles of other accounts reaching its state folder. */
    readonly grants: readonly StateGrant[];
  };
  /** Roles assumed from other accounts (a DNS account's, or the state role). */
  readonly delegatedRoles: readonly DelegatedRole[];
  /** Alarm topics, and the central monitoring account's OAM sink or the links to it. */
  readonly observability?: AccountObservability;
}

/** A role assumed by pipeline roles of other accounts. */
export interface DelegatedRole {
  readonly roleName: string;
  readonly description: string;
  readonly trustedRoleArns: readonly string[];
  readonly managedPolicyArns: readonly string[];
  /** Inline policy statements (e.g. state access of the state role). */
  readonly inlineStatements?: readonly PolicyStatement[];
}

/** What the platform uses one AWS account for. */
interface AccountUse {
  /** Environments whose resources live here. */
  readonly envs: string[];
  deployRoleName?: string;
  region?: string;
  /** Environments whose DNS lives here (a separate DNS account). */
  readonly dnsFor: string[];
  /** Environments whose parent zone lives here (a third account). */
  readonly parentFor: string[];
  /** The Terraform state bucket lives here. */
  state: boolean;
}

/** The bootstrap stacks of a platform: one per AWS account it uses. */
export function planBootstrap(platform: Platform, settings: BootstrapSettings): AccountBootstrap[] {
  const accounts = accountUses(platform);
  return [...accounts].map(([accountId, use]) => accountBootstrap(platform, settings, accountId, use));
}

/** Every account the config names and what it is used for; refuses the combinations the bootstrap does not support. */
function accountUses(platform: Platform): Map<string, AccountUse> {
  const problems: ConfigProblem[] = [];
  const { config } = platform;
  const sb = config.stateBackend;
  const accounts = new Map<string, AccountUse>();
  const account = (id: string) => {
    let a = accounts.get(id);
    if (!a) accounts.set(id, (a = { envs: [], dnsFor: [], parentFor: [], state: false }));
    return a;
  };

  for (const [name, env] of Object.entries(config.environments)) {
    const a = account(env.accountId);
    if (a.deployRoleName && a.deployRoleName !== env.deployRoleName) {
      problems.push({
        path: `environments.${name}.deployRoleName`,
        message: `environments ${a.envs.join(', ')} and ${name} share account ${env.accountId} but name different deploy roles ("${
          a.deployRoleName
        }", "${env.deployRoleName}"); use one deploy role per account`,
      });
    }
    a.envs.push(name);
    a.deployRoleName ??= env.deployRoleName;
    a.region ??= env.regions[0];
  }
  for (const [name, env] of Object.entries(config.environments)) {
    if (env.dns.accountId && env.dns.accountId !== env.accountId) {
      if (accounts.get(env.dns.accountId)?.envs.length) {
        problems.push({
          path: `environments.${name}.dns.accountId`,
          message: `DNS account ${env.dns.accountId} is also an environment account; the bootstrap supports a separate DNS account only`,
        });
      }
      const a = account(env.dns.accountId);
      a.dnsFor.push(name);
      a.region ??= env.regions[0];
    }
  }
  for (const [name, env] of Object.entries(config.environments)) {
    // A parent zone in a third account (neither the environment's nor its DNS account):
    // the global stacks write their zones' delegation there through a role of its own.
    const parent = parentZoneAccess(env);
    if (!parent) continue;
    if (accounts.get(parent.accountId)?.envs.length) {
      problems.push({
        path: `environments.${name}.dns.parent.accountId`,
        message: `parent zone account ${parent.accountId} is also an environment account; the bootstrap supports a separate parent zone account only`,
      });
    }
    const a = account(parent.accountId);
    a.parentFor.push(name);
    a.region ??= env.regions[0];
  }
  const state = account(sb.accountId);
  state.state = true;
  state.region = sb.region;
  const monitoringAccount = config.observability.accountId;
  if (monitoringAccount) account(monitoringAccount).region ??= Object.values(config.environments)[0].regions[0];
  if (problems.length > 0) throw new ConfigError(platform.source, problems);
  return accounts;
}

/** The bootstrap stack of one account: its pipeline roles, state bucket, delegated roles and observability. */
function accountBootstrap(platform: Platform, settings: BootstrapSettings, accountId: string, a: AccountUse): AccountBootstrap {
  const { config } = platform;
  const sb = config.stateBackend;
  const monitoringAccount = config.observability.accountId;
  const planArn = (id: string) => roleArn(id, settings.planRoleName);
  const stateRoles = (envs: readonly string[]) => (sb.roleName ? envs.map((e) => roleArn(sb.accountId, stateRoleName(sb.roleName!, e))) : []);
  const purposes = [
    ...(a.state ? ['state'] : []),
    ...a.envs,
    ...(a.dnsFor.length > 0 && a.envs.length === 0 ? [`dns-${a.dnsFor.join('-')}`] : []),
    ...(a.parentFor.length > 0 && a.envs.length === 0 && a.dnsFor.length === 0 ? [`dns-parent-${a.parentFor.join('-')}`] : []),
    ...(accountId === monitoringAccount ? ['monitoring'] : []),
  ];
  const observability = planAccountObservability(config, accountId, a.envs);
  const dnsRoles = (pick: 'deploy' | 'plan') =>
    a.envs.flatMap((envName) => {
      const env = config.environments[envName];
      const dns = dnsAccess(env);
      const parent = parentZoneAccess(env);
      return [
        ...(dns ? [pick === 'plan' ? roleArn(dns.accountId, settings.planRoleName) : dns.roleArn] : []),
        ...(parent ? [roleArn(parent.accountId, pick === 'plan' ? settings.planRoleName : parent.roleName)] : []),
      ];
    });
  return {
    stackName: `bootstrap-${purposes.join('-')}`,
    accountId,
    region: a.region!,
    ...(a.envs.length > 0
      ? {
          pipeline: {
            environments: a.envs,
            deployRoleName: a.deployRoleName!,
            deployAssumableRoleArns: [...dnsRoles('deploy'), ...stateRoles(a.envs)],
            planAssumableRoleArns: [...dnsRoles('plan'), ...stateRoles(a.envs)],
            ...planReads(platform, accountId, a.envs),
          },
        }
      : {}),
    ...(a.state
      ? {
          stateBucket: {
            bucketName: sb.bucket,
            keyPrefix: sb.keyPrefix,
            // With state roles, the pipeline roles reach the bucket through them instead;
            // roles of the state account itself are granted by their own policies.
            grants: sb.roleName
              ? []
              : Object.entries(config.environments)
                  .filter(([, env]) => env.accountId !== accountId)
                  .map(([envName, env]) => ({
                    environment: envName,
                    readerRoleArns: [planArn(env.accountId)],
                    writerRoleArns: [deployRoleArn(env)],
                  })),
          },
        }
      : {}),
    delegatedRoles: mergeByName(delegatedRoles(platform, settings, accountId, a)),
    ...(observability ? { observability } : {}),
  };
}

/** The roles an account holds for other accounts' pipelines: DNS, parent-zone delegation, per-environment state. */
function delegatedRoles(platform: Platform, settings: BootstrapSettings, accountId: string, a: AccountUse): DelegatedRole[] {
  const { config } = platform;
  const sb = config.stateBackend;
  const planArn = (id: string) => roleArn(id, settings.planRoleName);
  const delegated: DelegatedRole[] = [];
  for (const envName of a.dnsFor) {
    const env = config.environments[envName];
    const alarms = healthCheckAlarmArns(platform, envName, accountId);
    delegated.push(
      {
        roleName: env.dns.roleName ?? env.deployRoleName,
        description: `DNS changes of environment ${envName}, assumed by its deploy role`,
        trustedRoleArns: [deployRoleArn(env)],
        managedPolicyArns: [],
        inlineStatements: dnsStatements(envName, env, alarms),
      },
      {
        roleName: settings.planRoleName,
        description: `Read-only DNS for the plans of environment ${envName}`,
        trustedRoleArns: [planArn(env.accountId)],
        managedPolicyArns: [awsManagedPolicyArn('AmazonRoute53ReadOnlyAccess')],
        inlineStatements: dnsPlanStatements(envName, alarms),
      },
    );
  }
  for (const envName of a.parentFor) {
    const env = config.environments[envName];
    delegated.push(
      {
        roleName: parentZoneAccess(env)!.roleName,
        description: `Delegation of environment ${envName}'s service zones from ${env.domain}, assumed by its deploy role`,
        trustedRoleArns: [deployRoleArn(env)],
        managedPolicyArns: [],
        inlineStatements: parentZoneStatements(envName, env),
      },
      {
        roleName: settings.planRoleName,
        description: `Read-only DNS for the plans of environment ${envName}`,
        trustedRoleArns: [planArn(env.accountId)],
        managedPolicyArns: [awsManagedPolicyArn('AmazonRoute53ReadOnlyAccess')],
      },
    );
  }
  if (a.state && sb.roleName) {
    // One state role per environment, each reaching only that environment's folder.
    for (const [envName, env] of Object.entries(config.environments)) {
      const folder = environmentStatePrefix(sb.keyPrefix, envName);
      delegated.push({
        roleName: stateRoleName(sb.roleName, envName),
        description: `Terraform state of environment ${envName}, assumed by its pipeline roles`,
        trustedRoleArns: [planArn(env.accountId), deployRoleArn(env)],
        managedPolicyArns: [],
        inlineStatements: [
          { Sid: 'ListState', Effect: 'Allow', Action: 's3:ListBucket', Resource: stateBucketArn(sb.bucket), Condition: { StringLike: { 's3:prefix': [folder, `${folder}/*`] } } },
          { Sid: 'ReadWriteState', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: stateBucketArn(sb.bucket, `${folder}/*`) },
        ],
      });
    }
  }
  return delegated;
}

/**
 * What the plan role reads beyond control planes, as name patterns of the account's
 * environments from the service contract (so a new service or region needs no new
 * bootstrap apply): the platform's buckets (a bucket's refresh starts with HeadBucket,
 * authorized as s3:ListBucket) and the origin secrets (the global stacks read them
 * through a data source). Secrets Manager appends six random characters to a secret's
 * name in its ARN:
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources
 */
function planReads(platform: Platform, accountId: string, envs: readonly string[]): { platformBucketNames: string[]; planReadableSecretArns: string[] } {
  const patterns = envs.map((envName) => environmentNamePatterns(platform.config, envName));
  const usesSecrets = Object.values(platform.config.services).some((svc) => usesOriginSecret(svc));
  return {
    // bucket('*') also matches the access-log and edge-log buckets (`<bucket>-logs`, `<org>-<service>-<env>-edge-logs`).
    platformBucketNames: [...new Set(patterns.map((n) => n.bucket('*')))].sort(),
    planReadableSecretArns: usesSecrets ? [...new Set(patterns.map((n) => formatArn({ service: 'secretsmanager', region: '*', account: accountId, resource: `secret:${n.originSecret}-??????` })))].sort() : [],
  };
}

/** One role per name: a DNS account serving several environments trusts all of theirs. */
function mergeByName(roles: readonly DelegatedRole[]): DelegatedRole[] {
  const byName = new Map<string, DelegatedRole>();
  for (const role of roles) {
    const seen = byName.get(role.roleName);
    byName.set(
      role.roleName,
      seen
        ? {
            ...seen,
            description: `${seen.description}; ${role.description}`,
            trustedRoleArns: [...new Set([...seen.trustedRoleArns, ...role.trustedRoleArns])],
            managedPolicyArns: [...new Set([...seen.managedPolicyArns, ...role.managedPolicyArns])],
            inlineStatements: [...(seen.inlineStatements ?? []), ...(role.inlineStatements ?? [])],
          }
        : role,
    );
  }
  return [...byName.values()];
}

/**
 * The alarms on the services' Route53 health checks that the regional stacks create in a
 * separate DNS account: Route53 publishes health-check metrics only in us-east-1, in the
 * account that owns the check, so the alarms live there too. One pattern for every
 * service of the environment (names from the service contract).
 */
export function healthCheckAlarmArns(platform: Platform, envName: string, dnsAccountId: string): string[] {
  return [alarmArn(dnsAccountId, EDGE_REGION, environmentNamePatterns(platform.config, envName).edgeAlarm('health-check-*'))];
}

// What Terraform's aws_cloudwatch_metric_alarm calls (create, read, tags, delete); the
// permission-coverage check (libs/pipeline/permission-coverage) holds the list.
const ALARM_WRITE_ACTIONS = ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:TagResource', 'cloudwatch:UntagResource'];
const ALARM_READ_ACTIONS = ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'];

/**
 * What an environment's deploy role may do in the DNS account: records only under the
 * environment's domain (`route53:ChangeResourceRecordSetsNormalizedRecordNames`), its
 * health checks and their alarms (`healthCheckAlarms`, by name), and creating the
 * service zones when the global stacks create them.
 * Zone ids are not known before the global stacks run, so record changes are scoped
 * by name, not by zone id; no zone may be deleted (a person does that).
 */
export function dnsStatements(envName: string, env: EnvironmentConfig, healthCheckAlarms: readonly string[]): PolicyStatement[] {
  const sid = envName.replace(/[^A-Za-z0-9]/g, '');
  return [
    { Sid: `${sid}ReadDns`, Effect: 'Allow', Action: ['route53:Get*', 'route53:List*'], Resource: '*' },
    {
      Sid: `${sid}RecordsUnderTheDomain`,
      Effect: 'Allow',
      Action: 'route53:ChangeResourceRecordSets',
      Resource: formatArn({ service: 'route53', resource: 'hostedzone/*' }),
      Condition: {
        'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': [env.domain, `*.${env.domain}`] },
      },
    },
    // CreateHealthCheck takes no resource ARN; the others name health checks.
    { Sid: `${sid}CreateHealthChecks`, Effect: 'Allow', Action: 'route53:CreateHealthCheck', Resource: '*' },
    {
      Sid: `${sid}HealthChecks`,
      Effect: 'Allow',
      Action: ['route53:UpdateHealthCheck', 'route53:DeleteHealthCheck', 'route53:ChangeTagsForResource'],
      Resource: [formatArn({ service: 'route53', resource: 'healthcheck/*' }), formatArn({ service: 'route53', resource: 'hostedzone/*' })],
    },
    ...(healthCheckAlarms.length > 0
      ? [{ Sid: `${sid}HealthCheckAlarms`, Effect: 'Allow' as const, Action: [...ALARM_WRITE_ACTIONS, ...ALARM_READ_ACTIONS], Resource: [...healthCheckAlarms] }]
      : []),
    ...(env.dns.zone === 'create'
      ? [{ Sid: `${sid}CreateServiceZones`, Effect: 'Allow' as const, Action: ['route53:CreateHostedZone'], Resource: '*' }]
      : []),
  ];
}

/**
 * Where the parent of an environment's service zones lives when that is a third account
 * (neither the environment's nor its DNS account), from the service contract; else undefined.
 */
function parentZoneAccess(env: EnvironmentConfig): { accountId: string; roleName: string } | undefined {
  if (env.dns.zone !== 'create' || env.dns.parent?.delegate === false) return undefined;
  const parent = domainZoneAccess(env);
  return parent.accountId === env.accountId || parent.accountId === zoneAccess(env).accountId ? undefined : parent;
}

/**
 * What an environment's deploy role may do in the account of its parent zone: look the
 * zone up and write NS records (the delegations) under the environment's domain, nothing
 * else. Route53's condition keys for ChangeResourceRecordSets:
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html
 */
export function parentZoneStatements(envName: string, env: EnvironmentConfig): PolicyStatement[] {
  const sid = envName.replace(/[^A-Za-z0-9]/g, '');
  return [
    { Sid: `${sid}ReadDns`, Effect: 'Allow', Action: ['route53:Get*', 'route53:List*'], Resource: '*' },
    {
      Sid: `${sid}DelegationsUnderTheDomain`,
      Effect: 'Allow',
      Action: 'route53:ChangeResourceRecordSets',
      Resource: formatArn({ service: 'route53', resource: 'hostedzone/*' }),
      Condition: {
        'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': [`*.${env.domain}`] },
        'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['NS'] },
      },
    },
  ];
}

/** What the plan role of an environment may read in its DNS account besides Route53 (AmazonRoute53ReadOnlyAccess): its health-check alarms. */
export function dnsPlanStatements(envName: string, healthCheckAlarms: readonly string[]): PolicyStatement[] {
  if (healthCheckAlarms.length === 0) return [];
  return [{ Sid: `${envName.replace(/[^A-Za-z0-9]/g, '')}ReadHealthCheckAlarms`, Effect: 'Allow', Action: ALARM_READ_ACTIONS, Resource: [...healthCheckAlarms] }];
}
