import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PLAN_FILES, PROVIDER_ROLE_OVERRIDE_FILE, RunnerError, deploy, destroy, drift, plan } from './runner';
import { TerraformError } from './terraform';
import { type StandIn, installStandIn } from './testing/stand-in';

const quiet = () => undefined;

function stackDirs(name = 'items-dev-eu-west-1', extraProviders: object[] = []) {
  const root = mkdtempSync(join(tmpdir(), 'runner-'));
  const workdir = join(root, 'cdktf.out', 'stacks', name);
  mkdirSync(workdir, { recursive: true });
  writeFileSync(
    join(workdir, 'cdk.tf.json'),
    JSON.stringify({
      provider: {
        aws: [
          {
            alias: 'eu-west-1',
            region: 'eu-west-1',
            allowed_account_ids: ['111111111111'],
            assume_role: [{ role_arn: 'arn:aws:iam::111111111111:role/platform-deploy', session_name: name }],
          },
          ...extraProviders,
        ],
      },
      terraform: { backend: { s3: { bucket: 'state', key: `platform/${name}.tfstate`, region: 'eu-west-1' } } },
    }),
  );
  return { root, workdir, planDir: join(root, 'dist', 'terraform', name), stack: name };
}

let tf: StandIn;
beforeEach(() => {
  tf = installStandIn();
});

describe('plan', () => {
  it('runs init, plan to a file and show -json of that file, in the stack folder', async () => {
    const s = stackDirs();
    await plan({ ...s, env: tf.env(), log: quiet });

    const calls = tf.calls();
    expect(calls.map((c) => c.args[0])).toEqual(['init', 'plan', 'show']);
    expect(new Set(calls.map((c) => c.cwd))).toEqual(new Set([s.workdir]));
    const planFile = join(s.planDir, PLAN_FILES.plan);
    expect(calls[1].args).toEqual(['plan', '-input=false', '-no-color', '-lock-timeout=300s', `-out=${planFile}`]);
    expect(calls[2].args).toEqual(['show', '-json', '-no-color', planFile]);
  });

  it('writes the plan JSON and a record of the plan file hash', async () => {
    const s = stackDirs();
    const meta = await plan({ ...s, env: tf.env(), log: quiet });

    const json = JSON.parse(readFileSync(join(s.planDir, PLAN_FILES.planJson), 'utf8'));
    expect(json.resource_changes[0].change.actions).toEqual(['create']);
    expect(meta.hasChanges).toBe(true);
    expect(meta.planSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('points every provider at the plan role when PLATFORM_PROVIDER_ROLE_NAME is set', async () => {
    const s = stackDirs();
    await plan({ ...s, env: tf.env({ PLATFORM_PROVIDER_ROLE_NAME: 'platform-plan' }), log: quiet });

    const override = JSON.parse(readFileSync(join(s.workdir, PROVIDER_ROLE_OVERRIDE_FILE), 'utf8'));
    expect(override.provider.aws).toEqual([
      { alias: 'eu-west-1', assume_role: [{ role_arn: 'arn:aws:iam::111111111111:role/platform-plan', session_name: s.stack }] },
    ]);
  });

  it('leaves the state-bucket provider with the backend’s credentials (no role, or the state role) when pointing the others at the plan role', async () => {
    for (const state of [
      { alias: 'state', region: 'eu-west-1', allowed_account_ids: ['111111111111'] },
      { alias: 'state', region: 'eu-west-1', assume_role: [{ role_arn: 'arn:aws:iam::000000000000:role/platform-state-dev' }] },
    ]) {
      const s = stackDirs('items-dev-eu-west-1', [state]);
      await plan({ ...s, env: tf.env({ PLATFORM_PROVIDER_ROLE_NAME: 'platform-plan' }), log: quiet });

      const override = JSON.parse(readFileSync(join(s.workdir, PROVIDER_ROLE_OVERRIDE_FILE), 'utf8'));
      expect(override.provider.aws.map((p: { alias: string }) => p.alias)).toEqual(['eu-west-1']);
    }
  });

  it('runs the binary named by TERRAFORM_BIN (e.g. OpenTofu) instead of terraform from PATH', async () => {
    const s = stackDirs();
    const tofu = join(tf.binDir, 'tofu');
    copyFileSync(tf.bin, tofu);
    // PATH keeps only node (the stand-in's interpreter), so no terraform is found there.
    const env = { ...tf.env(), PATH: dirname(process.execPath), TERRAFORM_BIN: tofu };
    await plan({ ...s, env, log: quiet });

    expect(tf.calls()).toHaveLength(3);
  });

  it('fails with the exit code of a failing terraform command', async () => {
    const s = stackDirs();
    const run = plan({ ...s, env: tf.env({ TF_STANDIN_FAIL: 'plan:items-dev' }), log: quiet });

    await expect(run).rejects.toThrow(TerraformError);
    await expect(run).rejects.toThrow('terraform plan failed (exit 1)');
  });
});

describe('deploy', () => {
  it('applies exactly the plan file that plan wrote, then removes it', async () => {
    const s = stackDirs();
    await plan({ ...s, env: tf.env(), log: quiet });
    const planOut = tf
      .calls()[1]
      .args.find((a) => a.startsWith('-out='))!
      .slice('-out='.length);

    const record = await deploy({ ...s, env: tf.env(), log: quiet });

    const apply = tf.calls().find((c) => c.args[0] === 'apply')!;
    expect(apply.args).toEqual(['apply', '-input=false', '-no-color', '-lock-timeout=300s', planOut]);
    expect(apply.cwd).toBe(s.workdir);
    expect(existsSync(planOut)).toBe(false);
    expect(record.changed).toBe(true);
  });

  it('refuses to run without a plan', async () => {
    const s = stackDirs();

    await expect(deploy({ ...s, env: tf.env(), log: quiet })).rejects.toThrow(RunnerError);
    expect(tf.calls()).toEqual([]);
  });

  it('refuses a plan file that is not the one plan wrote', async () => {
    const s = stackDirs();
    await plan({ ...s, env: tf.env(), log: quiet });
    writeFileSync(join(s.planDir, PLAN_FILES.plan), 'something else');

    await expect(deploy({ ...s, env: tf.env(), log: quiet })).rejects.toThrow('hash differs');
    expect(tf.calls().some((c) => c.args[0] === 'apply')).toBe(false);
  });

  it('refuses a plan made with the read-only plan role', async () => {
    const s = stackDirs();
    await plan({ ...s, env: tf.env({ PLATFORM_PROVIDER_ROLE_NAME: 'platform-plan' }), log: quiet });

    await expect(deploy({ ...s, env: tf.env(), log: quiet })).rejects.toThrow('plan again without it');
  });

  it('does not apply an empty plan', async () => {
    const s = stackDirs();
    const env = tf.env({ TF_STANDIN_NO_CHANGES: s.stack });
    await plan({ ...s, env, log: quiet });

    const record = await deploy({ ...s, env, log: quiet });

    expect(record.changed).toBe(false);
    expect(tf.calls().some((c) => c.args[0] === 'apply')).toBe(false);
  });

  it('plans again when the stack it reads was applied after its plan was made', async () => {
    const global = stackDirs('items-dev-global');
    const regional = { ...stackDirs(), log: quiet };
    await plan({ ...regional, env: tf.env() });
    await new Promise((r) => setTimeout(r, 5));
    await plan({ ...global, env: tf.env(), log: quiet });
    await deploy({ ...global, env: tf.env(), log: quiet });

    await deploy({ ...regional, env: tf.env(), after: [global.planDir] });

    const regionalCalls = tf
      .calls()
      .filter((c) => c.cwd === regional.workdir)
      .map((c) => c.args[0]);
    expect(regionalCalls).toEqual(['init', 'plan', 'show', 'init', 'plan', 'show', 'init', 'apply']);
  });

  it('keeps its plan when the stack it reads was applied before', async () => {
    const global = stackDirs('items-dev-global');
    const regional = { ...stackDirs(), log: quiet };
    await plan({ ...global, env: tf.env(), log: quiet });
    await deploy({ ...global, env: tf.env(), log: quiet });
    await new Promise((r) => setTimeout(r, 5));
    await plan({ ...regional, env: tf.env() });

    await deploy({ ...regional, env: tf.env(), after: [global.planDir] });

    const regionalCalls = tf
      .calls()
      .filter((c) => c.cwd === regional.workdir)
      .map((c) => c.args[0]);
    expect(regionalCalls).toEqual(['init', 'plan', 'show', 'init', 'apply']);
  });
});

describe('destroy', () => {
  it('refuses unless PLATFORM_DESTROY names the environment', async () => {
    const s = stackDirs();

    await expect(destroy({ ...s, environment: 'dev', env: tf.env({ PLATFORM_DESTROY: 'prod' }), log: quiet })).rejects.toThrow(
      'set PLATFORM_DESTROY=dev',
    );
    expect(tf.calls()).toEqual([]);
  });

  it('plans the destroy to a file and applies that file', async () => {
    const s = stackDirs();
    await destroy({ ...s, environment: 'dev', env: tf.env({ PLATFORM_DESTROY: 'staging,dev' }), log: quiet });

    const calls = tf.calls().map((c) => c.args);
    const planFile = join(s.planDir, PLAN_FILES.destroyPlan);
    expect(calls).toEqual([
      ['init', '-input=false', '-no-color'],
      ['plan', '-destroy', '-input=false', '-no-color', '-lock-timeout=300s', `-out=${planFile}`],
      ['show', '-json', '-no-color', planFile],
      ['apply', '-input=false', '-no-color', '-lock-timeout=300s', planFile],
    ]);
  });
});

describe('drift', () => {
  it('records drift when plan -detailed-exitcode exits 2, and succeeds', async () => {
    const s = stackDirs();
    const record = await drift({ ...s, env: tf.env({ TF_STANDIN_DRIFT: s.stack }), log: quiet });

    expect(tf.calls()[1].args).toContain('-detailed-exitcode');
    expect(record.drift).toBe(true);
    expect(record.changes).toEqual([{ address: 'aws_s3_bucket.example', actions: ['create'] }]);
    expect(JSON.parse(readFileSync(join(s.planDir, PLAN_FILES.drift), 'utf8')).drift).toBe(true);
  });

  it('records no drift when the plan exits 0', async () => {
    const s = stackDirs();
    const record = await drift({ ...s, env: tf.env(), log: quiet });

    expect(record.drift).toBe(false);
  });

  it('fails when the plan errors', async () => {
    const s = stackDirs();

    await expect(drift({ ...s, env: tf.env({ TF_STANDIN_FAIL: 'plan:items' }), log: quiet })).rejects.toThrow(TerraformError);
  });
});

it('says to synthesize first when the stack has no cdk.tf.json', async () => {
  const root = mkdtempSync(join(tmpdir(), 'runner-'));

  await expect(plan({ stack: 'x-dev-global', workdir: join(root, 'nope'), planDir: join(root, 'p'), env: tf.env() })).rejects.toThrow(
    'synthesize first',
  );
});
