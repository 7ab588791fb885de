import { parsePlatform } from '@platform/config';
import { platformFixture } from '@platform/config/testing';
import type { SynthesizedStack } from '@platform/permission-coverage';
import { type Fact, formatFacts, preflight } from './preflight';
import { type FakeWorld, fakeAws } from './testing/fake-aws';

const NS_DEV = ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.net', 'ns-3.awsdns-03.co.uk', 'ns-4.awsdns-04.com'];
const NS_ITEMS = ['ns-11.awsdns-11.org', 'ns-12.awsdns-12.net', 'ns-13.awsdns-13.co.uk', 'ns-14.awsdns-14.com'];
const dotted = (ns: readonly string[]) => ns.map((n) => `${n}.`);

/** dev only (eu-west-1, us-east-1; zone "create" in its own account), with the service items. */
function devPlatform(change: (config: any) => void = () => {}) {
  const config: any = platformFixture({
    environments: { dev: { accountId: '111111111111', domain: 'dev.example.com', regions: ['eu-west-1', 'us-east-1'] } },
    services: { items: { app: 'items-api' } },
  });
  change(config);
  return parsePlatform(config);
}

/** The stacks of dev: the global one waits for the certificate, then for CloudFront to deploy. */
const STACKS: SynthesizedStack[] = [
  {
    name: 'items-dev-global',
    json: {
      resource: {
        aws_acm_certificate_validation: { v: { certificate_arn: '${aws_acm_certificate.c.arn}' } },
        aws_acm_certificate: { c: { domain_name: 'api.items.dev.example.com' } },
        aws_cloudfront_distribution: { d: { viewer_certificate: { acm_certificate_arn: '${aws_acm_certificate_validation.v.certificate_arn}' } } },
      },
    },
  },
  { name: 'items-dev-eu-west-1', json: { resource: { aws_acm_certificate_validation: { v: {} } } } },
];

/** A dev account where every fact holds. */
function healthyWorld(): FakeWorld {
  return {
    caller: { account: '111111111111', arn: 'arn:aws:sts::111111111111:assumed-role/platform-plan/preflight' },
    lambda: { 'eu-west-1': { quota: 1000, unreserved: 1000 }, 'us-east-1': { quota: 1000, unreserved: 1000 } },
    roles: { 'platform-deploy': 21600 },
    state: { bucket: 'acme-platform-terraform-state', keys: ['platform/dev/items-dev-global.tfstate', 'platform/prod/items-prod-global.tfstate'] },
    zones: {
      '111111111111': [
        { name: 'dev.example.com', id: 'ZDEV', nameServers: NS_DEV, ns: { 'items.dev.example.com': dotted(NS_ITEMS) } },
        { name: 'items.dev.example.com', id: 'ZITEMS', nameServers: NS_ITEMS },
      ],
    },
    publicNs: { 'dev.example.com': NS_DEV },
  };
}

async function run(world: FakeWorld, platform = devPlatform(), extra: { roleName?: string; stacks?: SynthesizedStack[] } = {}) {
  const aws = fakeAws(world);
  const facts = await preflight({ platform, environment: 'dev', stacks: extra.stacks ?? STACKS, clients: aws.clients, resolveNs: aws.resolveNs, roleName: extra.roleName });
  return { facts, log: aws.log };
}

const fact = (facts: Fact[], name: string) => {
  const found = facts.find((f) => f.name === name);
  if (!found) throw new Error(`no fact "${name}" among ${facts.map((f) => f.name).join(', ')}`);
  return found;
};

describe('npm run preflight: the account facts before an apply (issue 22 check 6)', () => {
  it('reports one ok line per fact of a healthy account', async () => {
    const { facts } = await run(healthyWorld());
    expect(formatFacts(facts).split('\n')).toEqual([
      'ok   credentials: arn:aws:sts::111111111111:assumed-role/platform-plan/preflight (account 111111111111, environment dev)',
      'ok   lambda concurrency eu-west-1: quota 1000, the services reserve 0, other functions 0: 1000 stay unreserved (Lambda keeps 100)',
      'ok   lambda concurrency us-east-1: quota 1000, the services reserve 0, other functions 0: 1000 stay unreserved (Lambda keeps 100)',
      'ok   dns zone dev.example.com: public DNS delegates it to its Route53 zone in account 111111111111 (4 name servers)',
      'ok   dns delegation items.dev.example.com: dev.example.com delegates it to its 4 name servers (Route53, in account 111111111111)',
      "ok   deploy role session: platform-deploy allows 21600 s (6 h); the longest apply, items-dev-global, may wait 2 h 45 min by the provider's default create timeouts (aws_acm_certificate_validation 75 min -> aws_cloudfront_distribution 90 min)",
      'ok   state bucket: s3://acme-platform-terraform-state/platform/dev/ (eu-west-1) lists 1 state object',
    ]);
  });

  describe('Lambda concurrency per region', () => {
    it('fails a reservation a fresh account\'s quota of 10 cannot hold, with the numbers', async () => {
      const world = { ...healthyWorld(), lambda: { ...healthyWorld().lambda, 'us-east-1': { quota: 10, unreserved: 10 } } };
      const { facts } = await run(world, devPlatform((c) => (c.services.items.lambda = { reservedConcurrency: 50 })));
      expect(fact(facts, 'lambda concurrency us-east-1')).toEqual({
        name: 'lambda concurrency us-east-1',
        ok: false,
        detail:
          'quota 10, the services reserve 50 (items 50), other functions 0: -40 stay unreserved, less than the 100 Lambda keeps, so PutFunctionConcurrency fails: ask for a higher Lambda "Concurrent executions" quota in us-east-1 (Service Quotas) or lower lambda.reservedConcurrency',
      });
      expect(fact(facts, 'lambda concurrency eu-west-1').ok).toBe(true);
    });

    it('passes a fresh account with no reservation, saying every function shares its quota', async () => {
      const world = { ...healthyWorld(), lambda: { ...healthyWorld().lambda, 'us-east-1': { quota: 10, unreserved: 10 } } };
      const { facts } = await run(world);
      expect(fact(facts, 'lambda concurrency us-east-1')).toMatchObject({ ok: true, detail: expect.stringContaining('every function of the region shares 10 until AWS raises it') });
    });

    it('counts the service\'s own current reservation back in, and other functions\' reservations against it', async () => {
      const world = {
        ...healthyWorld(),
        lambda: { 'eu-west-1': { quota: 1000, unreserved: 100 }, 'us-east-1': { quota: 1000, unreserved: 800 } },
        reservations: { 'eu-west-1/items-dev': 850, 'us-east-1/items-dev': 200 },
      };
      const { facts } = await run(world, devPlatform((c) => (c.services.items.lambda = { reservedConcurrency: 900 })));
      // eu-west-1: 100 unreserved + 850 of its own - 900 asked; another function holds 50.
      expect(fact(facts, 'lambda concurrency eu-west-1')).toMatchObject({ ok: false, detail: expect.stringContaining('the services reserve 900 (items 900), other functions 50: 50 stay unreserved') });
      // us-east-1: 800 unreserved + 200 of its own - 900 asked.
      expect(fact(facts, 'lambda concurrency us-east-1')).toMatchObject({ ok: true, detail: expect.stringContaining('other functions 0: 100 stay unreserved') });
    });
  });

  describe('DNS delegation', () => {
    it('fails when the parent zone holds no NS record for an existing service zone', async () => {
      const world = healthyWorld();
      const zones = { '111111111111': [{ ...world.zones['111111111111'][0], ns: {} }, world.zones['111111111111'][1]] };
      const { facts } = await run({ ...world, zones });
      expect(fact(facts, 'dns delegation items.dev.example.com')).toEqual({
        name: 'dns delegation items.dev.example.com',
        ok: false,
        detail: 'dev.example.com has no NS record for it: names in it do not resolve and certificate validation waits up to 75 min and fails; apply items-dev-global (it writes the record)',
      });
    });

    it('fails when the parent\'s NS record names other name servers than the zone has', async () => {
      const world = healthyWorld();
      const zones = { '111111111111': [{ ...world.zones['111111111111'][0], ns: { 'items.dev.example.com': dotted(NS_DEV) } }, world.zones['111111111111'][1]] };
      const { facts } = await run({ ...world, zones });
      expect(fact(facts, 'dns delegation items.dev.example.com')).toMatchObject({ ok: false, detail: expect.stringContaining("dev.example.com's NS record names ns-1.awsdns-01.org") });
    });

    it('passes a service zone not created yet: the global stack creates and delegates it', async () => {
      const world = healthyWorld();
      const { facts } = await run({ ...world, zones: { '111111111111': [world.zones['111111111111'][0]] } });
      expect(fact(facts, 'dns delegation items.dev.example.com')).toEqual({
        name: 'dns delegation items.dev.example.com',
        ok: true,
        detail: 'not created yet: the first apply of items-dev-global creates it and writes its NS record in dev.example.com',
      });
    });

    it('fails when the parent zone does not exist, and when public DNS does not delegate it', async () => {
      const missing = await run({ ...healthyWorld(), zones: {} });
      expect(fact(missing.facts, 'dns zone dev.example.com')).toMatchObject({ ok: false, detail: expect.stringContaining('no public hosted zone dev.example.com in account 111111111111') });
      const undelegated = await run({ ...healthyWorld(), publicNs: {} });
      expect(fact(undelegated.facts, 'dns zone dev.example.com')).toMatchObject({ ok: false, detail: expect.stringMatching(/^public DNS has no NS record for dev\.example\.com \(ENOTFOUND\)/) });
      const elsewhere = await run({ ...healthyWorld(), publicNs: { 'dev.example.com': ['ns1.registrar.example'] } });
      expect(fact(elsewhere.facts, 'dns zone dev.example.com')).toMatchObject({ ok: false, detail: expect.stringContaining('public DNS delegates dev.example.com to ns1.registrar.example, not to its Route53 zone') });
    });

    it('reads zones in the DNS and parent accounts through the role it is told to assume there', async () => {
      const world = healthyWorld();
      const platform = devPlatform((c) => (c.environments.dev.dns = { zone: 'create', accountId: '444444444444', roleName: 'route53-records', parent: { accountId: '666666666666' } }));
      const { facts, log } = await run({ ...world, zones: { '666666666666': [world.zones['111111111111'][0]], '444444444444': [world.zones['111111111111'][1]] } }, platform, { roleName: 'platform-plan' });
      expect(log.assumed.sort()).toEqual(['arn:aws:iam::444444444444:role/platform-plan', 'arn:aws:iam::666666666666:role/platform-plan']);
      expect(fact(facts, 'dns delegation items.dev.example.com')).toMatchObject({ ok: true, detail: 'dev.example.com delegates it to its 4 name servers (Route53, in account 666666666666)' });
    });

    it('checks an existing zone is delegated by public DNS, and writes no delegation line', async () => {
      const { facts } = await run(healthyWorld(), devPlatform((c) => (c.environments.dev.dns = { zone: 'existing' })));
      expect(facts.filter((f) => f.name.startsWith('dns')).map((f) => `${f.ok} ${f.name}`)).toEqual(['true dns zone dev.example.com']);
    });
  });

  describe('deploy role session against the longest apply', () => {
    it('fails a one-hour session for an apply that may wait 2 h 45 min, saying what to raise', async () => {
      const { facts } = await run({ ...healthyWorld(), roles: { 'platform-deploy': 3600 } });
      expect(fact(facts, 'deploy role session')).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/^platform-deploy allows 3600 s \(1 h\); .*: raise pipelineSessionSeconds in bootstrap\/bootstrap\.json to at least 9900 and apply the bootstrap of account 111111111111$/),
      });
    });

    it('needs no more than the apply job may run, even when the timeouts add up to more', async () => {
      const aurora: SynthesizedStack = {
        name: 'items-dev-global',
        json: {
          resource: {
            aws_rds_global_cluster: { g: {} },
            aws_rds_cluster: { p: { global_cluster_identifier: '${aws_rds_global_cluster.g.id}' }, s: { depends_on: ['aws_rds_cluster_instance.p'] } },
            aws_rds_cluster_instance: { p: { cluster_identifier: '${aws_rds_cluster.p.id}' }, s: { cluster_identifier: '${aws_rds_cluster.s.id}' } },
          },
        },
      };
      const { facts } = await run(healthyWorld(), devPlatform(), { stacks: [aurora] });
      expect(fact(facts, 'deploy role session')).toMatchObject({ ok: true, detail: expect.stringContaining('may wait 7 h 30 min by') });
      expect(fact(facts, 'deploy role session').detail).toContain('longer than the 6 h an apply job may run, which ends it first');
    });

    it('says to synthesize first when there are no stacks of the environment', async () => {
      await expect(run(healthyWorld(), devPlatform(), { stacks: [] })).rejects.toThrow('preflight: no synthesized stack of environment "dev": run npm run synth first');
    });
  });

  describe('state bucket', () => {
    it('fails on a bucket that does not exist, and on access denied, saying what to apply', async () => {
      const missing = await run({ ...healthyWorld(), state: { bucket: 'another-bucket', keys: [] } });
      expect(fact(missing.facts, 'state bucket')).toEqual({
        name: 'state bucket',
        ok: false,
        detail: 's3://acme-platform-terraform-state/platform/dev/ (eu-west-1): the bucket does not exist: apply the bootstrap of the state account first',
      });
      const denied = await run({ ...healthyWorld(), state: { error: 'AccessDenied' } });
      expect(fact(denied.facts, 'state bucket')).toMatchObject({ ok: false, detail: expect.stringContaining('access denied: the caller may not list') });
    });

    it('lists through the environment\'s state role when the config names one, and calls an empty folder a first deploy', async () => {
      const { facts, log } = await run({ ...healthyWorld(), state: { bucket: 'acme-platform-terraform-state', keys: [] } }, devPlatform((c) => (c.stateBackend.roleName = 'platform-state')));
      expect(log.assumed).toContain('arn:aws:iam::000000000000:role/platform-state-dev');
      expect(log.calls).toContain('s3 ListObjectsV2 000000000000');
      expect(fact(facts, 'state bucket')).toMatchObject({ ok: true, detail: expect.stringContaining('lists no state yet (a first deploy)') });
    });
  });

  describe('credentials', () => {
    it('stops at credentials of another account, with one FAIL', async () => {
      const { facts } = await run({ ...healthyWorld(), caller: { account: '222222222222', arn: 'arn:aws:sts::222222222222:assumed-role/x/y' } });
      expect(facts).toEqual([
        { name: 'credentials', ok: false, detail: 'arn:aws:sts::222222222222:assumed-role/x/y is in account 222222222222, not 111111111111 of environment "dev": use that account\'s credentials' },
      ]);
    });

    it('throws one line naming what is missing when there are no credentials', async () => {
      await expect(run({ ...healthyWorld(), caller: 'missing' })).rejects.toThrow(/^preflight: no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    });
  });
});
