// The account facts the preflight reads, each through one AWS SDK v3 call. The clients
// come from a factory the caller gives, so tests inject fakes that answer the same
// commands and nothing here talks to AWS unless the real factory is used.
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetHostedZoneCommand, ListHostedZonesByNameCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';

/** Credentials an SDK client signs with. */
export type AwsCredentialIdentityProvider = ReturnType<typeof fromTemporaryCredentials>;

/** Anything with the SDK v3 `send`: a client, or a fake in tests. */
export interface Sender {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- every SDK command has its own input and output
  send(command: any): Promise<any>;
}

/** Credentials of one account: the caller's own (undefined), or a role assumed from them. */
export type Credentials = AwsCredentialIdentityProvider | undefined;

/** Where the preflight's SDK clients come from. */
export interface ClientFactory {
  sts(region: string): Sender;
  lambda(region: string): Sender;
  iam(region: string): Sender;
  s3(region: string, credentials: Credentials): Sender;
  route53(credentials: Credentials): Sender;
  /** Credentials of `roleArn`, assumed with the caller's own. */
  assumeRole(roleArn: string, sessionName: string): AwsCredentialIdentityProvider;
}

/** The real clients: the default credential chain (environment, profile, web identity, ...), each region explicit. */
export function sdkClientFactory(stsRegion: string): ClientFactory {
  const base = fromNodeProviderChain();
  return {
    sts: (region) => new STSClient({ region, credentials: base }),
    lambda: (region) => new LambdaClient({ region, credentials: base }),
    iam: (region) => new IAMClient({ region, credentials: base }),
    s3: (region, credentials) => new S3Client({ region, credentials: credentials ?? base }),
    // Route53's API is global, served from us-east-1.
    route53: (credentials) => new Route53Client({ region: 'us-east-1', credentials: credentials ?? base }),
    assumeRole: (roleArn, sessionName) =>
      fromTemporaryCredentials({ masterCredentials: base, params: { RoleArn: roleArn, RoleSessionName: sessionName }, clientConfig: { region: stsRegion } }),
  };
}

/** Whether `err` says no credentials could be found (the SDK's CredentialsProviderError). */
export function isMissingCredentials(err: unknown): boolean {
  return (err as Error | undefined)?.name === 'CredentialsProviderError';
}

/** A DNS name as Route53 and resolvers compare it: lower case, no trailing dot. */
export const dnsName = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** The caller: account and ARN. */
export async function callerIdentity(clients: ClientFactory, region: string): Promise<{ account: string; arn: string }> {
  const out = await clients.sts(region).send(new GetCallerIdentityCommand({}));
  return { account: out.Account, arn: out.Arn };
}

/** The account's Lambda concurrency in `region`: its quota ("Concurrent executions") and what no function reserves. */
export async function lambdaAccount(clients: ClientFactory, region: string): Promise<{ quota: number; unreserved: number }> {
  const out = await clients.lambda(region).send(new GetAccountSettingsCommand({}));
  return { quota: out.AccountLimit?.ConcurrentExecutions ?? 0, unreserved: out.AccountLimit?.UnreservedConcurrentExecutions ?? 0 };
}

/** The concurrency `functionName` reserves now: 0 when none, or when the function does not exist yet. */
export async function currentReservation(clients: ClientFactory, region: string, functionName: string): Promise<number> {
  try {
    const out = await clients.lambda(region).send(new GetFunctionConcurrencyCommand({ FunctionName: functionName }));
    return out.ReservedConcurrentExecutions ?? 0;
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') return 0;
    throw err;
  }
}

/** The role's MaxSessionDuration, in seconds. */
export async function maxSessionDuration(clients: ClientFactory, region: string, roleName: string): Promise<number> {
  const out = await clients.iam(region).send(new GetRoleCommand({ RoleName: roleName }));
  return out.Role?.MaxSessionDuration ?? 3600;
}

/** How many objects a list of `prefix` in `bucket` finds (at most `max`). */
export async function listState(clients: ClientFactory, bucket: string, region: string, prefix: string, credentials: Credentials, max = 1000): Promise<number> {
  const out = await clients.s3(region, credentials).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: max }));
  return out.KeyCount ?? out.Contents?.length ?? 0;
}

/** A public hosted zone found by its exact name: its id and the name servers Route53 gave it. */
export interface PublicZone {
  readonly id: string;
  readonly nameServers: readonly string[];
}

/** The public hosted zone named `name` in the account of `credentials`, or undefined. */
export async function findPublicZone(clients: ClientFactory, credentials: Credentials, name: string): Promise<PublicZone | undefined> {
  const route53 = clients.route53(credentials);
  const out = await route53.send(new ListHostedZonesByNameCommand({ DNSName: name, MaxItems: 10 }));
  const zone = (out.HostedZones ?? []).find((z: { Name: string; Config?: { PrivateZone?: boolean } }) => dnsName(z.Name) === dnsName(name) && !z.Config?.PrivateZone);
  if (!zone) return undefined;
  const id = String(zone.Id).replace(/^\/hostedzone\//, '');
  const detail = await route53.send(new GetHostedZoneCommand({ Id: id }));
  return { id, nameServers: ((detail.DelegationSet?.NameServers ?? []) as string[]).map(dnsName).sort() };
}

/** The values of the NS record named `name` in zone `zoneId`, or undefined when it has none. */
export async function nsRecord(clients: ClientFactory, credentials: Credentials, zoneId: string, name: string): Promise<string[] | undefined> {
  const out = await clients.route53(credentials).send(
    new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: name, StartRecordType: 'NS', MaxItems: 1 }),
  );
  const record = (out.ResourceRecordSets ?? []).find((r: { Name: string; Type: string }) => dnsName(r.Name) === dnsName(name) && r.Type === 'NS');
  return record ? (record.ResourceRecords ?? []).map((r: { Value: string }) => dnsName(r.Value)).sort() : undefined;
}
