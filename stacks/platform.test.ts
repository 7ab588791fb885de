import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';
import { EDGE_REGION, loadPlatform } from '@platform/config';
import { synthPlatform } from './main';
import { fakeWorkspace } from './test-workspace';

const CONFIG = path.join(__dirname, '..', 'config', 'platform.json');
const platform = loadPlatform(CONFIG);
const workspace = fakeWorkspace(platform.services.map((s) => s.app));
const outdir = path.join(workspace, 'cdktf.out');
synthPlatform({ configPath: CONFIG, outdir, workspaceRoot: workspace });

const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
const stackJson = (name: string) =>
  JSON.parse(readFileSync(path.join(outdir, manifest.stacks[name].synthesizedStackPath), 'utf8'));

describe('the example platform, synthesized', () => {
  // Write-only arguments exist from Terraform 1.11
  // (https://developer.hashicorp.com/terraform/language/manage-sensitive-data/write-only):
  // an older Terraform that a stack admits would refuse it at plan.
  it('requires Terraform 1.11 or later in every stack that sets a write-only argument', () => {
    const writeOnly = Object.keys(manifest.stacks).filter((name) =>
      Object.values<any>(stackJson(name).resource ?? {}).some((byId) => Object.values<any>(byId).some((r) => Object.keys(r).some((k) => k.endsWith('_wo')))),
    );
    expect(writeOnly.length).toBeGreaterThan(0);
    for (const name of writeOnly) {
      const required = String(stackJson(name).terraform.required_version);
      expect([name, semver.minVersion(required)!.compare('1.11.0') >= 0]).toEqual([name, true]);
    }
  });

  it('has exactly the stacks the config plans in cdktf.out/manifest.json', () => {
    expect(Object.keys(manifest.stacks).sort()).toEqual(platform.stacks.map((s) => s.name).sort());
  });

  it('makes every regional stack depend on its global stack, and global stacks on nothing', () => {
    for (const [name, stack] of Object.entries<any>(manifest.stacks)) {
      if (name.endsWith('-global')) {
        expect(stack.dependencies).toEqual([]);
      } else {
        const globalName = name.replace(/-[a-z]+-[a-z]+-\d+$/, '-global');
        expect(stack.dependencies).toEqual([globalName]);
      }
    }
  });

  it('writes standard cdktf output: one cdk.tf.json per stack', () => {
    for (const name of Object.keys(manifest.stacks)) {
      expect(manifest.stacks[name].synthesizedStackPath).toBe(`stacks/${name}/cdk.tf.json`);
    }
  });

  it('puts every AWS resource of every stack on an aliased provider of its own stack', () => {
    for (const name of Object.keys(manifest.stacks)) {
      const tf = stackJson(name);
      const aliases = new Set(tf.provider.aws.map((p: any) => `aws.${p.alias}`));
      // terraform_data belongs to Terraform's built-in provider.
      for (const [type, byId] of Object.entries<any>(tf.resource).filter(([t]) => !t.startsWith('terraform_'))) {
        for (const [id, resource] of Object.entries<any>(byId)) {
          expect({ stack: name, resource: `${type}.${id}`, provider: aliases.has(resource.provider) }).toEqual({
            stack: name,
            resource: `${type}.${id}`,
            provider: true,
          });
        }
      }
    }
  });

  it('bounds every IAM role of every stack by the workload boundary of its account', () => {
    let roles = 0;
    for (const name of Object.keys(manifest.stacks)) {
      const tf = stackJson(name);
      const account = tf.provider.aws[0].allowed_account_ids[0];
      for (const role of Object.values<any>(tf.resource.aws_iam_role ?? {})) {
        expect(role.permissions_boundary).toBe(`arn:aws:iam::${account}:policy/platform-workload-boundary`);
        roles++;
      }
    }
    expect(roles).toBeGreaterThan(0);
  });

  it('gives each global stack a provider per region of its environment (and the edge region) in its account, and one for a DNS account', () => {
    for (const stack of platform.stacks.filter((s) => s.layer === 'global')) {
      const env = platform.config.environments[stack.environment];
      const tf = stackJson(stack.name);
      const accounts = Object.fromEntries(tf.provider.aws.map((p: any) => [p.alias, p.allowed_account_ids[0]]));
      expect(accounts).toEqual({
        ...Object.fromEntries([...env.regions, EDGE_REGION].map((r) => [r, env.accountId])),
        ...(env.dns.accountId && env.dns.accountId !== env.accountId ? { dns: env.dns.accountId } : {}),
      });
    }
    // The example keeps prod's hosted zone in a DNS account of its own.
    expect(stackJson('items-prod-global').provider.aws.find((p: any) => p.alias === 'dns').allowed_account_ids).toEqual(['444444444444']);
  });

  it('has the regional stack read the global stack’s state with defaults for a first plan', () => {
    const tf = stackJson('items-prod-us-east-1');
    const [state] = Object.values<any>(tf.data.terraform_remote_state);
    expect(state.config.key).toBe('platform/prod/items-prod-global.tfstate');
    expect(state.defaults).toEqual({
      table_name: 'items-prod',
      bucket_name_us_east_1: 'acme-items-prod-us-east-1',
      zone_id: 'NOT-YET-APPLIED',
      origin_secret_accepted: 'NOT-YET-APPLIED',
    });
  });

  it('has each global stack output everything its regional stacks read', () => {
    for (const stack of platform.stacks.filter((s) => s.layer === 'regional')) {
      const outputs = Object.keys(stackJson(stack.globalStack!).output);
      const [state] = Object.values<any>(stackJson(stack.name).data.terraform_remote_state);
      for (const name of Object.keys(state.defaults)) expect({ stack: stack.name, output: name, found: outputs.includes(name) }).toEqual({ stack: stack.name, output: name, found: true });
    }
  });

  it('deploys each service’s own app bundle in its regional stacks', () => {
    const items = Object.values<any>(stackJson('items-dev-eu-west-1').resource.aws_lambda_function)[0];
    const orders = Object.values<any>(stackJson('orders-dev-eu-west-1').resource.aws_lambda_function)[0];
    expect(items.source_code_hash).not.toEqual(orders.source_code_hash);
    const copied = readFileSync(path.join(outdir, 'stacks', 'orders-dev-eu-west-1', orders.filename), 'utf8');
    expect(copied).toBe('stand-in bundle of orders-api');
  });
});
