import { type AwsLookupFixtures, type FakeAwsEndpoint, startFakeAwsEndpoint } from './fake-aws-endpoint';

const fixtures: AwsLookupFixtures = {
  vpcs: [
    { region: 'eu-west-1', vpcId: 'vpc-1', cidrBlock: '10.1.0.0/16', tags: { Name: 'shared-prod' } },
    { region: 'us-east-1', vpcId: 'vpc-2', cidrBlock: '10.2.0.0/16', tags: { Name: 'shared-prod' } },
  ],
  subnets: [
    { region: 'eu-west-1', subnetId: 'subnet-a', vpcId: 'vpc-1', cidrBlock: '10.1.1.0/24', availabilityZone: 'eu-west-1a', tags: { tier: 'private' } },
    { region: 'eu-west-1', subnetId: 'subnet-b', vpcId: 'vpc-1', cidrBlock: '10.1.2.0/24', availabilityZone: 'eu-west-1b', tags: { tier: 'public' } },
  ],
  hostedZones: [{ id: 'Z1', name: 'example.com' }],
};

const auth = (service: string, region: string, key = 'AKIAVERIFY333333333333') =>
  `AWS4-HMAC-SHA256 Credential=${key}/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;

let endpoint: FakeAwsEndpoint;
beforeEach(async () => {
  endpoint = await startFakeAwsEndpoint(fixtures);
});
afterEach(() => endpoint.stop());

async function query(service: string, region: string, params: Record<string, string>) {
  const res = await fetch(endpoint.url, {
    method: 'POST',
    headers: { authorization: auth(service, region), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: await res.text() };
}

describe('startFakeAwsEndpoint', () => {
  it('listens on loopback only', () => {
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers GetCallerIdentity with the account the verification access key carries', async () => {
    const { status, body } = await query('sts', 'eu-west-1', { Action: 'GetCallerIdentity', Version: '2011-06-15' });
    expect(status).toBe(200);
    expect(body).toContain('<Account>333333333333</Account>');
  });

  it('finds VPCs by tag filter in the request’s region only', async () => {
    const { body } = await query('ec2', 'eu-west-1', {
      Action: 'DescribeVpcs',
      'Filter.1.Name': 'tag:Name',
      'Filter.1.Value.1': 'shared-prod',
    });
    expect(body).toContain('<vpcId>vpc-1</vpcId>');
    expect(body).not.toContain('vpc-2');
  });

  it('filters subnets by VPC and tags', async () => {
    const { body } = await query('ec2', 'eu-west-1', {
      Action: 'DescribeSubnets',
      'Filter.1.Name': 'vpc-id',
      'Filter.1.Value.1': 'vpc-1',
      'Filter.2.Name': 'tag:tier',
      'Filter.2.Value.1': 'private',
    });
    expect(body).toContain('<subnetId>subnet-a</subnetId>');
    expect(body).not.toContain('subnet-b');
  });

  it('lists and gets hosted zones (Route53 REST)', async () => {
    const headers = { authorization: auth('route53', 'us-east-1') };
    const list = await (await fetch(`${endpoint.url}/2013-04-01/hostedzone`, { headers })).text();
    expect(list).toContain('<Id>/hostedzone/Z1</Id><Name>example.com.</Name>');
    const get = await fetch(`${endpoint.url}/2013-04-01/hostedzone/Z1`, { headers });
    expect(get.status).toBe(200);
    expect(await get.text()).toContain('<NameServers>');
  });

  it('fails a call it has no answer for, and records it as unanswered', async () => {
    const { status, body } = await query('ec2', 'eu-west-1', { Action: 'RunInstances' });
    expect(status).toBe(400);
    expect(body).toContain('does not answer ec2 RunInstances');
    expect(endpoint.requests).toEqual([{ service: 'ec2', region: 'eu-west-1', action: 'RunInstances', answered: false }]);
  });

  describe('S3 (path style), as Terraform’s S3 backend and aws_s3_objects call it', () => {
    const s3 = (path: string, init: RequestInit = {}) =>
      fetch(`${endpoint.url}${path}`, { ...init, headers: { authorization: auth('s3', 'eu-west-1'), ...(init.headers ?? {}) } });

    it('answers GetObject of a missing key with 404 and the NoSuchKey XML body, as S3 does (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html)', async () => {
      const res = await s3('/tf-state/platform/dev/items-dev-global.tfstate?x-id=GetObject');
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/xml');
      const body = await res.text();
      expect(body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message>/);
      expect(body).toContain('<Key>platform/dev/items-dev-global.tfstate</Key>');
      // A NoSuchKey is an answer, not a call the endpoint lacks.
      expect(endpoint.requests).toEqual([{ service: 's3', region: 'eu-west-1', action: 'GetObject', answered: true }]);
    });

    it('answers HeadObject of a missing key with 404 and no body (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html)', async () => {
      const res = await s3('/tf-state/platform/dev/items-dev-global.tfstate', { method: 'HEAD' });
      expect(res.status).toBe(404);
      expect(await res.text()).toBe('');
    });

    it('serves an object that was put: HeadObject with its length, GetObject whole or by range', async () => {
      endpoint.s3.put('tf-state', 'platform/dev/items-dev-global.tfstate', '{"version":4}');
      const head = await s3('/tf-state/platform/dev/items-dev-global.tfstate', { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe('13');
      expect(head.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
      const whole = await s3('/tf-state/platform/dev/items-dev-global.tfstate?x-id=GetObject');
      expect(await whole.text()).toBe('{"version":4}');
      const part = await s3('/tf-state/platform/dev/items-dev-global.tfstate?x-id=GetObject', { headers: { range: 'bytes=0-5242879' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe('bytes 0-12/13');
      expect(await part.text()).toBe('{"version":4}');
    });

    it('lists the keys under a prefix (ListObjectsV2), in binary order, and none after clear', async () => {
      endpoint.s3.put('tf-state', 'platform/dev/items-dev-global.tfstate.tflock', '{}');
      endpoint.s3.put('tf-state', 'platform/dev/items-dev-global.tfstate', '{}');
      endpoint.s3.put('tf-state', 'platform/prod/items-prod-global.tfstate', '{}');
      endpoint.s3.put('other-bucket', 'platform/dev/items-dev-global.tfstate', '{}');
      const list = await (await s3('/tf-state?list-type=2&prefix=platform%2Fdev%2Fitems-dev-global.tfstate&max-keys=1000')).text();
      expect([...list.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1])).toEqual([
        'platform/dev/items-dev-global.tfstate',
        'platform/dev/items-dev-global.tfstate.tflock',
      ]);
      expect(list).toContain('<KeyCount>2</KeyCount>');
      endpoint.s3.clear();
      const empty = await (await s3('/tf-state?list-type=2&prefix=platform%2F')).text();
      expect(empty).toContain('<KeyCount>0</KeyCount>');
      expect(empty).not.toContain('<Contents>');
    });

    it('fails an S3 call it has no answer for', async () => {
      const res = await s3('/tf-state/platform/dev/x.tfstate', { method: 'PUT', body: '{}' });
      expect(res.status).toBe(400);
      expect(endpoint.requests.at(-1)).toMatchObject({ service: 's3', answered: false });
    });
  });
});
