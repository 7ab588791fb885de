import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { App, DataResource, TerraformOutput } from 'cdktf';
import { roleArn } from '@platform/config';
import { GlobalStackOutputs, PlatformStack, VerificationMode } from '@platform/constructs';
import { runCommand } from './run-command';
import { terraformErrors } from './verify-stack';
import type { ProbeResult, VerificationRun } from './verify-terraform';

const PROBE_STACK = 'apply-guard-probe';
const BUCKET = 'verify-probe-state';
const GLOBAL_KEY = 'probe/global.tfstate';
const DEFAULT_VALUE = 'default-of-a-first-plan';
const APPLIED_VALUE = 'from-the-global-state';
/** A phrase of the guard's error message ({@link GlobalStackOutputs}). */
const GUARD_MESSAGE = 'did not exist when this plan was made';

/**
 * Real-Terraform proof that a plan made while the global stack's state object is
 * missing plans with the defaults but can never be applied, and that the same stack
 * applies with the real value once the state exists. The probe is a stack with one
 * {@link GlobalStackOutputs} and one `terraform_data` using an output, synthesized in
 * verification mode (the listing and the remote state read the run's loopback S3); it
 * creates nothing in AWS, so unlike the platform's stacks it can be applied offline.
 */
export async function probeApplyGuard(run: VerificationRun): Promise<ProbeResult> {
  const started = performance.now();
  const outdir = path.join(run.workDir, 'out', 'probe');
  rmSync(outdir, { recursive: true, force: true });
  rmSync(path.join(run.stateDir, `${PROBE_STACK}.tfstate`), { force: true });
  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir, skipValidation: true });
  const stack = new PlatformStack(app, PROBE_STACK, {
    accountId: '111111111111',
    deployRoleArn: roleArn('111111111111', 'platform-deploy'),
    regions: ['eu-west-1'],
    defaultTags: { 'managed-by': 'terraform-verify' },
    stateBackend: { bucket: BUCKET, region: 'eu-west-1', key: `probe/${PROBE_STACK}.tfstate` },
  });
  const outputs = new GlobalStackOutputs(stack, 'global', {
    stateBackend: { bucket: BUCKET, region: 'eu-west-1', key: GLOBAL_KEY },
    stateProvider: stack.stateProvider,
    defaults: { name: DEFAULT_VALUE },
  });
  new DataResource(stack, 'consumer', { input: { name: outputs.get('name') } });
  new TerraformOutput(stack, 'name', { value: outputs.get('name') });
  VerificationMode.applyTo(app, { stateDir: run.stateDir, endpoint: run.endpoint.url, providerVersion: run.providerVersion });
  app.synth();

  const dir = path.join(outdir, 'stacks', PROBE_STACK);
  const tf = (...args: string[]) => runCommand(run.terraform.bin, args, dir, run.terraform.env);
  const lines: string[] = [];
  const fail = (line: string): ProbeResult => ({
    name: 'apply guard',
    ok: false,
    lines: [...lines, line],
    seconds: (performance.now() - started) / 1000,
  });
  const errorsOf = (r: { stdout: string; stderr: string }) => terraformErrors(r.stderr + r.stdout).join('; ');

  try {
    const init = await tf('init', '-input=false', '-no-color');
    if (init.exitCode !== 0) return fail(`init failed: ${errorsOf(init)}`);

    run.endpoint.s3.delete(BUCKET, GLOBAL_KEY);
    const plan = await tf('plan', '-input=false', '-no-color', '-out=missing.tfplan');
    if (plan.exitCode !== 0) return fail(`the plan with the global state missing failed: ${errorsOf(plan)}`);
    const show = await tf('show', '-json', 'missing.tfplan');
    const planned = (JSON.parse(show.stdout) as { planned_values?: { outputs?: Record<string, { value?: unknown }> } }).planned_values?.outputs?.name?.value;
    if (planned !== DEFAULT_VALUE) return fail(`the plan with the global state missing planned name = ${JSON.stringify(planned)}, not the default`);
    lines.push(`global state missing: the plan uses the default (name = "${DEFAULT_VALUE}")`);
    const apply = await tf('apply', '-input=false', '-no-color', 'missing.tfplan');
    // Terraform wraps a diagnostic's text to the terminal's width: compare it as one line.
    const applied = (apply.stderr + apply.stdout).replace(/[│╵╷]/g, ' ').replace(/\s+/g, ' ');
    if (apply.exitCode === 0 || !applied.includes('Resource postcondition failed') || !applied.includes(GUARD_MESSAGE)) {
      return fail(`the apply of that plan did not fail with the guard's postcondition (exit ${apply.exitCode}): ${errorsOf(apply)}`);
    }
    const state = (await tf('state', 'list')).stdout.split('\n');
    if (!state.some((address) => address.startsWith('terraform_data.global_guard'))) return fail(`after the refused apply, the state holds no guard: ${state.join(', ')}`);
    if (state.includes('terraform_data.consumer')) return fail('the apply was refused, but the consumer of the default was created');
    lines.push(`its apply fails with the guard's postcondition ("${GUARD_MESSAGE}") and creates nothing that uses a global output`);

    run.endpoint.s3.put(
      BUCKET,
      GLOBAL_KEY,
      JSON.stringify({
        version: 4,
        terraform_version: '1.11.4',
        serial: 1,
        lineage: '00000000-0000-4000-8000-000000000001',
        outputs: { name: { value: APPLIED_VALUE, type: 'string' } },
        resources: [],
      }),
    );
    const replan = await tf('plan', '-input=false', '-no-color', '-out=present.tfplan');
    if (replan.exitCode !== 0) return fail(`the plan once the global state exists failed: ${errorsOf(replan)}`);
    const reapply = await tf('apply', '-input=false', '-no-color', 'present.tfplan');
    if (reapply.exitCode !== 0) return fail(`the apply once the global state exists failed: ${errorsOf(reapply)}`);
    const value = (await tf('output', '-raw', 'name')).stdout.trim();
    if (value !== APPLIED_VALUE) return fail(`once the global state exists, the applied name is "${value}", not the global stack's output`);
    lines.push(`global state present: plan and apply use its output (name = "${APPLIED_VALUE}")`);
    return { name: 'apply guard', ok: true, lines, seconds: (performance.now() - started) / 1000 };
  } finally {
    run.endpoint.s3.delete(BUCKET, GLOBAL_KEY);
  }
}
