// Adding a region changes what README ("Add a region") and docs/pipelines.md ("Adding a
// region") say it changes, and nothing more: synthesized before and after, stack by stack.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { platformFixture, withRegion } from '@platform/config/testing';
import { synthConfig } from './test-workspace';

jest.setTimeout(120_000);

const network = (n: number) => ({ vpc: { id: `vpc-0123456789abcdef${n}` }, privateSubnets: { ids: [`subnet-0aaaaaaaaaaaaaa${n}1`, `subnet-0aaaaaaaaaaaaaa${n}2`] } });

/** prod in two regions, with a service of each kind the docs name. */
const before = platformFixture({
  environments: {
    prod: { accountId: '333333333333', domain: 'example.com', regions: ['eu-west-1', 'us-east-1'], network: { 'eu-west-1': network(1), 'us-east-1': network(2) } },
  },
  services: {
    // DynamoDB, latency routing
    items: { app: 'items-api' },
    // DynamoDB, weighted routing with no weights (an even split)
    split: { app: 'items-api', routing: { policy: 'weighted' } },
    // Aurora with write forwarding, no table
    notes: { app: 'orders-api', table: { enabled: false }, aurora: { engine: 'aurora-postgresql', engineVersion: '16.4' } },
    // Aurora through the writer endpoint, and a cache
    orders: { app: 'orders-api', aurora: { engine: 'aurora-postgresql', engineVersion: '16.4', writeRouting: 'writer-endpoint' }, cache: { engine: 'valkey' } },
  },
});
/** What a user writes: the region appended, and its network (the data layers need one). */
const after = withRegion(before, 'prod', 'ap-southeast-1');
after.environments.prod!.network!['ap-southeast-1'] = network(3);

/** Every stack's Terraform JSON by name. */
function stacksOf(config: unknown): Map<string, string> {
  const { outdir } = synthConfig(config);
  const dir = path.join(outdir, 'stacks');
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(path.join(dir, name, 'cdk.tf.json'), 'utf8')]));
}

describe('adding a region to an environment', () => {
  let old: Map<string, string>;
  let now: Map<string, string>;
  let changed: string[];
  beforeAll(() => {
    old = stacksOf(before);
    now = stacksOf(after);
    changed = [...now.keys()].filter((name) => old.get(name) !== now.get(name)).sort();
  });

  it('adds a regional stack per service, changes every global stack, and leaves the other regional stacks alone except those of a service with a cache or with Aurora through the writer endpoint', () => {
    const services = ['items', 'split', 'notes', 'orders'];
    const expected = [
      ...services.map((s) => `${s}-prod-global`),
      ...services.map((s) => `${s}-prod-ap-southeast-1`),
      // Their function may connect to every region's replication group (cache) or cluster
      // (the writer moves on a switchover), so each region's IAM policy lists the new one.
      ...['eu-west-1', 'us-east-1'].map((r) => `orders-prod-${r}`),
    ].sort();

    expect(changed).toEqual(expected);
  });

  // The IAM policy lists the new region's cluster; the first-plan guard of the global
  // outputs (GlobalStackOutputs) holds the default of each output read, the new region's
  // cluster endpoint among them: an in-place update of a terraform_data, no AWS call.
  it('changes the regional stacks of the cache/writer-endpoint service only in their IAM policy and the defaults of their global outputs', () => {
    for (const region of ['eu-west-1', 'us-east-1']) {
      const name = `orders-prod-${region}`;
      const a = JSON.parse(old.get(name)!);
      const b = JSON.parse(now.get(name)!);
      const differing = Object.keys(b.resource).flatMap((type) => Object.keys(b.resource[type]).filter((id) => JSON.stringify(a.resource[type]?.[id]) !== JSON.stringify(b.resource[type][id])).map(() => type));
      expect([name, [...new Set(differing)].sort()]).toEqual([name, ['aws_iam_role_policy', 'terraform_data']]);
    }
  });
});
