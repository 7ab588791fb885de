// A stand-in for the AWS accounts the preflight reads: SDK clients whose `send` answers
// the commands the preflight sends from a small world the test describes. Nothing talks
// to AWS. Errors are thrown the way the SDK throws them (an Error whose name is AWS's code).
import { parseArn } from '@platform/config';
import type { AwsCredentialIdentityProvider, ClientFactory, Credentials, Sender } from '../aws';

/** A public hosted zone of an account, with the NS records it holds. */
export interface FakeZone {
  readonly name: string;
  readonly id: string;
  readonly nameServers: readonly string[];
  /** NS records by name (values as Route53 returns them, with a trailing dot). */
  readonly ns?: Readonly<Record<string, readonly string[]>>;
}

/** What the accounts hold. */
export interface FakeWorld {
  /** The caller, or `missing` for no credentials at all. */
  readonly caller: { readonly account: string; readonly arn: string } | 'missing';
  /** Lambda's account settings per region. */
  readonly lambda: Readonly<Record<string, { readonly quota: number; readonly unreserved: number }>>;
  /** Reservations of existing functions, `<region>/<function>`. */
  readonly reservations?: Readonly<Record<string, number>>;
  /** MaxSessionDuration of the environment account's roles, by name. */
  readonly roles: Readonly<Record<string, number>>;
  /** The state bucket: its name and the keys it holds, or the error a list gets. */
  readonly state: { readonly bucket: string; readonly keys: readonly string[] } | { readonly error: string };
  /** Public hosted zones by account. */
  readonly zones: Readonly<Record<string, readonly FakeZone[]>>;
  /** What public DNS answers for NS of a name (missing: ENOTFOUND). */
  readonly publicNs: Readonly<Record<string, readonly string[]>>;
}

/** The calls the fake saw: `<client> <Command> <account>`, and the roles assumed. */
export interface FakeLog {
  readonly calls: string[];
  readonly assumed: string[];
}

const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });

/** A client factory over `world`; the caller's own account is `world.caller`'s. */
export function fakeAws(world: FakeWorld): { clients: ClientFactory; resolveNs: (name: string) => Promise<string[]>; log: FakeLog } {
  const log: FakeLog = { calls: [], assumed: [] };
  const roleOf = new WeakMap<object, string>();
  const accountOf = (credentials: Credentials) => {
    if (!credentials) return world.caller === 'missing' ? undefined : world.caller.account;
    const role = parseArn(roleOf.get(credentials) ?? '');
    return role?.service === 'iam' && role.resource.startsWith('role/') ? role.account : undefined;
  };
  const client = (kind: string, answer: (name: string, input: any, account: string) => unknown, credentials?: Credentials): Sender => ({
    async send(command: { constructor: { name: string }; input: any }) {
      const name = command.constructor.name.replace(/Command$/, '');
      if (world.caller === 'missing') throw awsError('CredentialsProviderError', 'Could not load credentials from any providers');
      const account = accountOf(credentials)!;
      log.calls.push(`${kind} ${name} ${account}`);
      return answer(name, command.input, account);
    },
  });

  const clients: ClientFactory = {
    sts: () =>
      client('sts', () => {
        const caller = world.caller as { account: string; arn: string };
        return { Account: caller.account, Arn: caller.arn };
      }),
    lambda: (region) =>
      client('lambda', (name, input) => {
        if (name === 'GetAccountSettings') {
          const l = world.lambda[region];
          return { AccountLimit: { ConcurrentExecutions: l.quota, UnreservedConcurrentExecutions: l.unreserved } };
        }
        const reserved = world.reservations?.[`${region}/${input.FunctionName}`];
        if (reserved === undefined) throw awsError('ResourceNotFoundException', `Function not found: ${input.FunctionName}`);
        return { ReservedConcurrentExecutions: reserved };
      }),
    iam: () =>
      client('iam', (_name, input) => {
        const seconds = world.roles[input.RoleName];
        if (seconds === undefined) throw awsError('NoSuchEntity', `The role with name ${input.RoleName} cannot be found.`);
        return { Role: { RoleName: input.RoleName, MaxSessionDuration: seconds } };
      }),
    s3: (_region, credentials) =>
      client(
        's3',
        (_name, input) => {
          if ('error' in world.state) throw awsError(world.state.error);
          if (input.Bucket !== world.state.bucket) throw awsError('NoSuchBucket', 'The specified bucket does not exist');
          const keys = world.state.keys.filter((k) => k.startsWith(input.Prefix));
          return { KeyCount: keys.length, Contents: keys.map((Key) => ({ Key })) };
        },
        credentials,
      ),
    route53: (credentials) =>
      client(
        'route53',
        (name, input, account) => {
          const zones = world.zones[account] ?? [];
          if (name === 'ListHostedZonesByName') {
            return { HostedZones: zones.map((z) => ({ Id: `/hostedzone/${z.id}`, Name: `${z.name}.`, Config: { PrivateZone: false } })) };
          }
          const zone = zones.find((z) => z.id === input.Id || z.id === input.HostedZoneId);
          if (!zone) throw awsError('NoSuchHostedZone', `No hosted zone found with ID: ${input.Id ?? input.HostedZoneId}`);
          if (name === 'GetHostedZone') return { HostedZone: { Id: `/hostedzone/${zone.id}`, Name: `${zone.name}.` }, DelegationSet: { NameServers: zone.nameServers } };
          const values = zone.ns?.[input.StartRecordName];
          return { ResourceRecordSets: values ? [{ Name: `${input.StartRecordName}.`, Type: 'NS', ResourceRecords: values.map((Value) => ({ Value })) }] : [] };
        },
        credentials,
      ),
    assumeRole: (roleArn) => {
      log.assumed.push(roleArn);
      const provider: AwsCredentialIdentityProvider = async () => ({ accessKeyId: 'fake', secretAccessKey: 'fake' });
      roleOf.set(provider, roleArn);
      return provider;
    },
  };
  const resolveNs = async (name: string) => {
    const answer = world.publicNs[name];
    if (!answer) throw Object.assign(new Error(`queryNs ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return [...answer];
  };
  return { clients, resolveNs, log };
}
