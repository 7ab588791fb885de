import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatArn } from '@platform/config';
import { accountOfVerificationAccessKey } from '@platform/constructs';

/** A VPC the loopback endpoint knows. */
export interface VpcFixture {
  readonly region: string;
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** A subnet the loopback endpoint knows. */
export interface SubnetFixture {
  readonly region: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly availabilityZone: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** An existing public hosted zone the loopback endpoint knows. */
export interface HostedZoneFixture {
  /** e.g. `Z0123456789ABCDEFGHIJ` */
  readonly id: string;
  /** e.g. `example.com` */
  readonly name: string;
}

/** What the real lookups of the stacks find, answered from files instead of AWS. */
export interface AwsLookupFixtures {
  readonly vpcs: readonly VpcFixture[];
  readonly subnets: readonly SubnetFixture[];
  readonly hostedZones: readonly HostedZoneFixture[];
}

/** Reads lookup fixtures from a JSON file. */
export function loadLookupFixtures(file: string): AwsLookupFixtures {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<AwsLookupFixtures>;
  return { vpcs: raw.vpcs ?? [], subnets: raw.subnets ?? [], hostedZones: raw.hostedZones ?? [] };
}

/** One request the endpoint received, for the run's log and for tests. */
export interface FakeAwsRequest {
  readonly service: string;
  readonly region: string;
  readonly action: string;
  /** False when the endpoint had no answer (the request failed with an error response). */
  readonly answered: boolean;
}

/**
 * The objects the loopback S3 holds (the Terraform state objects a run reads). Every
 * bucket exists and starts empty; a key that was not put is missing.
 */
export interface FakeS3Objects {
  put(bucket: string, key: string, body: string): void;
  delete(bucket: string, key: string): void;
  /** Removes every object: each key answers NoSuchKey again. */
  clear(): void;
}

/** A running loopback endpoint; {@link FakeAwsEndpoint.stop} it when done. */
export interface FakeAwsEndpoint {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: readonly FakeAwsRequest[];
  /** What the endpoint's S3 holds; change it between runs to choose a scenario. */
  readonly s3: FakeS3Objects;
  stop(): Promise<void>;
}

/**
 * Starts, on 127.0.0.1 and a free port, an HTTP endpoint answering the few AWS calls
 * the stacks make at plan time: STS GetCallerIdentity (with the account of the
 * verification access key), EC2 DescribeVpcs/DescribeVpcAttribute/DescribeRouteTables/
 * DescribeSubnets (query protocol) and Route53 ListHostedZones(ByName)/GetHostedZone/
 * ListTagsForResource (REST XML), from fixtures; and S3 ListObjectsV2/HeadObject/
 * GetObject (path style) from {@link FakeAwsEndpoint.s3}, where a missing key gets
 * what real S3 answers. Anything else gets an error response, so an unexpected call
 * fails the plan instead of passing silently.
 */
export async function startFakeAwsEndpoint(fixtures: AwsLookupFixtures): Promise<FakeAwsEndpoint> {
  const requests: FakeAwsRequest[] = [];
  const objects = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = handle(fixtures, objects, req, Buffer.concat(chunks).toString('utf8'));
      requests.push({ service: answer.service, region: answer.region, action: answer.action, answered: answer.answered ?? answer.status < 400 });
      res.writeHead(answer.status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID(), ...answer.headers });
      res.end(req.method === 'HEAD' ? undefined : answer.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    s3: {
      put: (bucket, key, body) => objects.set(objectId(bucket, key), body),
      delete: (bucket, key) => objects.delete(objectId(bucket, key)),
      clear: () => objects.clear(),
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Answer {
  readonly service: string;
  readonly region: string;
  readonly action: string;
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Whether this was a real answer (a NoSuchKey is one). @default - status below 400 */
  readonly answered?: boolean;
}

/** Service, region and access key from the SigV4 Authorization header. */
function credentialScope(req: IncomingMessage): { accessKey: string; region: string; service: string } {
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
  return m ? { accessKey: m[1], region: m[2], service: m[3] } : { accessKey: '', region: '', service: '' };
}

function handle(fixtures: AwsLookupFixtures, objects: ReadonlyMap<string, string>, req: IncomingMessage, body: string): Answer {
  const { accessKey, region, service } = credentialScope(req);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (service === 's3') return { service, region, ...s3(objects, req, url) };
  if (service === 'sts' || service === 'ec2') {
    const params = new URLSearchParams(req.method === 'POST' ? body : url.search);
    const action = params.get('Action') ?? '';
    const result =
      service === 'sts' ? sts(action, accessKey) : ec2(fixtures, region, action, params, accountOfVerificationAccessKey(accessKey));
    if (result === undefined) return { service, region, action, status: 400, body: queryError(service, action) };
    return { service, region, action, status: 200, body: result };
  }
  if (service === 'route53') {
    const r = route53(fixtures, req.method ?? 'GET', url);
    if (r === undefined) return { service, region, action: `${req.method} ${url.pathname}`, status: 400, body: restError(url.pathname) };
    return { service, region, action: r.action, status: 200, body: r.body };
  }
  return { service: service || 'unknown', region, action: `${req.method} ${url.pathname}`, status: 400, body: restError(url.pathname) };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const tagSet = (tags: Readonly<Record<string, string>> = {}) =>
  `<tagSet>${Object.entries(tags)
    .map(([k, v]) => `<item><key>${esc(k)}</key><value>${esc(v)}</value></item>`)
    .join('')}</tagSet>`;

function sts(action: string, accessKey: string): string | undefined {
  if (action !== 'GetCallerIdentity') return undefined;
  const account = accountOfVerificationAccessKey(accessKey);
  if (!account) return undefined;
  return `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${formatArn({ service: 'iam', account, resource: 'user/terraform-verify' })}</Arn><UserId>AIDAVERIFY${account}</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
}

/** EC2 filters as { name: values }, plus VpcId.N / SubnetId.N lists. */
function ec2Filters(params: URLSearchParams): { filters: Map<string, string[]>; ids: string[] } {
  const filters = new Map<string, string[]>();
  const ids: string[] = [];
  for (const [key, value] of params) {
    const f = /^Filter\.(\d+)\.Name$/.exec(key);
    if (f) {
      const values: string[] = [];
      for (let i = 1; params.has(`Filter.${f[1]}.Value.${i}`); i++) values.push(params.get(`Filter.${f[1]}.Value.${i}`) as string);
      filters.set(value, [...(filters.get(value) ?? []), ...values]);
    }
    if (/^(VpcId|SubnetId)\.\d+$/.test(key)) ids.push(value);
  }
  return { filters, ids };
}

/** Does an object pass EC2 filters? Unknown filter names match nothing (the lookup then finds nothing). */
function matches(filters: Map<string, string[]>, fields: Record<string, string>, tags: Readonly<Record<string, string>> = {}): boolean {
  for (const [name, values] of filters) {
    const actual = name.startsWith('tag:') ? tags[name.slice(4)] : fields[name];
    if (actual === undefined || !values.includes(actual)) return false;
  }
  return true;
}

function ec2(
  fixtures: AwsLookupFixtures,
  region: string,
  action: string,
  params: URLSearchParams,
  account: string | undefined,
): string | undefined {
  const ns = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"';
  const requestId = `<requestId>${randomUUID()}</requestId>`;
  const { filters, ids } = ec2Filters(params);
  const owner = account ?? '000000000000';
  switch (action) {
    case 'DescribeVpcs': {
      const vpcs = fixtures.vpcs.filter(
        (v) =>
          v.region === region &&
          (ids.length === 0 || ids.includes(v.vpcId)) &&
          matches(filters, { 'vpc-id': v.vpcId, 'cidr-block': v.cidrBlock, state: 'available', 'is-default': 'false' }, v.tags),
      );
      const items = vpcs
        .map(
          (v) =>
            `<item><vpcId>${v.vpcId}</vpcId><ownerId>${owner}</ownerId><state>available</state><cidrBlock>${v.cidrBlock}</cidrBlock><cidrBlockAssociationSet><item><associationId>vpc-cidr-assoc-${v.vpcId.slice(4)}</associationId><cidrBlock>${v.cidrBlock}</cidrBlock><cidrBlockState><state>associated</state></cidrBlockState></item></cidrBlockAssociationSet><dhcpOptionsId>dopt-0fixture</dhcpOptionsId>${tagSet(v.tags)}<instanceTenancy>default</instanceTenancy><isDefault>false</isDefault></item>`,
        )
        .join('');
      return `<DescribeVpcsResponse ${ns}>${requestId}<vpcSet>${items}</vpcSet></DescribeVpcsResponse>`;
    }
    case 'DescribeVpcAttribute': {
      const vpcId = params.get('VpcId') ?? '';
      const attribute = params.get('Attribute') ?? '';
      return `<DescribeVpcAttributeResponse ${ns}>${requestId}<vpcId>${esc(vpcId)}</vpcId><${attribute}><value>${attribute === 'enableNetworkAddressUsageMetrics' ? 'false' : 'true'}</value></${attribute}></DescribeVpcAttributeResponse>`;
    }
    case 'DescribeRouteTables': {
      const vpcId = filters.get('vpc-id')?.[0] ?? '';
      const rtb = `rtb-${vpcId.replace(/^vpc-/, '')}`;
      return `<DescribeRouteTablesResponse ${ns}>${requestId}<routeTableSet><item><routeTableId>${rtb}</routeTableId><vpcId>${esc(vpcId)}</vpcId><ownerId>${owner}</ownerId><routeSet/><associationSet><item><routeTableAssociationId>rtbassoc-${rtb.slice(4)}</routeTableAssociationId><routeTableId>${rtb}</routeTableId><main>true</main><associationState><state>associated</state></associationState></item></associationSet><propagatingVgwSet/><tagSet/></item></routeTableSet></DescribeRouteTablesResponse>`;
    }
    case 'DescribeSubnets': {
      const subnets = fixtures.subnets.filter(
        (s) =>
          s.region === region &&
          (ids.length === 0 || ids.includes(s.subnetId)) &&
          matches(filters, { 'vpc-id': s.vpcId, 'subnet-id': s.subnetId, 'availability-zone': s.availabilityZone }, s.tags),
      );
      const items = subnets
        .map(
          (s) =>
            `<item><subnetId>${s.subnetId}</subnetId><subnetArn>${formatArn({ service: 'ec2', region, account: owner, resource: `subnet/${s.subnetId}` })}</subnetArn><state>available</state><ownerId>${owner}</ownerId><vpcId>${s.vpcId}</vpcId><cidrBlock>${s.cidrBlock}</cidrBlock><ipv6CidrBlockAssociationSet/><availableIpAddressCount>250</availableIpAddressCount><availabilityZone>${s.availabilityZone}</availabilityZone><availabilityZoneId>${s.availabilityZone}-az</availabilityZoneId><defaultForAz>false</defaultForAz><mapPublicIpOnLaunch>false</mapPublicIpOnLaunch>${tagSet(s.tags)}</item>`,
        )
        .join('');
      return `<DescribeSubnetsResponse ${ns}>${requestId}<subnetSet>${items}</subnetSet></DescribeSubnetsResponse>`;
    }
    default:
      return undefined;
  }
}

const R53 = 'xmlns="https://route53.amazonaws.com/doc/2013-04-01/"';
const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`);
const zoneXml = (z: HostedZoneFixture) =>
  `<HostedZone><Id>/hostedzone/${z.id}</Id><Name>${fqdn(z.name)}</Name><CallerReference>fixture</CallerReference><Config><PrivateZone>false</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone>`;

function route53(fixtures: AwsLookupFixtures, method: string, url: URL): { action: string; body: string } | undefined {
  if (method !== 'GET') return undefined;
  const p = url.pathname;
  if (p === '/2013-04-01/hostedzone') {
    return {
      action: 'ListHostedZones',
      body: `<ListHostedZonesResponse ${R53}><HostedZones>${fixtures.hostedZones.map(zoneXml).join('')}</HostedZones><IsTruncated>false</IsTruncated><Marker></Marker><MaxItems>100</MaxItems></ListHostedZonesResponse>`,
    };
  }
  if (p === '/2013-04-01/hostedzonesbyname') {
    const dns = url.searchParams.get('dnsname');
    const zones = fixtures.hostedZones.filter((z) => !dns || fqdn(z.name) === fqdn(dns));
    return {
      action: 'ListHostedZonesByName',
      body: `<ListHostedZonesByNameResponse ${R53}><HostedZones>${zones.map(zoneXml).join('')}</HostedZones><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesByNameResponse>`,
    };
  }
  let m = /^\/2013-04-01\/hostedzone\/([^/]+)$/.exec(p);
  if (m) {
    const zone = fixtures.hostedZones.find((z) => z.id === m?.[1]);
    if (!zone) return undefined;
    const ns = [1, 2, 3, 4].map((i) => `<NameServer>ns-${i}.awsdns-fixture.net</NameServer>`).join('');
    return {
      action: 'GetHostedZone',
      body: `<GetHostedZoneResponse ${R53}>${zoneXml(zone)}<DelegationSet><NameServers>${ns}</NameServers></DelegationSet></GetHostedZoneResponse>`,
    };
  }
  m = /^\/2013-04-01\/tags\/hostedzone\/([^/]+)$/.exec(p);
  if (m) {
    return {
      action: 'ListTagsForResource',
      body: `<ListTagsForResourceResponse ${R53}><ResourceTagSet><ResourceType>hostedzone</ResourceType><ResourceId>${esc(m[1])}</ResourceId><Tags/></ResourceTagSet></ListTagsForResourceResponse>`,
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// S3 (REST XML, path style): what Terraform's S3 backend (terraform_remote_state) and
// the aws_s3_objects data source call.

const S3_NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const objectId = (bucket: string, key: string) => `${bucket}/${key}`;
const etag = (body: string) => `"${createHash('md5').update(body).digest('hex')}"`;
const LAST_MODIFIED = new Date(Date.UTC(2026, 0, 1));

type S3Answer = Omit<Answer, 'service' | 'region'>;

function s3(objects: ReadonlyMap<string, string>, req: IncomingMessage, url: URL): S3Answer {
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = rest.map(decodeURIComponent).join('/');
  const method = req.method ?? 'GET';
  if (bucket && !key && method === 'GET' && url.searchParams.get('list-type') === '2') {
    return listObjectsV2(objects, decodeURIComponent(bucket), url.searchParams);
  }
  if (bucket && key && (method === 'GET' || method === 'HEAD')) {
    const action = method === 'HEAD' ? 'HeadObject' : 'GetObject';
    const body = objects.get(objectId(decodeURIComponent(bucket), key));
    if (body === undefined) {
      // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html: NoSuchKey is
      // 404 with an XML error body. HeadObject answers the same 404 without a body
      // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html, for a
      // caller who may s3:ListBucket, as the state readers may).
      return {
        action,
        status: 404,
        answered: true,
        headers: { 'content-type': 'application/xml' },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${esc(key)}</Key><RequestId>${randomUUID()}</RequestId></Error>`,
      };
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    const bytes = Buffer.from(body, 'utf8');
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
    const part = bytes.subarray(start, end + 1).toString('utf8');
    return {
      action,
      status: range ? 206 : 200,
      headers: {
        'content-type': 'application/json',
        'content-length': String(range ? end - start + 1 : bytes.length),
        etag: etag(body),
        'last-modified': LAST_MODIFIED.toUTCString(),
        ...(range ? { 'content-range': `bytes ${start}-${end}/${bytes.length}` } : {}),
      },
      body: part,
    };
  }
  return {
    action: `${method} ${url.pathname}${url.search}`,
    status: 400,
    headers: { 'content-type': 'application/xml' },
    body: `<Error><Code>InvalidRequest</Code><Message>the verification endpoint does not answer S3 ${esc(method)} ${esc(url.pathname)}; add it to fake-aws-endpoint.ts if a stack needs it</Message></Error>`,
  };
}

function listObjectsV2(objects: ReadonlyMap<string, string>, bucket: string, params: URLSearchParams): S3Answer {
  const prefix = params.get('prefix') ?? '';
  const maxKeys = Number(params.get('max-keys') ?? 1000);
  // Real S3 lists keys in UTF-8 binary order.
  const keys = [...objects.keys()]
    .filter((id) => id.startsWith(`${bucket}/`))
    .map((id) => id.slice(bucket.length + 1))
    .filter((k) => k.startsWith(prefix))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const page = keys.slice(0, maxKeys);
  const contents = page
    .map((k) => {
      const body = objects.get(objectId(bucket, k)) as string;
      return `<Contents><Key>${esc(k)}</Key><LastModified>${LAST_MODIFIED.toISOString()}</LastModified><ETag>${esc(etag(body))}</ETag><Size>${Buffer.byteLength(body)}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    })
    .join('');
  return {
    action: 'ListObjectsV2',
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult ${S3_NS}><Name>${esc(bucket)}</Name><Prefix>${esc(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${keys.length > page.length}</IsTruncated>${contents}</ListBucketResult>`,
  };
}

function queryError(service: string, action: string): string {
  const message = `the verification endpoint does not answer ${service} ${action || '(no action)'}; add it to fake-aws-endpoint.ts if a stack needs it`;
  return `<Response><Errors><Error><Code>UnsupportedOperation</Code><Message>${esc(message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`;
}

function restError(path: string): string {
  return `<ErrorResponse ${R53}><Error><Type>Sender</Type><Code>InvalidInput</Code><Message>the verification endpoint does not answer ${esc(path)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}
