import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ConfigError, type PlatformConfigInput, parsePlatform } from '@platform/config';
import { planBootstrap } from './bootstrap-plan';
import { PipelineRoles, type PipelineRolesProps } from './pipeline-roles';
import { bootstrapSettingsSchema, loadBootstrapSettings } from './settings';
import { StateBucket } from './state-bucket';
import { bootstrapPlatformFixture } from './testing/platform-fixture';

type Json = Record<string, any>;
const settings = bootstrapSettingsSchema.parse({ githubRepository: 'acme/platform' });
const example = (): PlatformConfigInput => bootstrapPlatformFixture();

function stackWith(build: (stack: TerraformStack, provider: AwsProvider) => void): Json {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test-stack');
  build(stack, new AwsProvider(stack, 'aws', { region: 'eu-west-1' }));
  return JSON.parse(Testing.synth(stack)) as Json;
}
const roles = (props: Partial<PipelineRolesProps> = {}) =>
  stackWith((stack, provider) => {
    new PipelineRoles(stack, 'pipeline', {
      provider,
      accountId: '111111111111',
      oidcProviderArn: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
      githubRepository: 'acme/platform',
      environments: ['dev'],
      deployRoleName: 'platform-deploy',
      state: { bucketName: 'state', keyPrefix: 'platform' },
      ...props,
    });
  });

describe('PipelineRoles', () => {
  it("gives the plan and deploy roles the session length the workflows ask for (issue 22 #8: a job's OIDC session must outlast its longest apply)", () => {
    const json = roles({ maxSessionDurationSeconds: 21600 });
    const byName = (name: string) => Object.values(json.resource.aws_iam_role as Json).find((r: Json) => r.name === name) as Json;

    expect(byName('platform-plan').max_session_duration).toBe(21600);
    expect(byName('platform-deploy').max_session_duration).toBe(21600);
  });

  it('refuses a session length IAM does not allow, naming the construct', () => {
    expect(() => roles({ maxSessionDurationSeconds: 50000 })).toThrow(/maxSessionDurationSeconds must be a whole number from 3600 to 43200 .*got 50000/);
  });

  it('leaves the ref condition out when the deploy branch claim is not required', () => {
    const json = roles({ requireDeployBranchClaim: false });
    const deploy = Object.values(json.resource.aws_iam_role as Json).find((r: Json) => r.name === 'platform-deploy') as Json;

    expect(JSON.parse(deploy.assume_role_policy).Statement[0].Condition.StringEquals).not.toHaveProperty(
      'token.actions.githubusercontent.com:ref',
    );
  });

  it('trusts every GitHub environment deployed into the account', () => {
    const json = roles({ environments: ['dev', 'qa'] });
    const deploy = Object.values(json.resource.aws_iam_role as Json).find((r: Json) => r.name === 'platform-deploy') as Json;

    expect(JSON.parse(deploy.assume_role_policy).Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub']).toEqual([
      'repo:acme/platform:environment:dev',
      'repo:acme/platform:environment:qa',
    ]);
  });

  it('rejects a repository that is not owner/name, naming the construct', () => {
    expect(() => roles({ githubRepository: 'https://github.com/acme/platform' })).toThrow(
      'test-stack/pipeline: githubRepository must be "owner/name"',
    );
  });

  it('rejects a plan role named like the deploy role', () => {
    expect(() => roles({ planRoleName: 'platform-deploy' })).toThrow('the plan role must be a different, read-only role');
  });
});

describe('StateBucket', () => {
  it('rejects an invalid bucket name', () => {
    expect(() =>
      stackWith((stack, provider) => new StateBucket(stack, 'state', { provider, bucketName: 'Bad_Bucket', keyPrefix: 'p' })),
    ).toThrow('test-stack/state/secure-bucket: bucketName "Bad_Bucket" is not a valid S3 bucket name');
  });

  it('given a state bucket applied before SecureBucket, when synthesized, then a moved block takes its policy from `state/policy` to `state/policy/policy`', () => {
    const json = stackWith((stack, provider) => new StateBucket(stack, 'state', { provider, bucketName: 'state', keyPrefix: 'p' }));
    const policies = Object.keys(json.resource.aws_s3_bucket_policy as Json);
    // The address main synthesized for `test-stack/state/policy` (a plain S3BucketPolicy there).
    expect(json.moved).toEqual([{ from: 'aws_s3_bucket_policy.state_policy_DB2E7E78', to: `aws_s3_bucket_policy.${policies[0]}` }]);
    expect(policies).toEqual([expect.not.stringMatching(/^state_policy_DB2E7E78$/)]);
  });

  it('expires overwritten state versions after the given days', () => {
    const json = stackWith(
      (stack, provider) =>
        new StateBucket(stack, 'state', { provider, bucketName: 'state', keyPrefix: 'p', noncurrentVersionExpirationDays: 30 }),
    );
    const lifecycle = Object.values(json.resource.aws_s3_bucket_lifecycle_configuration as Json)[0] as Json;

    expect(lifecycle.rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 30 }]);
  });

  it('grants no cross-account access when no roles are given', () => {
    const json = stackWith((stack, provider) => new StateBucket(stack, 'state', { provider, bucketName: 'state', keyPrefix: 'p' }));
    const policy = JSON.parse((Object.values(json.resource.aws_s3_bucket_policy as Json)[0] as Json).policy);

    expect(policy.Statement.map((s: Json) => s.Effect)).toEqual(['Deny', 'Deny']);
  });
});

describe('planBootstrap', () => {
  it('puts the state bucket and an environment into one stack when they share an account', () => {
    const raw = example();
    raw.stateBackend.accountId = raw.environments.dev.accountId;

    const accounts = planBootstrap(parsePlatform(raw), settings);

    const dev = accounts.find((a) => a.accountId === raw.environments.dev.accountId)!;
    expect(dev.stackName).toBe('bootstrap-state-dev');
    expect(dev.stateBucket?.grants.map((g) => g.environment)).toEqual(['staging', 'prod']);
    expect(dev.pipeline?.environments).toEqual(['dev']);
  });

  it('rejects two deploy roles in one account, naming the config path', () => {
    const raw = example();
    raw.environments.staging.accountId = raw.environments.dev.accountId;
    raw.environments.staging.deployRoleName = 'other-deploy';

    expect(() => planBootstrap(parsePlatform(raw), settings)).toThrow('environments.staging.deployRoleName');
  });

  it("creates a state role per environment, trusted by that environment's pipeline roles, when the state backend names one", () => {
    const raw = example();
    raw.stateBackend.roleName = 'terraform-state';

    const state = planBootstrap(parsePlatform(raw), settings).find((a) => a.stateBucket)!;

    expect(state.delegatedRoles.map((r) => r.roleName)).toEqual(['terraform-state-dev', 'terraform-state-staging', 'terraform-state-prod']);
    expect(state.delegatedRoles[0].trustedRoleArns).toEqual(['arn:aws:iam::111111111111:role/platform-plan', 'arn:aws:iam::111111111111:role/platform-deploy']);
    expect(state.stateBucket!.grants).toEqual([]);
  });
});

describe('settings', () => {
  it('gives the pipeline sessions six hours by default and refuses what IAM would refuse', () => {
    expect(bootstrapSettingsSchema.parse({ githubRepository: 'acme/platform' }).pipelineSessionSeconds).toBe(21600);
    expect(() => bootstrapSettingsSchema.parse({ githubRepository: 'acme/platform', pipelineSessionSeconds: 600 })).toThrow(
      'pipelineSessionSeconds must be at least 3600',
    );
  });

  it('names the file and the problem', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'settings-')), 'bootstrap.json');
    writeFileSync(file, JSON.stringify({ githubRepository: 'platform' }));

    expect(() => loadBootstrapSettings(file)).toThrow(ConfigError);
    expect(() => loadBootstrapSettings(file)).toThrow(`${file}: githubRepository: githubRepository must be "owner/name"`);
  });
});
