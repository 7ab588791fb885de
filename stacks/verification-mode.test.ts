// Verification mode must change only provider credentials, backend, remote-state
// sources, the provider version constraint and the listed provider skew: everything
// else is the Terraform a real account gets.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROVIDER_SKEW } from '@platform/constructs';
import { jsonDiffPaths } from '@platform/terraform-verify';
import { synthPlatform } from './main';
import { baseConfig, fakeWorkspace } from './test-workspace';

/** What verification mode may change; anything else differing fails the test. */
const ALLOWED = [
  /^\/\/\./, // cdktf's metadata comment (lists the overrides); Terraform ignores "//"
  /^terraform\.backend\.(s3|local)$/,
  /^terraform\.required_providers\.aws\.version$/,
  /^provider\.aws\[\d+\]\.(access_key|secret_key|assume_role|endpoints|s3_use_path_style|skip_credentials_validation|skip_metadata_api_check|skip_region_validation|skip_requesting_account_id)$/,
  /^data\.terraform_remote_state\.[^.]+\.config\.(assume_role|access_key|secret_key|endpoints|use_path_style|skip_credentials_validation|skip_requesting_account_id|skip_metadata_api_check|skip_region_validation)$/,
  /^resource\.aws_dynamodb_table\.[^.]+\.replica\[\d+\]\.deletion_protection_enabled$/, // PROVIDER_SKEW
  /^resource\.aws_lambda_function\.[^.]+\.runtime$/, // PROVIDER_SKEW (value nodejs24.x)
];

function synthBoth() {
  const config = baseConfig();
  config.environments.prod.dns = { zone: 'existing' };
  const workspace = fakeWorkspace(['items-api']);
  const configPath = path.join(workspace, 'platform.json');
  writeFileSync(configPath, JSON.stringify(config));
  const real = path.join(workspace, 'real');
  const verify = path.join(workspace, 'verify');
  synthPlatform({ configPath, outdir: real, workspaceRoot: workspace });
  const stateDir = path.join(workspace, 'state');
  synthPlatform({
    configPath,
    outdir: verify,
    workspaceRoot: workspace,
    verification: { stateDir, endpoint: 'http://127.0.0.1:4599', providerVersion: '5.100.0', skew: PROVIDER_SKEW },
  });
  const read = (dir: string, stack: string) => JSON.parse(readFileSync(path.join(dir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
  return { read, real, verify };
}

describe('verification synth mode', () => {
  const { read, real, verify } = synthBoth();

  it.each(['items-prod-global', 'items-prod-eu-west-1'])('changes %s only at credentials, backend, remote state, version and skew', (stack) => {
    const diff = jsonDiffPaths(read(real, stack), read(verify, stack));
    expect(diff.filter((p) => !ALLOWED.some((re) => re.test(p)))).toEqual([]);
    expect(diff).toContain('terraform.backend.s3');
    expect(diff).toContain('terraform.backend.local');
    expect(diff).toContain('provider.aws[0].assume_role');
  });

  it('gives every provider its account’s fake key, the skip settings and loopback endpoints, no role', () => {
    for (const provider of read(verify, 'items-prod-global').provider.aws) {
      expect(provider).toMatchObject({
        access_key: `AKIAVERIFY${provider.allowed_account_ids[0]}`,
        skip_credentials_validation: true,
        skip_region_validation: true,
        endpoints: [{ sts: 'http://127.0.0.1:4599', ec2: 'http://127.0.0.1:4599', route53: 'http://127.0.0.1:4599', s3: 'http://127.0.0.1:4599' }],
        s3_use_path_style: true,
      });
      expect(provider.assume_role).toBeUndefined();
    }
  });

  it('reads remote state through the S3 backend from the loopback S3: same bucket and key, fake key, no role', () => {
    const state = Object.values<any>(read(verify, 'items-prod-eu-west-1').data.terraform_remote_state)[0];
    const original = Object.values<any>(read(real, 'items-prod-eu-west-1').data.terraform_remote_state)[0];
    expect(state.backend).toBe('s3');
    expect(state.config).toEqual({
      bucket: original.config.bucket,
      key: original.config.key,
      region: original.config.region,
      access_key: 'AKIAVERIFY000000000000',
      secret_key: 'verification-only',
      endpoints: { s3: 'http://127.0.0.1:4599', sts: 'http://127.0.0.1:4599' },
      use_path_style: true,
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
    });
    expect(state.defaults).toEqual(original.defaults);
  });

  it('strips exactly the listed provider skew and keeps the argument elsewhere', () => {
    const table = (dir: string) => Object.values<any>(read(dir, 'items-prod-global').resource.aws_dynamodb_table)[0];
    expect(table(real).replica[0].deletion_protection_enabled).toBe(true);
    expect(table(verify).replica[0].deletion_protection_enabled).toBeUndefined();
    // The table's own deletion_protection_enabled exists in 5.x: not skew, kept.
    expect(table(verify).deletion_protection_enabled).toBe(true);
  });

  it('runs the functions on nodejs24.x and verifies them with the listed stand-in, which 5.100.0 accepts', () => {
    const fn = (dir: string) => Object.values<any>(read(dir, 'items-prod-eu-west-1').resource.aws_lambda_function)[0];
    expect(fn(real).runtime).toBe('nodejs24.x');
    expect(fn(verify).runtime).toBe(PROVIDER_SKEW.find((s) => s.value === 'nodejs24.x')?.standIn);
  });
});
