import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { formatVerification } from './summary';
import { terraformPlatform } from './toolchain';
import { type VerificationSynthInput, type VerifyTerraformOptions, remoteStateObjects, verifyTerraform } from './verify-terraform';

const STAND_IN = path.join(__dirname, 'testing', 'terraform-stand-in.cjs');

/** A remote-state read of the global stack's state, as verification mode writes it. */
function remoteState(endpoint: string, count?: number) {
  return {
    ...(count === undefined ? {} : { count }),
    backend: 's3',
    config: {
      bucket: 'tf-state',
      key: 'platform/dev/svc-dev-global.tfstate',
      region: 'eu-west-1',
      access_key: 'AKIAVERIFY000000000000',
      endpoints: { s3: endpoint, sts: endpoint },
      use_path_style: true,
    },
    defaults: { table_name: 'svc-dev' },
  };
}

/** A synth program writing three stacks: the global one, a regional one that fails without state, one that copes. */
function fakeProgram(input: VerificationSynthInput) {
  const outdir = path.join(input.outRoot, 'platform');
  const stacks: Record<string, object> = {
    'svc-dev-global': { resource: { terraform_data: { table: {}, bucket: {} } } },
    'svc-dev-eu-west-1': { data: { terraform_remote_state: { global: remoteState(input.endpoint) } }, resource: { terraform_data: { api: {} } } },
    // What a read that counts on the object's existence looks like once it is missing.
    'svc-dev-us-east-1': { data: { terraform_remote_state: { global: remoteState(input.endpoint, 0) } }, resource: { terraform_data: { api: {} } } },
  };
  for (const [name, tf] of Object.entries(stacks)) {
    mkdirSync(path.join(outdir, 'stacks', name), { recursive: true });
    writeFileSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(tf));
  }
  const manifest = { stacks: Object.fromEntries(Object.keys(stacks).map((name) => [name, { name, workingDirectory: `stacks/${name}` }])) };
  writeFileSync(path.join(outdir, 'manifest.json'), JSON.stringify(manifest));
  return Promise.resolve([{ program: 'platform', outdir }]);
}

describe('remoteStateObjects', () => {
  it('lists the bucket and key of every S3 remote-state read, and nothing for a stack without one', () => {
    expect(remoteStateObjects({ data: { terraform_remote_state: { g: remoteState('http://x') } } })).toEqual([
      { bucket: 'tf-state', key: 'platform/dev/svc-dev-global.tfstate' },
    ]);
    expect(remoteStateObjects({ resource: {} } as object)).toEqual([]);
  });
});

describe('verifyTerraform: the two state scenarios', () => {
  const run = async (options: Partial<VerifyTerraformOptions> = {}) => {
    const mirror = mkdtempSync(path.join(tmpdir(), 'tf-mirror-'));
    mkdirSync(path.join(mirror, 'registry.terraform.io/hashicorp/aws/5.100.0', terraformPlatform()), { recursive: true });
    return verifyTerraform({
      workDir: mkdtempSync(path.join(tmpdir(), 'tf-verify-run-')),
      mirror,
      terraformBin: STAND_IN,
      fixtures: { vpcs: [], subnets: [], hostedZones: [] },
      synth: fakeProgram,
      skew: [],
      ...options,
    });
  };

  it('plans every stack with the global state existing but empty, then the readers again with it missing, and reports both per stack', async () => {
    const result = await run();
    const byName = Object.fromEntries(result.stacks.map((s) => [s.stack, s]));

    // Scenario 1: the state object exists (empty), so every stack plans.
    expect(result.stacks.map((s) => [s.stack, s.problems])).toEqual([
      ['svc-dev-global', []],
      ['svc-dev-eu-west-1', []],
      ['svc-dev-us-east-1', []],
    ]);
    // Scenario 2: only the stacks that read remote state are planned again, with the object missing.
    expect(byName['svc-dev-global'].missingState).toBeUndefined();
    expect(byName['svc-dev-eu-west-1'].missingState).toMatchObject({
      ok: false,
      problems: [
        'plan: Unable to find remote state (data.terraform_remote_state.global): No stored state was found for the given workspace in the given backend.',
      ],
    });
    expect(byName['svc-dev-eu-west-1'].ok).toBe(false);
    expect(byName['svc-dev-us-east-1'].missingState).toMatchObject({ ok: true, problems: [], creates: 1 });
    expect(byName['svc-dev-us-east-1'].ok).toBe(true);
    expect(result.ok).toBe(false);
    // The loopback S3 answered: the object in scenario 1, NoSuchKey (404, an answer) in scenario 2.
    expect(result.lookups.filter((l) => l.service === 's3').map((l) => [l.action, l.answered])).toEqual([
      ['HeadObject', true],
      ['HeadObject', true],
    ]);

    const summary = formatVerification(result);
    expect(summary).toMatch(/^svc-dev-eu-west-1 +platform .* FAIL +1 +FAIL$/m);
    expect(summary).toMatch(/^svc-dev-global +platform .* - +2 +ok$/m);
    expect(summary).toContain('  - global state missing: plan: Unable to find remote state (data.terraform_remote_state.global)');
    expect(summary).toContain('1 of 2 stacks that read a global stack\'s state also plan with that state missing');
  });

  it('runs the probe (the apply-guard probe) with the run\'s endpoint and state folder; its verdict is part of the run\'s and a failure is printed', async () => {
    const seen: string[] = [];
    const probe = (ok: boolean) => ({
      // Only the stacks that plan in both scenarios: the probe alone decides.
      stackFilter: /global|us-east-1/,
      probe: async (r: Parameters<NonNullable<VerifyTerraformOptions['probe']>>[0]) => {
        seen.push(typeof r.endpoint.s3.put, path.basename(r.stateDir), r.terraform.bin);
        return { name: 'apply guard', ok, lines: ['the apply of that plan did not fail with the guard\'s postcondition'], seconds: 1 };
      },
    });

    const failed = await run(probe(false));
    expect(seen).toEqual(['function', 'state', STAND_IN]);
    expect(failed.stacks.every((s) => s.ok)).toBe(true);
    expect(failed.probes).toEqual([expect.objectContaining({ name: 'apply guard', ok: false })]);
    expect(failed.ok).toBe(false);
    expect(formatVerification(failed)).toContain('apply guard: FAIL (1.0 s)\n  - the apply of that plan did not fail with the guard\'s postcondition');
    expect((await run(probe(true))).ok).toBe(true);
  });
});

describe('verifyTerraform from the registry (no mirror)', () => {
  it('verifies the given provider version, and strips nothing that version has', async () => {
    const seen: VerificationSynthInput[] = [];
    const skew = [{ resourceType: 'aws_lambda_function', argument: 'runtime', value: 'nodejs24.x', standIn: 'nodejs22.x', addedIn: '6.21.0', changelog: 'x' }];
    const result = await verifyTerraform({
      workDir: mkdtempSync(path.join(tmpdir(), 'tf-verify-run-')),
      providerVersion: '6.25.0',
      terraformBin: STAND_IN,
      fixtures: { vpcs: [], subnets: [], hostedZones: [] },
      synth: (input) => {
        seen.push(input);
        return fakeProgram(input);
      },
      skew,
    });
    // (svc-dev-eu-west-1 fails with its state missing, as in the mirror runs above.)
    expect([result.stacks.length, result.providerVersion, result.skew]).toEqual([3, '6.25.0', []]);
    expect(seen.map((i) => [i.providerVersion, i.skew])).toEqual([['6.25.0', []]]);
    expect(formatVerification(result)).toContain('(none)');
  });
});
