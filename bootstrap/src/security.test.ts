// The escalation paths of the security review (issue 12), each checked on the
// synthesized policy JSON of the bootstrap stacks with a small IAM evaluator.
import { Testing } from 'cdktf';
import { parsePlatform } from '@platform/config';
import { BootstrapStack } from './bootstrap-stack';
import { planBootstrap } from './bootstrap-plan';
import { bootstrapSettingsSchema } from './settings';
import { simulate } from './testing/iam-simulator';
import { bootstrapPlatformFixture } from './testing/platform-fixture';

type Json = Record<string, any>;
const settings = bootstrapSettingsSchema.parse({ githubRepository: 'acme/platform' });
const DEV = '111111111111';
const PROD = '333333333333';
const BOUNDARY = (account: string) => `arn:aws:iam::${account}:policy/platform-workload-boundary`;
// What PowerUserAccess grants (AWS managed policy, abridged): everything but IAM,
// Organizations and Account, plus service-linked roles.
const POWER_USER = JSON.stringify({
  Statement: [
    { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
    { Effect: 'Allow', Action: ['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles'], Resource: '*' },
  ],
});

function synthAll(mutate: (raw: ReturnType<typeof bootstrapPlatformFixture>) => void = () => undefined): Map<string, Json> {
  const raw = bootstrapPlatformFixture();
  mutate(raw);
  const accounts = planBootstrap(parsePlatform(raw), settings);
  const app = Testing.app();
  const out = new Map<string, Json>();
  for (const account of accounts) {
    const stack = new BootstrapStack(app, {
      account,
      settings,
      state: { bucketName: raw.stateBackend.bucket, keyPrefix: raw.stateBackend.keyPrefix ?? 'platform' },
      backend: { type: 'local', path: 'x.tfstate' },
    });
    out.set(account.stackName, JSON.parse(Testing.synth(stack)) as Json);
  }
  return out;
}

const all = synthAll();
const values = (json: Json, type: string): Json[] => Object.values((json.resource?.[type] ?? {}) as Json);
const role = (json: Json, name: string) => values(json, 'aws_iam_role').find((r) => r.name === name)!;
const inline = (json: Json, name: string) => values(json, 'aws_iam_role_policy').filter((p) => p.name === name).map((p) => p.policy as string);
const managed = (json: Json) => values(json, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn as string);
const deployPolicies = (json: Json) => [POWER_USER, ...inline(json, 'terraform-deploy')];
const planPolicies = (json: Json) => inline(json, 'terraform-plan');
const dev = all.get('bootstrap-dev')!;

describe('deploy role: no way past the boundary', () => {
  it('cannot re-trust a role outside the workload path, such as the account admin role', () => {
    expect(
      simulate(deployPolicies(dev), { action: 'iam:UpdateAssumeRolePolicy', resource: `arn:aws:iam::${DEV}:role/OrganizationAccountAccessRole` }),
    ).not.toBe('allowed');
  });

  it('cannot assume any role but its own and the cross-account roles it is given', () => {
    expect(simulate(deployPolicies(dev), { action: 'sts:AssumeRole', resource: `arn:aws:iam::${DEV}:role/OrganizationAccountAccessRole` })).toBe(
      'explicit-deny',
    );
    expect(simulate(deployPolicies(dev), { action: 'sts:AssumeRole', resource: `arn:aws:iam::${DEV}:role/platform-deploy` })).toBe('allowed');
  });

  it('cannot add a new version to a managed policy outside the workload path', () => {
    expect(simulate(deployPolicies(dev), { action: 'iam:CreatePolicyVersion', resource: `arn:aws:iam::${DEV}:policy/AdminPolicy` })).not.toBe(
      'allowed',
    );
  });

  it('creates a workload role only under the workload path and with the boundary', () => {
    const create = (resource: string, boundary?: string) =>
      simulate(deployPolicies(dev), { action: 'iam:CreateRole', resource, context: boundary ? { 'iam:PermissionsBoundary': boundary } : {} });

    expect(create(`arn:aws:iam::${DEV}:role/platform-workload/items-dev-eu-west-1-api`, BOUNDARY(DEV))).toBe('allowed');
    expect(create(`arn:aws:iam::${DEV}:role/platform-workload/items-dev-eu-west-1-api`)).not.toBe('allowed');
    expect(create(`arn:aws:iam::${DEV}:role/items-dev-eu-west-1-api`, BOUNDARY(DEV))).not.toBe('allowed');
  });

  it('passes only workload roles, and only to the services that run them', () => {
    const pass = (resource: string, service: string) =>
      simulate(deployPolicies(dev), { action: 'iam:PassRole', resource, context: { 'iam:PassedToService': service } });

    expect(pass(`arn:aws:iam::${DEV}:role/platform-workload/items-dev-eu-west-1-api`, 'lambda.amazonaws.com')).toBe('allowed');
    expect(pass(`arn:aws:iam::${DEV}:role/platform-workload/items-dev-eu-west-1-api`, 'ec2.amazonaws.com')).not.toBe('allowed');
    expect(pass(`arn:aws:iam::${DEV}:role/OrganizationAccountAccessRole`, 'lambda.amazonaws.com')).not.toBe('allowed');
  });
});

describe('state: one environment cannot reach another', () => {
  it("the dev deploy role cannot write prod's state", () => {
    const bucket = 'arn:aws:s3:::acme-platform-terraform-state';

    expect(simulate(deployPolicies(dev), { action: 's3:PutObject', resource: `${bucket}/platform/prod/items-prod-global.tfstate` })).not.toBe('allowed');
    expect(simulate(deployPolicies(dev), { action: 's3:PutObject', resource: `${bucket}/platform/dev/items-dev-global.tfstate` })).toBe('allowed');
  });

  it("the bucket policy grants each environment's roles only that environment's folder", () => {
    const state = all.get('bootstrap-state')!;
    const policy = JSON.parse(values(state, 'aws_s3_bucket_policy').find((p) => p.bucket.includes('aws_s3_bucket.state_bucket'))!.policy);
    const writers = policy.Statement.filter((s: Json) => s.Sid?.endsWith('WritersReadAndWriteState'));

    expect(writers.map((s: Json) => [s.Condition.ArnEquals['aws:PrincipalArn'], s.Resource])).toEqual([
      [[`arn:aws:iam::${DEV}:role/platform-deploy`], 'arn:aws:s3:::acme-platform-terraform-state/platform/dev/*'],
      [['arn:aws:iam::222222222222:role/platform-deploy'], 'arn:aws:s3:::acme-platform-terraform-state/platform/staging/*'],
      [[`arn:aws:iam::${PROD}:role/platform-deploy`], 'arn:aws:s3:::acme-platform-terraform-state/platform/prod/*'],
    ]);
  });

  it('makes one state role per environment, reaching only its folder, when the config names a state role', () => {
    const withRole = synthAll((raw) => (raw.stateBackend.roleName = 'terraform-state')).get('bootstrap-state')!;
    const prodRole = inline(withRole, 'terraform-state-prod');

    expect(simulate(prodRole, { action: 's3:PutObject', resource: 'arn:aws:s3:::acme-platform-terraform-state/platform/prod/a.tfstate' })).toBe('allowed');
    expect(simulate(prodRole, { action: 's3:PutObject', resource: 'arn:aws:s3:::acme-platform-terraform-state/platform/dev/a.tfstate' })).not.toBe(
      'allowed',
    );
  });
});

describe('plan role: pull requests and main only, control planes only', () => {
  const trust = JSON.parse(role(dev, 'platform-plan').assume_role_policy).Statement[0];

  it('trusts pull requests and the deploy branch of the repository, not any branch', () => {
    expect(trust.Condition.StringEquals['token.actions.githubusercontent.com:sub']).toEqual([
      'repo:acme/platform:pull_request',
      'repo:acme/platform:ref:refs/heads/main',
    ]);
    expect(JSON.stringify(trust)).not.toContain('repo:acme/platform:*');
  });

  it('pins the workflows by job_workflow_ref when the settings ask for it', () => {
    const pinned = bootstrapSettingsSchema.parse({ githubRepository: 'acme/platform', pinJobWorkflowRef: true });
    const raw = bootstrapPlatformFixture();
    const account = planBootstrap(parsePlatform(raw), pinned).find((a) => a.stackName === 'bootstrap-dev')!;
    const stack = new BootstrapStack(Testing.app(), {
      account,
      settings: pinned,
      state: { bucketName: raw.stateBackend.bucket, keyPrefix: 'platform' },
      backend: { type: 'local', path: 'x.tfstate' },
    });
    const json = JSON.parse(Testing.synth(stack)) as Json;
    const statement = JSON.parse(role(json, 'platform-plan').assume_role_policy).Statement[0];

    expect(statement.Condition.StringLike['token.actions.githubusercontent.com:job_workflow_ref']).toEqual([
      'acme/platform/.github/workflows/pull-request.yml@refs/pull/*',
      'acme/platform/.github/workflows/*.yml@refs/heads/main',
    ]);
  });

  it('has no ReadOnlyAccess', () => {
    expect(managed(dev)).not.toContain('arn:aws:iam::aws:policy/ReadOnlyAccess');
  });

  it('reads control planes but never items, secrets or objects outside its state', () => {
    const can = (action: string, resource = '*') => simulate(planPolicies(dev), { action, resource });

    expect(can('dynamodb:DescribeTable')).toBe('allowed');
    expect(can('dynamodb:Scan')).toBe('explicit-deny');
    expect(can('secretsmanager:GetSecretValue')).toBe('explicit-deny');
    expect(can('s3:GetObject', 'arn:aws:s3:::acme-items-dev-eu-west-1/customer.json')).toBe('explicit-deny');
    expect(can('s3:GetObject', 'arn:aws:s3:::acme-platform-terraform-state/platform/dev/items-dev-global.tfstate')).toBe('allowed');
    expect(can('s3:GetObject', 'arn:aws:s3:::acme-platform-terraform-state/platform/prod/items-prod-global.tfstate')).not.toBe('allowed');
  });
});

describe('DNS account role', () => {
  const dns = [...all.entries()].find(([name]) => name.startsWith('bootstrap-dns'))![1];

  it('has no AmazonRoute53FullAccess', () => {
    expect(managed(dns)).not.toContain('arn:aws:iam::aws:policy/AmazonRoute53FullAccess');
  });

  it("changes records only under the environment's domain", () => {
    const policies = inline(dns, 'route53-records');
    const change = (names: string[]) =>
      simulate(policies, {
        action: 'route53:ChangeResourceRecordSets',
        resource: 'arn:aws:route53:::hostedzone/Z123',
        context: { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': names },
      });

    expect(change(['regional.items.example.com'])).toBe('allowed');
    expect(change(['regional.items.example.com', 'www.other.org'])).not.toBe('allowed');
    expect(simulate(policies, { action: 'route53:DeleteHostedZone', resource: 'arn:aws:route53:::hostedzone/Z123' })).not.toBe('allowed');
  });
});

describe('state bucket', () => {
  it('logs its access into a log bucket of its region', () => {
    const state = all.get('bootstrap-state')!;
    const logging = values(state, 'aws_s3_bucket_logging');

    expect(logging).toHaveLength(1);
    expect(logging[0].target_bucket).toContain('state-access-logs');
  });
});
