// The facts only the account knows, read before an apply: the Lambda concurrency quota
// per region against the reservations the config asks for, the hosted zones' delegation,
// the deploy role's session length against the longest apply, and the state bucket.
// Each fact is one line, ok or FAIL, with its numbers (docs/pipelines.md, "Preflight").
import {
  type EnvironmentConfig,
  LAMBDA_UNRESERVED_MINIMUM,
  type Platform,
  UserError,
  environmentReservations,
  environmentStatePrefix,
  roleArn,
  domainZoneAccess,
  serviceContract,
  stateRoleName,
  zoneAccess,
} from '@platform/config';
import type { SynthesizedStack } from '@platform/permission-coverage';
import { formatMinutes, longestApply } from './apply-duration';
import {
  type ClientFactory,
  type Credentials,
  type PublicZone,
  callerIdentity,
  currentReservation,
  dnsName,
  findPublicZone,
  isMissingCredentials,
  lambdaAccount,
  listState,
  maxSessionDuration,
  nsRecord,
} from './aws';

/** One fact of the account and whether it allows the deploy. */
export interface Fact {
  /** What was checked, e.g. `lambda concurrency eu-west-1`. */
  readonly name: string;
  readonly ok: boolean;
  /** The numbers, and for a FAIL what to do. */
  readonly detail: string;
}

/**
 * GitHub's limit for a job on a hosted runner, in minutes: no apply job runs longer, so a
 * session needs to outlast the apply only up to it.
 * https://docs.github.com/en/actions/reference/actions-limits
 */
export const HOSTED_JOB_LIMIT_MINUTES = 360;

/** What {@link preflight} reads with and about. */
export interface PreflightOptions {
  readonly platform: Platform;
  readonly environment: string;
  /** The synthesized stacks of the platform (the environment's are picked out): what the longest apply is read from. */
  readonly stacks: readonly SynthesizedStack[];
  readonly clients: ClientFactory;
  /** The NS records public DNS answers for a name (node:dns by default in the CLI). */
  readonly resolveNs: (name: string) => Promise<string[]>;
  /**
   * The role assumed in the DNS and parent-zone accounts, by name, instead of the roles
   * the config names (CI runs the preflight with the read-only plan role: PLATFORM_PROVIDER_ROLE_NAME).
   * @default - the roles the config names
   */
  readonly roleName?: string;
  /** The longest an apply job runs. @default HOSTED_JOB_LIMIT_MINUTES */
  readonly applyJobMinutes?: number;
}

/** Formats facts one line each: `ok   <name>: <detail>` or `FAIL <name>: <detail>`. */
export function formatFacts(facts: readonly Fact[]): string {
  return facts.map((f) => `${f.ok ? 'ok  ' : 'FAIL'} ${f.name}: ${f.detail}`).join('\n');
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);

/** Reads every fact of `environment`'s account. Throws UserError when no credentials are found. */
export async function preflight(o: PreflightOptions): Promise<Fact[]> {
  const { config } = o.platform;
  const env = config.environments[o.environment];
  if (!env) throw new UserError(`preflight: unknown environment "${o.environment}"; the config has ${Object.keys(config.environments).join(', ')}`);
  const primary = env.regions[0];

  let identity: { account: string; arn: string };
  try {
    identity = await callerIdentity(o.clients, primary);
  } catch (err) {
    if (isMissingCredentials(err)) {
      throw new UserError(
        'preflight: no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run it after aws-actions/configure-aws-credentials (the plan role of the environment\'s account)',
      );
    }
    return [{ name: 'credentials', ok: false, detail: awsError(err) }];
  }
  if (identity.account !== env.accountId) {
    return [{ name: 'credentials', ok: false, detail: `${identity.arn} is in account ${identity.account}, not ${env.accountId} of environment "${o.environment}": use that account's credentials` }];
  }
  const facts: Fact[] = [{ name: 'credentials', ok: true, detail: `${identity.arn} (account ${identity.account}, environment ${o.environment})` }];
  const ctx = new Context(o, env);
  facts.push(...(await lambdaConcurrency(ctx)));
  facts.push(...(await dnsFacts(ctx)));
  facts.push(await deploySession(ctx));
  facts.push(await stateBucket(ctx));
  return facts;
}

/** What every fact reads with: the options, the environment, credentials per account (assumed once). */
class Context {
  private readonly assumed = new Map<string, Credentials>();

  constructor(
    readonly o: PreflightOptions,
    readonly env: EnvironmentConfig,
  ) {}

  get services(): string[] {
    return Object.entries(this.o.platform.config.services)
      .filter(([, svc]) => !svc.environments || svc.environments.includes(this.o.environment))
      .map(([name]) => name);
  }

  /** Credentials in `accountId`: the caller's own in the environment's account, else `roleName` (or the override) assumed there. */
  credentials(accountId: string, roleName: string): Credentials {
    if (accountId === this.env.accountId) return undefined;
    const arn = roleArn(accountId, this.o.roleName ?? roleName);
    if (!this.assumed.has(arn)) this.assumed.set(arn, this.o.clients.assumeRole(arn, `preflight-${this.o.environment}`));
    return this.assumed.get(arn);
  }

  /** Runs one read; an AWS error becomes a FAIL of `name`, missing credentials a UserError. */
  async attempt(name: string, read: () => Promise<Fact | Fact[]>): Promise<Fact[]> {
    try {
      const result = await read();
      return Array.isArray(result) ? result : [result];
    } catch (err) {
      if (isMissingCredentials(err)) throw new UserError(`preflight: ${name}: no AWS credentials (${(err as Error).message})`);
      return [{ name, ok: false, detail: awsError(err) }];
    }
  }
}

function awsError(err: unknown): string {
  const e = err as Error;
  return `${e.name ?? 'Error'}: ${e.message}`;
}

// ---------------------------------------------------------------------------
// Lambda concurrency: PutFunctionConcurrency fails for a reservation that would leave
// less than 100 unreserved, and a new account's quota can be 10.
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
// https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html

async function lambdaConcurrency(ctx: Context): Promise<Fact[]> {
  const { config } = ctx.o.platform;
  const stated = ctx.env.lambdaConcurrencyQuota;
  const facts: Fact[] = [];
  for (const r of environmentReservations(config, ctx.o.environment)) {
    const name = `lambda concurrency ${r.region}`;
    facts.push(
      ...(await ctx.attempt(name, async () => {
        const account = await lambdaAccount(ctx.o.clients, r.region);
        const ours = (await Promise.all(ctx.services.map((s) => currentReservation(ctx.o.clients, r.region, serviceContract(config, s, ctx.o.environment).names.function)))).reduce(
          (sum, n) => sum + n,
          0,
        );
        const others = account.quota - account.unreserved - ours;
        const left = account.unreserved + ours - r.total;
        const asked = r.services.length ? `${r.total} (${r.services.map((s) => `${s.service} ${s.reserved}`).join(', ')})` : '0';
        const statedNote = stated !== undefined && r.quota !== account.quota ? `; the config states ${r.quota}` : '';
        const numbers = `quota ${account.quota}${statedNote}, the services reserve ${asked}, other functions ${others}: ${left} stay unreserved`;
        // With nothing reserved, no PutFunctionConcurrency is called: every function shares the quota.
        if (r.total === 0 || left >= LAMBDA_UNRESERVED_MINIMUM) {
          const small = account.quota < 1000 ? ` (a new account's quota: every function of the region shares ${account.quota} until AWS raises it)` : '';
          return { name, ok: true, detail: `${numbers} (Lambda keeps ${LAMBDA_UNRESERVED_MINIMUM})${small}` };
        }
        return {
          name,
          ok: false,
          detail: `${numbers}, less than the ${LAMBDA_UNRESERVED_MINIMUM} Lambda keeps, so PutFunctionConcurrency fails: ask for a higher Lambda "Concurrent executions" quota in ${r.region} (Service Quotas) or lower lambda.reservedConcurrency`,
        };
      })),
    );
  }
  return facts;
}

// ---------------------------------------------------------------------------
// DNS: ACM validates a certificate by resolving its CNAME through public DNS, so the
// chain from the root down to each zone must delegate. The environment's own zone is
// checked against public DNS (its delegation lives above it, possibly outside AWS); a
// service zone's NS record is read from its parent zone through Route53, which answers
// with what the zone holds now (no resolver cache, no negative caching of a record that
// appeared a minute ago).
// https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-routing-traffic-for-subdomains.html

async function dnsFacts(ctx: Context): Promise<Fact[]> {
  const { env } = ctx;
  const zones = zoneAccess(env);
  const zoneCredentials = ctx.credentials(zones.accountId, zones.roleName);
  const delegated = env.dns.zone === 'create' && env.dns.parent?.delegate !== false;
  // The environment's domain zone: the parent of the service zones, or the zone itself.
  const domain = domainZoneAccess(env);
  const domainAccount = domain.accountId;
  const domainCredentials = ctx.credentials(domain.accountId, domain.roleName);

  const facts: Fact[] = [];
  let domainZone: PublicZone | undefined;
  const needsDomainZone = env.dns.zone === 'existing' || delegated;
  if (needsDomainZone) {
    const name = `dns zone ${env.domain}`;
    facts.push(
      ...(await ctx.attempt(name, async () => {
        domainZone = await findPublicZone(ctx.o.clients, domainCredentials, env.domain);
        if (!domainZone) {
          return { name, ok: false, detail: `no public hosted zone ${env.domain} in account ${domainAccount}: create it (and its delegation from its own parent) before the first apply; the global stacks look it up by name` };
        }
        return publicDelegation(ctx, name, env.domain, domainZone.nameServers, `its Route53 zone in account ${domainAccount}`);
      })),
    );
  }
  if (env.dns.zone !== 'create') return facts;

  for (const service of ctx.services) {
    const zoneName = serviceContract(ctx.o.platform.config, service, ctx.o.environment).domains.zone;
    const name = `dns delegation ${zoneName}`;
    facts.push(
      ...(await ctx.attempt(name, async () => {
        const zone = await findPublicZone(ctx.o.clients, zoneCredentials, zoneName);
        const stack = serviceContract(ctx.o.platform.config, service, ctx.o.environment).globalStack;
        if (!zone) {
          return {
            name,
            ok: true,
            detail: delegated
              ? `not created yet: the first apply of ${stack} creates it and writes its NS record in ${env.domain}`
              : `not created yet; delegated by hand (dns.parent.delegate false): once ${stack} creates it, add its NS record at ${env.domain}'s DNS provider while the apply waits for certificates (up to 75 min)`,
          };
        }
        if (!delegated) return publicDelegation(ctx, name, zoneName, zone.nameServers, 'its Route53 zone');
        if (!domainZone) return { name, ok: false, detail: `its parent zone ${env.domain} was not found (see "dns zone ${env.domain}")` };
        const ns = await nsRecord(ctx.o.clients, domainCredentials, domainZone.id, zoneName);
        if (!ns) {
          return {
            name,
            ok: false,
            detail: `${env.domain} has no NS record for it: names in it do not resolve and certificate validation waits up to 75 min and fails; apply ${stack} (it writes the record)`,
          };
        }
        if (!sameSet(ns, zone.nameServers)) {
          return { name, ok: false, detail: `${env.domain}'s NS record names ${ns.join(', ')}, but the zone's name servers are ${zone.nameServers.join(', ')}: apply ${stack} to correct it` };
        }
        return { name, ok: true, detail: `${env.domain} delegates it to its ${ns.length} name servers (Route53, in account ${domainAccount})` };
      })),
    );
  }
  return facts;
}

/** Whether public DNS answers NS for `domain` with the zone's name servers. */
async function publicDelegation(ctx: Context, name: string, domain: string, nameServers: readonly string[], what: string): Promise<Fact> {
  let answer: string[];
  try {
    answer = (await ctx.o.resolveNs(domain)).map(dnsName).sort();
  } catch (err) {
    return { name, ok: false, detail: `public DNS has no NS record for ${domain} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): delegate it from its parent to ${nameServers.join(', ')}` };
  }
  if (!sameSet(answer, nameServers)) {
    return { name, ok: false, detail: `public DNS delegates ${domain} to ${answer.join(', ')}, not to ${what} (${nameServers.join(', ')}): correct the NS record at its parent` };
  }
  return { name, ok: true, detail: `public DNS delegates it to ${what} (${answer.length} name servers)` };
}

// ---------------------------------------------------------------------------
// The deploy role's session: every Terraform provider re-assumes its role from the job's
// base session, so the base session must last the whole apply (issue 22 #8), and STS
// gives no more than the role's MaxSessionDuration.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-settings.html

async function deploySession(ctx: Context): Promise<Fact> {
  const name = 'deploy role session';
  const own = new Set(ctx.o.platform.stacks.filter((s) => s.environment === ctx.o.environment).map((s) => s.name));
  const longest = longestApply(ctx.o.stacks.filter((s) => own.has(s.name)));
  if (!longest) throw new UserError(`preflight: no synthesized stack of environment "${ctx.o.environment}": run npm run synth first (the longest apply is read from them)`);
  const job = ctx.o.applyJobMinutes ?? HOSTED_JOB_LIMIT_MINUTES;
  const neededMinutes = Math.min(longest.minutes, job);
  const [result] = await ctx.attempt(name, async () => {
    const seconds = await maxSessionDuration(ctx.o.clients, ctx.env.regions[0], ctx.env.deployRoleName);
    const chain = longest.chain.map((step) => `${step.type} ${step.minutes} min`).join(' -> ');
    const apply = `the longest apply, ${longest.stack}, may wait ${formatMinutes(longest.minutes)} by the provider's default create timeouts (${chain || 'nothing that waits'})`;
    const capped = longest.minutes > job ? `, longer than the ${formatMinutes(job)} an apply job may run, which ends it first` : '';
    const numbers = `${ctx.env.deployRoleName} allows ${seconds} s (${formatMinutes(seconds / 60)}); ${apply}${capped}`;
    if (seconds >= neededMinutes * 60) return { name, ok: true, detail: numbers };
    return { name, ok: false, detail: `${numbers}: raise pipelineSessionSeconds in bootstrap/bootstrap.json to at least ${neededMinutes * 60} and apply the bootstrap of account ${ctx.env.accountId}` };
  });
  return result;
}

// ---------------------------------------------------------------------------
// The state bucket, listed where the environment's stacks keep their state (a HeadBucket
// is not enough: the pipeline roles may list only their environment's folder).

async function stateBucket(ctx: Context): Promise<Fact> {
  const sb = ctx.o.platform.config.stateBackend;
  const prefix = `${environmentStatePrefix(sb.keyPrefix, ctx.o.environment)}/`;
  const name = 'state bucket';
  const where = `s3://${sb.bucket}/${prefix}`;
  // The state role is the one the stacks' backends assume, whoever runs them.
  const credentials = sb.roleName ? ctx.o.clients.assumeRole(roleArn(sb.accountId, stateRoleName(sb.roleName, ctx.o.environment)), `preflight-${ctx.o.environment}`) : undefined;
  const [result] = await ctx.attempt(name, async () => {
    try {
      const count = await listState(ctx.o.clients, sb.bucket, sb.region, prefix, credentials);
      return { name, ok: true, detail: `${where} (${sb.region}) lists ${count === 0 ? 'no state yet (a first deploy)' : `${count} state object${count === 1 ? '' : 's'}`}` };
    } catch (err) {
      const e = err as Error;
      const why =
        e.name === 'NoSuchBucket'
          ? 'the bucket does not exist: apply the bootstrap of the state account first'
          : e.name === 'AccessDenied' || e.name === 'AccessDeniedException'
            ? `access denied: the caller${sb.roleName ? ` (through the state role ${stateRoleName(sb.roleName, ctx.o.environment)})` : ''} may not list the environment's folder; apply the bootstraps`
            : awsError(err);
      return { name, ok: false, detail: `${where} (${sb.region}): ${why}` };
    }
  });
  return result;
}
