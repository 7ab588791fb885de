// Synthesizes the bootstrap program for the test fixture platform (and once for the example config) and checks the JSON.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPlatform } from '@platform/config';
import { bootstrapPlatformFixture } from '@platform/config/testing';
import { PROVIDER_SKEW } from '@platform/constructs';
import { jsonDiffPaths } from '@platform/terraform-verify';
import { synthBootstrap } from './main';

type Json = Record<string, any>;
const ROOT = resolve(__dirname, '..');

/**
 * Synthesizes the test fixture platform (@platform/config/testing) into a temporary workspace
 * root, where the local state folder goes.
 */
function synth(options: Parameters<typeof synthBootstrap>[0] = {}) {
  const root = mkdtempSync(join(tmpdir(), 'bootstrap-'));
  const outdir = join(root, 'cdktf.out.bootstrap');
  writeFileSync(join(root, 'platform.json'), JSON.stringify(bootstrapPlatformFixture()));
  const result = synthBootstrap({
    workspaceRoot: root,
    outdir,
    configPath: join(root, 'platform.json'),
    settingsPath: join(ROOT, 'bootstrap/bootstrap.json'),
    ...options,
  });
  const stack = (name: string) => JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8')) as Json;
  return { ...result, stack };
}
const resources = (stack: Json, type: string) => Object.values(stack.resource?.[type] ?? {}) as Json[];
const one = (stack: Json, type: string) => {
  const list = resources(stack, type);
  expect(list).toHaveLength(1);
  return list[0];
};
const policy = (text: string) => JSON.parse(text).Statement as Json[];
const role = (stack: Json, name: string) => resources(stack, 'aws_iam_role').find((r) => r.name === name)!;
const inlinePolicyOf = (stack: Json, policyName: string) =>
  policy(resources(stack, 'aws_iam_role_policy').find((p) => p.name === policyName)!.policy);

const s = synth();

it('makes a stack for every account of the repository’s own config/platform.json', () => {
  const platform = loadPlatform(join(ROOT, 'config/platform.json'));
  const accounts = new Set([
    platform.config.stateBackend.accountId,
    ...Object.values(platform.config.environments).flatMap((e) => [e.accountId, ...(e.dns.accountId ? [e.dns.accountId] : [])]),
    ...(platform.config.observability.accountId ? [platform.config.observability.accountId] : []),
  ]);

  expect(new Set(synth({ configPath: join(ROOT, 'config/platform.json') }).accounts.map((a) => a.accountId))).toEqual(accounts);
});

it('makes one stack per AWS account of the platform', () => {
  expect(s.accounts.map((a) => [a.stackName, a.accountId])).toEqual([
    ['bootstrap-dev', '111111111111'],
    ['bootstrap-staging', '222222222222'],
    ['bootstrap-prod', '333333333333'],
    ['bootstrap-dns-prod', '444444444444'],
    ['bootstrap-state', '000000000000'],
  ]);
});

it('runs with the account’s own credentials, restricted to that account', () => {
  const [provider] = s.stack('bootstrap-prod').provider.aws;

  expect(provider.allowed_account_ids).toEqual(['333333333333']);
  expect(provider.assume_role).toBeUndefined();
});

it('keeps its state in a local file outside the synth output, since no bucket exists yet', () => {
  const backend = s.stack('bootstrap-state').terraform.backend;

  expect(backend).toEqual({ local: { path: '../../../.bootstrap-state/bootstrap-state.tfstate' } });
});

it('moves its state into the state bucket, with the S3 lockfile, once asked to', () => {
  const backend = synth({ backend: 's3' }).stack('bootstrap-prod').terraform.backend;

  expect(backend.s3).toEqual({
    bucket: 'acme-platform-terraform-state',
    key: 'bootstrap/bootstrap-prod.tfstate',
    region: 'eu-west-1',
    encrypt: true,
    use_lockfile: true,
  });
});

it('requires a Terraform that supports use_lockfile (1.10 or later)', () => {
  expect(s.stack('bootstrap-prod').terraform.required_version).toBe('>= 1.11.0');
});

describe('state bucket', () => {
  const stack = s.stack('bootstrap-state');
  // The state bucket's own resources, not those of its access-log bucket.
  const one = (st: typeof stack, type: string) => {
    const mine = resources(st, type).filter((r) => r.bucket === 'acme-platform-terraform-state' || String(r.bucket).includes('.state_bucket_'));
    expect(mine).toHaveLength(1);
    return mine[0];
  };

  it('is versioned, encrypted, owner-enforced and protected from destroy', () => {
    expect(one(stack, 'aws_s3_bucket')).toMatchObject({ bucket: 'acme-platform-terraform-state', lifecycle: { prevent_destroy: true } });
    expect(one(stack, 'aws_s3_bucket_versioning').versioning_configuration).toEqual({ status: 'Enabled' });
    expect(one(stack, 'aws_s3_bucket_server_side_encryption_configuration').rule[0].apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: 'AES256',
    });
    expect(one(stack, 'aws_s3_bucket_ownership_controls').rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
  });

  it('blocks all public access', () => {
    expect(one(stack, 'aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it('denies every request that is not TLS 1.2 or later', () => {
    const statements = policy(one(stack, 'aws_s3_bucket_policy').policy);

    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } } }),
      ]),
    );
  });

  it("lets each environment's plan role read its state and write only lock files, and its deploy role write it", () => {
    const statements = policy(one(stack, 'aws_s3_bucket_policy').policy);
    const sid = (id: string) => statements.find((st) => st.Sid === id)!;

    expect(sid('stagingReadersReadState')).toMatchObject({
      Action: ['s3:GetObject'],
      Resource: 'arn:aws:s3:::acme-platform-terraform-state/platform/staging/*',
    });
    expect(sid('stagingReadersReadState').Condition.ArnEquals['aws:PrincipalArn']).toEqual(['arn:aws:iam::222222222222:role/platform-plan']);
    expect(sid('stagingReadersTakeTheLock').Resource).toBe('arn:aws:s3:::acme-platform-terraform-state/platform/staging/*.tflock');
    expect(sid('prodWritersReadAndWriteState').Condition.ArnEquals['aws:PrincipalArn']).toEqual(['arn:aws:iam::333333333333:role/platform-deploy']);
  });
});

describe('environment account', () => {
  const stack = s.stack('bootstrap-prod');

  it('has GitHub’s OIDC provider for the sts.amazonaws.com audience', () => {
    expect(one(stack, 'aws_iam_openid_connect_provider')).toMatchObject({
      url: 'https://token.actions.githubusercontent.com',
      client_id_list: ['sts.amazonaws.com'],
    });
  });

  it('trusts pull requests and main of this repository, and nothing else, with the plan role', () => {
    const [github, self] = policy(role(stack, 'platform-plan').assume_role_policy);

    expect(github.Principal.Federated).toBe('${aws_iam_openid_connect_provider.github-oidc_provider_D7593BA3.arn}');
    expect(github.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': ['repo:acme/platform:pull_request', 'repo:acme/platform:ref:refs/heads/main'],
      },
    });
    expect(self.Condition.ArnEquals['aws:PrincipalArn']).toEqual(['arn:aws:iam::333333333333:role/platform-plan']);
  });

  it('trusts only the prod environment of this repository on main with the deploy role', () => {
    const [github] = policy(role(stack, 'platform-deploy').assume_role_policy);

    expect(github.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': ['repo:acme/platform:environment:prod'],
        'token.actions.githubusercontent.com:ref': 'refs/heads/main',
      },
    });
  });

  it('gives the plan role no managed policy and writes only to its lock files', () => {
    const attachments = resources(stack, 'aws_iam_role_policy_attachment').filter((a) => String(a.role).includes('plan-role'));
    const statements = inlinePolicyOf(stack, 'terraform-plan');

    expect(attachments).toEqual([]);
    expect(statements.filter((st) => st.Effect === 'Allow' && [st.Action].flat().some((a: string) => /Put|Delete/.test(a)))).toEqual([
      expect.objectContaining({ Resource: ['arn:aws:s3:::acme-platform-terraform-state/platform/prod/*.tflock'] }),
    ]);
  });

  it('lets the plan and deploy roles assume the DNS account’s matching role', () => {
    const assume = (name: string) => inlinePolicyOf(stack, name).find((st) => st.Sid === 'AssumeForProviders')!.Resource;

    expect(assume('terraform-plan')).toContain('arn:aws:iam::444444444444:role/platform-plan');
    expect(assume('terraform-deploy')).toContain('arn:aws:iam::444444444444:role/route53-records');
  });

  it('creates the workload permissions boundary, with no IAM or STS in it', () => {
    const boundary = resources(stack, 'aws_iam_policy').find((p) => p.name === 'platform-workload-boundary')!;
    const actions: string[] = policy(boundary.policy).flatMap((st) => [st.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:*', 's3:*', 'cloudfront:CreateInvalidation', 'rds-db:connect']));
    expect(actions.filter((a) => /^(iam|sts|organizations):/.test(a))).toEqual([]);
  });

  it('lets the deploy role create or widen a role only with the workload boundary on it', () => {
    const statements = inlinePolicyOf(stack, 'terraform-deploy');
    const boundaryArn = 'arn:aws:iam::333333333333:policy/platform-workload-boundary';
    const bounded = statements.find((st) => st.Sid === 'WorkloadRolesWithinTheBoundary')!;
    expect(bounded.Action).toEqual(expect.arrayContaining(['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy']));
    expect(bounded.Condition).toEqual({ StringEquals: { 'iam:PermissionsBoundary': boundaryArn } });
    const unconditioned = statements.filter((st) => st.Effect === 'Allow' && !st.Condition).flatMap((st) => [st.Action].flat());
    for (const action of ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PutRolePermissionsBoundary']) {
      expect(unconditioned).not.toContain(action);
    }
    expect(statements.find((st) => st.Sid === 'KeepTheBoundaryPolicy')).toMatchObject({ Effect: 'Deny', Resource: boundaryArn });
    expect(statements.find((st) => st.Sid === 'KeepTheBoundaryOnRoles')).toMatchObject({
      Effect: 'Deny',
      Action: 'iam:DeleteRolePermissionsBoundary',
    });
  });

  it('keeps the deploy role from changing itself, the plan role or the OIDC provider', () => {
    const deny = inlinePolicyOf(stack, 'terraform-deploy').find((st) => st.Sid === 'NotThePipelineItself')!;

    expect(deny.Action).toEqual(
      expect.arrayContaining(['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteOpenIDConnectProvider']),
    );
    expect(deny.Resource).toEqual([
      'arn:aws:iam::333333333333:role/platform-plan',
      'arn:aws:iam::333333333333:role/platform-deploy',
      '${aws_iam_openid_connect_provider.github-oidc_provider_D7593BA3.arn}',
    ]);
  });
});

it('creates the DNS account’s roles, trusted by the prod roles only', () => {
  const stack = s.stack('bootstrap-dns-prod');
  const trusted = (name: string) => policy(role(stack, name).assume_role_policy)[0].Condition.ArnEquals['aws:PrincipalArn'];

  expect(trusted('route53-records')).toEqual(['arn:aws:iam::333333333333:role/platform-deploy']);
  expect(trusted('platform-plan')).toEqual(['arn:aws:iam::333333333333:role/platform-plan']);
  expect(resources(stack, 'aws_iam_openid_connect_provider')).toEqual([]);
});

it('uses an existing OIDC provider when the settings name one', () => {
  const settings = JSON.parse(readFileSync(join(ROOT, 'bootstrap/bootstrap.json'), 'utf8'));
  const arn = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';
  settings.existingOidcProviders = { '111111111111': arn };
  const file = join(mkdtempSync(join(tmpdir(), 'settings-')), 'bootstrap.json');
  writeFileSync(file, JSON.stringify(settings));

  const stack = synth({ settingsPath: file }).stack('bootstrap-dev');

  expect(resources(stack, 'aws_iam_openid_connect_provider')).toEqual([]);
  expect(policy(role(stack, 'platform-deploy').assume_role_policy)[0].Principal.Federated).toBe(arn);
});

describe('verification mode (verify:terraform)', () => {
  it('changes only credentials, backend and the provider version', () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'bootstrap-verify-')), 'state');
    const verify = synth({
      verification: { stateDir, endpoint: 'http://127.0.0.1:4599', providerVersion: '5.100.0', skew: PROVIDER_SKEW },
    }).stack('bootstrap-prod');
    const diff = jsonDiffPaths(s.stack('bootstrap-prod'), verify);

    expect(
      diff.filter(
        (p) =>
          !/^\/\/\./.test(p) &&
          !/^terraform\.backend\.local\.path$/.test(p) &&
          p !== 'terraform.required_providers.aws.version' &&
          !/^provider\.aws\[\d+\]\.(access_key|secret_key|endpoints|skip_credentials_validation|skip_metadata_api_check|skip_region_validation|skip_requesting_account_id|s3_use_path_style)$/.test(p),
      ),
    ).toEqual([]);
    expect(verify.terraform.backend.local.path).toBe(join(stateDir, 'bootstrap-prod.tfstate'));
    expect(verify.provider.aws[0].access_key).toBe(`AKIAVERIFY${verify.provider.aws[0].allowed_account_ids[0]}`);
  });
});
