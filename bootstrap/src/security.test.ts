// The escalation paths of the security review (issue 12), each checked on the
// synthesized policy JSON of the bootstrap stacks with a real IAM policy evaluator
// (@cloud-copilot/iam-simulate, through @platform/permission-coverage).
import { Testing } from 'cdktf';
import { parsePlatform } from '@platform/config';
import { MANAGED_POLICIES, evaluateRequest, parsePolicy, stackModel } from '@platform/permission-coverage';
import { privilegeEscalations } from '@platform/policy-check';
import { BootstrapStack } from './bootstrap-stack';
import { planBootstrap } from './bootstrap-plan';
import { bootstrapSettingsSchema } from './settings';
import { bootstrapPlatformFixture } from './testing/platform-fixture';

type Json = Record<string, any>;
const settings = bootstrapSettingsSchema.parse({ githubRepository: 'acme/platform' });
const DEV = '111111111111';
const PROD = '333333333333';
const BOUNDARY = (account: string) => `arn:aws:iam::${account}:policy/platform-workload-boundary`;
const POWER_USER = JSON.stringify(MANAGED_POLICIES['arn:aws:iam::aws:policy/PowerUserAccess'].document);

type Decision = 'allowed' | 'explicit-deny' | 'implicit-deny';
/** AWS's decision for a request of `roleArn`'s session under its policies (JSON strings). */
async function simulate(
  roleArn: string,
  policies: readonly string[],
  req: { action: string; resource: string; context?: Record<string, string | string[]>; resourcePolicy?: string },
): Promise<Decision> {
  const result = await evaluateRequest({
    roleArn,
    identityPolicies: policies.map((p) => JSON.parse(p)),
    ...(req.resourcePolicy ? { resourcePolicy: JSON.parse(req.resourcePolicy) } : {}),
    action: req.action,
    resource: req.resource,
    context: req.context ?? {},
  });
  const decisions: Record<string, Decision> = { Allowed: 'allowed', ExplicitlyDenied: 'explicit-deny', ImplicitlyDenied: 'implicit-deny' };
  if (!decisions[result]) throw new Error(result);
  return decisions[result];
}

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
// Policies as IAM gets them: Terraform resolves references (the OIDC provider's ARN) first.
const inline = (json: Json, name: string) =>
  values(json, 'aws_iam_role_policy')
    .filter((p) => p.name === name)
    .map((p) => JSON.stringify(parsePolicy(stackModel({ name: 'bootstrap', json }), p.policy)));
const managed = (json: Json) => values(json, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn as string);
const deployPolicies = (json: Json) => [POWER_USER, ...inline(json, 'terraform-deploy')];
const planPolicies = (json: Json) => inline(json, 'terraform-plan');
const dev = all.get('bootstrap-dev')!;
const DEPLOY = `arn:aws:iam::${DEV}:role/platform-deploy`;
const PLAN = `arn:aws:iam::${DEV}:role/platform-plan`;
const deploy = (req: Parameters<typeof simulate>[2]) => simulate(DEPLOY, deployPolicies(dev), req);

describe('deploy role: no way past the boundary', () => {
  it('cannot re-trust a role outside the workload path, such as the account admin role', async () => {
    expect(await deploy({ action: 'iam:UpdateAssumeRolePolicy', resource: `arn:aws:iam::${DEV}:role/OrganizationAccountAccessRole` })).not.toBe('allowed');
  });

  it('cannot assume any role but its own and the cross-account roles it is given', async () => {
    expect(await deploy({ action: 'sts:AssumeRole', resource: `arn:aws:iam::${DEV}:role/OrganizationAccountAccessRole` })).toBe('explicit-deny');
    expect(await deploy({ action: 'sts:AssumeRole', resource: DEPLOY })).toBe('allowed');
  });

  it('cannot add a new version to a managed policy outside the workload path', async () => {
    expect(await deploy({ action: 'iam:CreatePolicyVersion', resource: `arn:aws:iam::${DEV}:policy/AdminPolicy` })).not.toBe('allowed');
  });

  it('creates a workload role only under the workload path and with the boundary', async () => {
    const create = (resource: string, boundary?: string) => deploy({ action: 'iam:CreateRole', resource, context: boundary ? { 'iam:PermissionsBoundary': boundary } : {} });

    expect(await create(`arn:aws:iam::${DEV}:role/platform-workload/items-dev-eu-west-1-api`, BOUNDARY(DEV))).toBe('allowed');
    expect(await create(`arn:aws:iam::${DEV}:role/platform-workload/items-dev-eu-west-1-api`)).not.toBe('allowed');
    expect(await create(`arn:aws:iam::${DEV}:role/items-dev-eu-west-1-api`, BOUNDARY(DEV))).not.toBe('allowed');
  });

  it('passes only workload roles, and only to the services that run them', async () => {
    const pass = (resource: string, service: string) => deploy({ action: 'iam:PassRole', resource, context: { 'iam:PassedToService': service } });

    expect(await pass(`arn:aws:iam::${DEV}:role/platform-workload/items-dev-eu-west-1-api`, 'lambda.amazonaws.com')).toBe('allowed');
    expect(await pass(`arn:aws:iam::${DEV}:role/platform-workload/items-dev-eu-west-1-api`, 'ec2.amazonaws.com')).not.toBe('allowed');
    expect(await pass(`arn:aws:iam::${DEV}:role/OrganizationAccountAccessRole`, 'lambda.amazonaws.com')).not.toBe('allowed');
  });
});

// CKV_AWS_286 (privilege escalation, checkov's semantics in the rule pack) counts an
// escalation action only when it is granted on Resource "*" without a condition. The
// deploy policy grants iam:PutRolePolicy, UpdateAssumeRolePolicy, CreatePolicyVersion and
// the like only on the workload path, the role writes only with the boundary as a
// condition, and denies the rest: so the rule passes, and these prove, with the
// synthesized policy and PowerUserAccess, that each escalation path is closed.
describe('deploy role: the escalation paths CKV_AWS_286 names are closed', () => {
  const WORKLOAD_ROLE = `arn:aws:iam::${DEV}:role/platform-workload/items-dev-eu-west-1-api`;
  const OUTSIDE = `arn:aws:iam::${DEV}:role/OrganizationAccountAccessRole`;

  it('passes CKV_AWS_286, and would not if its IAM writes were granted on "*" without the boundary condition and the denies', () => {
    const deployPolicy = inline(dev, 'terraform-deploy')[0];
    const allowsOnAnything = JSON.stringify({
      Statement: (JSON.parse(deployPolicy).Statement as Json[]).filter((st) => st.Effect === 'Allow').map((st) => ({ Effect: 'Allow', Action: st.Action, Resource: '*' })),
    });

    expect(privilegeEscalations(deployPolicy)).toEqual([]);
    expect(privilegeEscalations(allowsOnAnything)).toEqual(
      expect.arrayContaining([
        'CreateNewPolicyVersion (iam:CreatePolicyVersion)',
        'AttachRolePolicy (iam:AttachRolePolicy + sts:AssumeRole)',
        'PutRolePolicy (iam:PutRolePolicy + sts:AssumeRole)',
        'UpdateRolePolicyToAssumeIt (iam:UpdateAssumeRolePolicy + sts:AssumeRole)',
      ]),
    );
  });

  it('puts or attaches a policy only on a workload role that carries the boundary, never on a role outside the workload path', async () => {
    const onRole = (action: string, resource: string, boundary?: string) =>
      deploy({ action, resource, context: boundary ? { 'iam:PermissionsBoundary': boundary } : {} });

    for (const action of ['iam:PutRolePolicy', 'iam:AttachRolePolicy']) {
      expect(await onRole(action, WORKLOAD_ROLE, BOUNDARY(DEV))).toBe('allowed');
      expect(await onRole(action, WORKLOAD_ROLE)).not.toBe('allowed');
      expect(await onRole(action, OUTSIDE, BOUNDARY(DEV))).toBe('explicit-deny');
      expect(await onRole(action, DEPLOY, BOUNDARY(DEV))).toBe('explicit-deny');
    }
  });

  it('cannot change, replace or delete the boundary policy', async () => {
    for (const action of ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion', 'iam:DeletePolicy']) {
      expect(await deploy({ action, resource: BOUNDARY(DEV) })).toBe('explicit-deny');
    }
  });

  it('cannot take the boundary off a role or swap it for another policy', async () => {
    expect(await deploy({ action: 'iam:DeleteRolePermissionsBoundary', resource: WORKLOAD_ROLE })).toBe('explicit-deny');
    expect(
      await deploy({ action: 'iam:PutRolePermissionsBoundary', resource: WORKLOAD_ROLE, context: { 'iam:PermissionsBoundary': `arn:aws:iam::${DEV}:policy/platform-workload/wide` } }),
    ).not.toBe('allowed');
  });

  it('cannot re-trust, or assume, even a workload role it may re-trust', async () => {
    expect(await deploy({ action: 'iam:UpdateAssumeRolePolicy', resource: OUTSIDE })).toBe('explicit-deny');
    expect(await deploy({ action: 'sts:AssumeRole', resource: WORKLOAD_ROLE })).toBe('explicit-deny');
  });

  it('cannot create a managed policy or a new version of one outside the workload path', async () => {
    expect(await deploy({ action: 'iam:CreatePolicy', resource: `arn:aws:iam::${DEV}:policy/Admin` })).toBe('explicit-deny');
    expect(await deploy({ action: 'iam:SetDefaultPolicyVersion', resource: `arn:aws:iam::${DEV}:policy/Admin` })).toBe('explicit-deny');
  });
});

describe('state: one environment cannot reach another', () => {
  it("the dev deploy role cannot write prod's state", async () => {
    const bucket = 'arn:aws:s3:::acme-platform-terraform-state';

    expect(await deploy({ action: 's3:PutObject', resource: `${bucket}/platform/prod/items-prod-global.tfstate` })).not.toBe('allowed');
    expect(await deploy({ action: 's3:PutObject', resource: `${bucket}/platform/dev/items-dev-global.tfstate` })).toBe('allowed');
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

  it('makes one state role per environment, reaching only its folder, when the config names a state role', async () => {
    const withRole = synthAll((raw) => (raw.stateBackend.roleName = 'terraform-state')).get('bootstrap-state')!;
    const prodRole = (resource: string) => simulate('arn:aws:iam::000000000000:role/terraform-state-prod', inline(withRole, 'terraform-state-prod'), { action: 's3:PutObject', resource });

    expect(await prodRole('arn:aws:s3:::acme-platform-terraform-state/platform/prod/a.tfstate')).toBe('allowed');
    expect(await prodRole('arn:aws:s3:::acme-platform-terraform-state/platform/dev/a.tfstate')).not.toBe('allowed');
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

  it('reads control planes but never items, other secrets or objects outside its state', async () => {
    const can = (action: string, resource: string, context?: Record<string, string>) => simulate(PLAN, planPolicies(dev), { action, resource, context });

    expect(await can('dynamodb:DescribeTable', `arn:aws:dynamodb:eu-west-1:${DEV}:table/items-dev`)).toBe('allowed');
    expect(await can('dynamodb:Scan', `arn:aws:dynamodb:eu-west-1:${DEV}:table/items-dev`)).toBe('explicit-deny');
    expect(await can('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:eu-west-1:${DEV}:secret:orders-dev-db-AbCdEf`)).toBe('explicit-deny');
    expect(await can('kms:Decrypt', `arn:aws:kms:eu-west-1:${DEV}:key/1234`)).toBe('explicit-deny');
    expect(await can('s3:GetObject', 'arn:aws:s3:::acme-items-dev-eu-west-1/customer.json')).toBe('explicit-deny');
    expect(await can('s3:GetObject', 'arn:aws:s3:::acme-platform-terraform-state/platform/dev/items-dev-global.tfstate')).toBe('allowed');
    expect(await can('s3:GetObject', 'arn:aws:s3:::acme-platform-terraform-state/platform/prod/items-prod-global.tfstate')).not.toBe('allowed');
  });

  // Issue 22 #7: every plan after the first deploy refreshes the platform's buckets
  // (HeadBucket is authorized as s3:ListBucket), the origin secret's data source and
  // the Cognito pools.
  it("refreshes the platform's own buckets, never another bucket", async () => {
    const list = (bucket: string) => simulate(PLAN, planPolicies(dev), { action: 's3:ListBucket', resource: `arn:aws:s3:::${bucket}` });

    expect(await list('acme-items-dev-eu-west-1')).toBe('allowed');
    expect(await list('acme-items-dev-edge-logs')).toBe('allowed');
    expect(await list('someone-elses-bucket')).not.toBe('allowed');
  });

  it("reads exactly the services' origin secrets, and decrypts only those", async () => {
    const origin = `arn:aws:secretsmanager:eu-west-1:${DEV}:secret:platform/items-dev/origin-secret-AbCdEf`;
    const read = (resource: string) => simulate(PLAN, planPolicies(dev), { action: 'secretsmanager:GetSecretValue', resource });
    const decrypt = (secretArn: string) =>
      simulate(PLAN, planPolicies(dev), { action: 'kms:Decrypt', resource: `arn:aws:kms:eu-west-1:${DEV}:key/1234`, context: { 'kms:EncryptionContext:SecretARN': secretArn } });

    expect(await read(origin)).toBe('allowed');
    expect(await read(`arn:aws:secretsmanager:eu-west-1:${DEV}:secret:platform/items-dev/database-AbCdEf`)).toBe('explicit-deny');
    expect(await decrypt(`arn:aws:secretsmanager:eu-west-1:${DEV}:secret:orders-dev-db-AbCdEf`)).toBe('explicit-deny');
    // iam-simulate drops context keys whose name holds a variable (kms:EncryptionContext:<key>),
    // so the exception for the origin secrets is checked on the statement itself.
    const deny = planPolicies(dev)
      .flatMap((p) => JSON.parse(p).Statement as Json[])
      .find((st) => st.Sid === 'NoDecryptButThoseSecrets')!;
    expect(deny.Condition.StringNotLike['kms:EncryptionContext:SecretARN']).toEqual(
      [`arn:aws:secretsmanager:*:${DEV}:secret:platform/*-dev/origin-secret-??????`],
    );
  });

  it('covers a service or region added to the environment later without a new bootstrap apply, and no other environment', async () => {
    const can = (action: string, resource: string) => simulate(PLAN, planPolicies(dev), { action, resource });
    expect(await can('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:eu-west-1:${DEV}:secret:platform/payments-dev/origin-secret-AbCdEf`)).toBe('allowed');
    expect(await can('s3:ListBucket', 'arn:aws:s3:::acme-payments-dev-sa-east-1')).toBe('allowed');
    expect(await can('s3:ListBucket', 'arn:aws:s3:::acme-payments-dev-sa-east-1-logs')).toBe('allowed');
    expect(await can('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:eu-west-1:${DEV}:secret:platform/items-prod/origin-secret-AbCdEf`)).toBe('explicit-deny');
    expect(await can('s3:ListBucket', 'arn:aws:s3:::acme-items-prod-eu-west-1')).toBe('implicit-deny');
  });

  it('describes the Cognito user pools and their clients', async () => {
    const pool = `arn:aws:cognito-idp:eu-west-1:${DEV}:userpool/eu-west-1_abc`;
    for (const action of ['cognito-idp:DescribeUserPool', 'cognito-idp:DescribeUserPoolClient', 'cognito-idp:GetUserPoolMfaConfig']) {
      expect(await simulate(PLAN, planPolicies(dev), { action, resource: pool })).toBe('allowed');
    }
  });
});

describe('DNS account role', () => {
  const dns = [...all.entries()].find(([name]) => name.startsWith('bootstrap-dns'))![1];
  const DNS_ACCOUNT = '444444444444';
  const MANAGED_POLICY_ROUTE53_READ = JSON.stringify(MANAGED_POLICIES['arn:aws:iam::aws:policy/AmazonRoute53ReadOnlyAccess'].document);

  it('has no AmazonRoute53FullAccess', () => {
    expect(managed(dns)).not.toContain('arn:aws:iam::aws:policy/AmazonRoute53FullAccess');
  });

  const DNS_ROLE = `arn:aws:iam::${DNS_ACCOUNT}:role/route53-records`;

  it("changes records only under the environment's domain", async () => {
    const policies = inline(dns, 'route53-records');
    const change = (names: string[]) =>
      simulate(DNS_ROLE, policies, {
        action: 'route53:ChangeResourceRecordSets',
        resource: 'arn:aws:route53:::hostedzone/Z123',
        context: { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': names },
      });

    expect(await change(['regional.items.example.com'])).toBe('allowed');
    expect(await change(['regional.items.example.com', 'www.other.org'])).not.toBe('allowed');
    expect(await simulate(DNS_ROLE, policies, { action: 'route53:DeleteHostedZone', resource: 'arn:aws:route53:::hostedzone/Z123' })).not.toBe('allowed');
  });

  // Issue 22 #3: the regional stacks create each health check's alarm in us-east-1 of
  // the DNS account, through the dns provider; its plan reads it with the DNS plan role.
  it("manages the services' health-check alarms in us-east-1, and no other alarm", async () => {
    const alarm = (name: string, region = 'us-east-1') => `arn:aws:cloudwatch:${region}:${DNS_ACCOUNT}:alarm:${name}`;
    const deployer = (action: string, resource: string) => simulate(DNS_ROLE, inline(dns, 'route53-records'), { action, resource });

    for (const action of ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms', 'cloudwatch:TagResource', 'cloudwatch:ListTagsForResource']) {
      expect(await deployer(action, alarm('items-prod-health-check-eu-west-1'))).toBe('allowed');
    }
    expect(await deployer('cloudwatch:PutMetricAlarm', alarm('billing-alarm'))).not.toBe('allowed');
    expect(await deployer('cloudwatch:PutMetricAlarm', alarm('items-prod-health-check-eu-west-1', 'eu-west-1'))).not.toBe('allowed');
  });

  it("lets the environment's plan role read those alarms, not change them", async () => {
    const plan = [MANAGED_POLICY_ROUTE53_READ, ...inline(dns, 'platform-plan')];
    const planRole = `arn:aws:iam::${DNS_ACCOUNT}:role/platform-plan`;
    const alarm = `arn:aws:cloudwatch:us-east-1:${DNS_ACCOUNT}:alarm:items-prod-health-check-eu-west-1`;

    expect(await simulate(planRole, plan, { action: 'cloudwatch:DescribeAlarms', resource: alarm })).toBe('allowed');
    expect(await simulate(planRole, plan, { action: 'cloudwatch:PutMetricAlarm', resource: alarm })).not.toBe('allowed');
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
