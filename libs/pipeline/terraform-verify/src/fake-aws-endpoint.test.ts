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
});
