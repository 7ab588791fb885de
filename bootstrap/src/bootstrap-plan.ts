import { ConfigError, type ConfigProblem, type Platform, deployRoleArn, dnsAccess, roleArn, stateKeyPrefix } from '@platform/config';
import { type AccountObservability, planAccountObservability } from './observability-plan';
import type { PolicyStatement } from './policy';
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
  };
  /** The state bucket, when this is the state account. */
  readonly stateBucket?: {
    readonly bucketName: string;
    readonly keyPrefix: string;
    readonly readerRoleArns: readonly string[];
    readonly writerRoleArns: readonly string[];
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

/** The bootstrap stacks of a platform: one per AWS account it uses. */
export function planBootstrap(platform: Platform, settings: BootstrapSettings): AccountBootstrap[] {
  const problems: ConfigProblem[] = [];
  const { config } = platform;
  const sb = config.stateBackend;
  const accounts = new Map<string, { envs: string[]; deployRoleName?: string; region?: string; dnsFor: string[]; state: boolean }>();
  const account = (id: string) => {
    let a = accounts.get(id);
    if (!a) accounts.set(id, (a = { envs: [], dnsFor: [], state: false }));
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
  const state = account(sb.accountId);
  state.state = true;
  state.region = sb.region;
  const monitoringAccount = config.observability.accountId;
  if (monitoringAccount) account(monitoringAccount).region ??= Object.values(config.environments)[0].regions[0];
  if (problems.length > 0) throw new ConfigError(platform.source, problems);

  const planArn = (accountId: string) => roleArn(accountId, settings.planRoleName);
  const envAccounts = [...accounts].filter(([, a]) => a.envs.length > 0);
  const planRoles = envAccounts.map(([id]) => planArn(id));
  const deployRoles = envAccounts.map(([id, a]) => roleArn(id, a.deployRoleName!));
  const stateRoleArn = sb.roleName ? roleArn(sb.accountId, sb.roleName) : undefined;

  return [...accounts].map(([accountId, a]): AccountBootstrap => {
    const purposes = [
      ...(a.state ? ['state'] : []),
      ...a.envs,
      ...(a.dnsFor.length > 0 && a.envs.length === 0 ? [`dns-${a.dnsFor.join('-')}`] : []),
      ...(accountId === monitoringAccount ? ['monitoring'] : []),
    ];
    const observability = planAccountObservability(config, accountId, a.envs);
    const delegated: DelegatedRole[] = [];
    for (const envName of a.dnsFor) {
      const env = config.environments[envName];
      delegated.push(
        {
          roleName: env.dns.roleName ?? env.deployRoleName,
          description: `DNS changes of environment ${envName}, assumed by its deploy role`,
          trustedRoleArns: [deployRoleArn(env)],
          managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonRoute53FullAccess'],
        },
        {
          roleName: settings.planRoleName,
          description: `Read-only DNS for the plans of environment ${envName}`,
          trustedRoleArns: [planArn(env.accountId)],
          managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonRoute53ReadOnlyAccess'],
        },
      );
    }
    if (a.state && sb.roleName) {
      const bucket = `arn:aws:s3:::${sb.bucket}`;
      delegated.push({
        roleName: sb.roleName,
        description: 'Terraform state access of the pipeline roles',
        trustedRoleArns: [...planRoles, ...deployRoles],
        managedPolicyArns: [],
        inlineStatements: [
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket },
          { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `${bucket}/${stateKeyPrefix(sb.keyPrefix)}/*` },
        ],
      });
    }
    const dnsRoles = (pick: 'deploy' | 'plan') =>
      a.envs.flatMap((envName) => {
        const env = config.environments[envName];
        const dns = dnsAccess(env);
        if (!dns) return [];
        return [pick === 'plan' ? roleArn(dns.accountId, settings.planRoleName) : dns.roleArn];
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
              deployAssumableRoleArns: [...dnsRoles('deploy'), ...(stateRoleArn ? [stateRoleArn] : [])],
              planAssumableRoleArns: [...dnsRoles('plan'), ...(stateRoleArn ? [stateRoleArn] : [])],
            },
          }
        : {}),
      ...(a.state
        ? {
            stateBucket: {
              bucketName: sb.bucket,
              keyPrefix: sb.keyPrefix,
              // With a state role, the pipeline roles reach the bucket through it instead.
              readerRoleArns: stateRoleArn ? [] : planRoles.filter((arn) => !arn.includes(`::${accountId}:`)),
              writerRoleArns: stateRoleArn ? [] : deployRoles.filter((arn) => !arn.includes(`::${accountId}:`)),
            },
          }
        : {}),
      delegatedRoles: mergeByName(delegated),
      ...(observability ? { observability } : {}),
    };
  });
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
          }
        : role,
    );
  }
  return [...byName.values()];
}
