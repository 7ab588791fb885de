import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TerraformError, runTerraform } from './terraform';
import { STATE_PROVIDER_ALIAS, UserError } from '@platform/config';

/** Where one stack is and where its plan artifacts go. */
export interface StackRunOptions {
  /** Stack name, for messages. */
  readonly stack: string;
  /** The stack's synthesized folder (holds cdk.tf.json); Terraform's working directory. */
  readonly workdir: string;
  /**
   * Folder of the stack's plan file, plan JSON and apply record. Kept out of the
   * synth output so that a synth (or a restore of it from the Nx cache) between
   * plan and deploy cannot lose the plan file.
   */
  readonly planDir: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default - write to stderr */
  readonly log?: (line: string) => void;
}

/** Options of {@link deploy}. */
export interface DeployOptions extends StackRunOptions {
  /**
   * Plan folders of the stacks this one reads (its global stack). If one of them was
   * applied with changes after this stack's plan was made, the plan may hold stale
   * remote-state values, so the stack is planned again before it is applied.
   * @default []
   */
  readonly after?: readonly string[];
}

/** Options of {@link destroy}. */
export interface DestroyOptions extends StackRunOptions {
  /** The stack's environment; `$PLATFORM_DESTROY` must name it. */
  readonly environment: string;
}

/** Names of the files the runner writes in a stack's plan folder. */
export const PLAN_FILES = Object.freeze({
  plan: 'plan.tfplan',
  planJson: 'plan.json',
  planText: 'plan.txt',
  planMeta: 'plan-meta.json',
  applied: 'applied.json',
  destroyPlan: 'destroy.tfplan',
  destroyJson: 'destroy.json',
  drift: 'drift.json',
});

/** File, in the stack's working directory, that points the providers at another role. */
export const PROVIDER_ROLE_OVERRIDE_FILE = 'platform_provider_role_override.tf.json';

/** Written next to a plan file: what the plan is, so deploy can check it before applying. */
export interface PlanMeta {
  readonly stack: string;
  /**
   * ISO time `terraform plan` started, i.e. no later than it read any state. A
   * stack read through remote state and applied after this may make the plan stale.
   */
  readonly createdAt: string;
  /** SHA-256 (hex) of the plan file; deploy applies only a file with this hash. */
  readonly planSha256: string;
  /** True when the plan changes any resource or output. */
  readonly hasChanges: boolean;
  /** Role name the providers were pointed at (the read-only plan role), or null. */
  readonly providerRoleOverride: string | null;
}

/** Written after a deploy. */
export interface ApplyRecord {
  readonly stack: string;
  /** ISO time the apply finished (its state was written by then). */
  readonly appliedAt: string;
  readonly planSha256: string;
  /** False when the plan was empty and nothing was applied. */
  readonly changed: boolean;
}

/** Written by drift detection. */
export interface DriftRecord {
  readonly stack: string;
  readonly checkedAt: string;
  readonly drift: boolean;
  /** Addresses of the resources that would change, with their actions. */
  readonly changes: { address: string; actions: string[] }[];
}

/** A user-facing failure: printed without a stack trace. */
export class RunnerError extends UserError {}

const LOCK_TIMEOUT = '-lock-timeout=300s';

/**
 * `terraform init`, then `terraform plan -out=<planDir>/plan.tfplan`, then
 * `terraform show -json` of that file into plan.json. With `$PLATFORM_PROVIDER_ROLE_NAME`
 * set, the providers assume that role (the read-only plan role) instead of the
 * deploy role of the synthesized config.
 */
export async function plan(opts: StackRunOptions): Promise<PlanMeta> {
  const ctx = context(opts);
  const roleOverride = ctx.env.PLATFORM_PROVIDER_ROLE_NAME?.trim() || null;
  writeProviderRoleOverride(ctx, roleOverride);
  for (const name of [PLAN_FILES.plan, PLAN_FILES.planJson, PLAN_FILES.planText, PLAN_FILES.planMeta]) {
    rmSync(join(ctx.planDir, name), { force: true });
  }
  await init(ctx);
  const planFile = join(ctx.planDir, PLAN_FILES.plan);
  const startedAt = new Date().toISOString();
  let text = '';
  await mustSucceed(ctx, ['plan', '-input=false', '-no-color', LOCK_TIMEOUT, `-out=${planFile}`], {
    onStdout: (chunk) => (text += chunk),
  });
  writeFileSync(join(ctx.planDir, PLAN_FILES.planText), text);
  const json = await show(ctx, planFile, PLAN_FILES.planJson);
  const meta: PlanMeta = {
    stack: opts.stack,
    createdAt: startedAt,
    planSha256: sha256(planFile),
    hasChanges: hasChanges(json),
    providerRoleOverride: roleOverride,
  };
  writeJson(join(ctx.planDir, PLAN_FILES.planMeta), meta);
  ctx.log(`${opts.stack}: plan written to ${planFile}${meta.hasChanges ? '' : ' (no changes)'}`);
  return meta;
}

/**
 * Applies exactly the plan file that {@link plan} wrote (checked by its hash),
 * then removes it so it cannot be applied twice. Plans again first when a stack
 * in `after` was applied with changes since the plan was made. An empty plan is
 * not applied.
 */
export async function deploy(opts: DeployOptions): Promise<ApplyRecord> {
  const ctx = context(opts);
  let meta = readPlanMeta(ctx);
  if (meta.providerRoleOverride) {
    throw new RunnerError(
      `${opts.stack}: the plan in ${ctx.planDir} was made with the providers assuming role "${meta.providerRoleOverride}" (PLATFORM_PROVIDER_ROLE_NAME); plan again without it before deploying`,
    );
  }
  const staleBecause = (opts.after ?? []).find((dir) => appliedSince(resolve(dir), meta.createdAt));
  if (staleBecause) {
    ctx.log(`${opts.stack}: ${staleBecause} was applied after this stack was planned; planning again`);
    meta = await plan({ ...opts, env: withoutRoleOverride(ctx.env) });
  }
  writeProviderRoleOverride(ctx, null);
  const planFile = join(ctx.planDir, PLAN_FILES.plan);
  if (sha256(planFile) !== meta.planSha256) {
    throw new RunnerError(`${opts.stack}: ${planFile} is not the file plan wrote (hash differs); plan again`);
  }
  let changed = false;
  if (meta.hasChanges) {
    await init(ctx);
    await mustSucceed(ctx, ['apply', '-input=false', '-no-color', LOCK_TIMEOUT, planFile]);
    changed = true;
  } else {
    ctx.log(`${opts.stack}: the plan has no changes; nothing to apply`);
  }
  rmSync(planFile, { force: true });
  const record: ApplyRecord = { stack: opts.stack, appliedAt: new Date().toISOString(), planSha256: meta.planSha256, changed };
  writeJson(join(ctx.planDir, PLAN_FILES.applied), record);
  return record;
}

/**
 * Destroys the stack: `terraform plan -destroy` to a file, its JSON, and an apply of
 * that file. Refuses unless `$PLATFORM_DESTROY` names the stack's environment (a
 * comma-separated list is allowed), so a stray `nx run-many -t destroy` does nothing.
 */
export async function destroy(opts: DestroyOptions): Promise<void> {
  const ctx = context(opts);
  const allowed = (ctx.env.PLATFORM_DESTROY ?? '').split(',').map((s) => s.trim());
  if (!allowed.includes(opts.environment)) {
    throw new RunnerError(
      `${opts.stack}: refusing to destroy a stack of environment "${opts.environment}"; set PLATFORM_DESTROY=${opts.environment} to confirm`,
    );
  }
  writeProviderRoleOverride(ctx, null);
  await init(ctx);
  const planFile = join(ctx.planDir, PLAN_FILES.destroyPlan);
  rmSync(planFile, { force: true });
  await mustSucceed(ctx, ['plan', '-destroy', '-input=false', '-no-color', LOCK_TIMEOUT, `-out=${planFile}`]);
  await show(ctx, planFile, PLAN_FILES.destroyJson);
  await mustSucceed(ctx, ['apply', '-input=false', '-no-color', LOCK_TIMEOUT, planFile]);
  rmSync(planFile, { force: true });
  ctx.log(`${opts.stack}: destroyed`);
}

/**
 * Drift detection: `terraform plan -detailed-exitcode` (exit 2 = changes). Records
 * the result in drift.json and succeeds whether or not the stack drifted, so one
 * drifted stack does not stop the check of the others; fails only on errors.
 */
export async function drift(opts: StackRunOptions): Promise<DriftRecord> {
  const ctx = context(opts);
  writeProviderRoleOverride(ctx, ctx.env.PLATFORM_PROVIDER_ROLE_NAME?.trim() || null);
  await init(ctx);
  const planFile = join(ctx.planDir, 'drift.tfplan');
  rmSync(planFile, { force: true });
  const result = await runTerraform({
    cwd: ctx.workdir,
    env: ctx.env,
    args: ['plan', '-detailed-exitcode', '-input=false', '-no-color', LOCK_TIMEOUT, `-out=${planFile}`],
  });
  if (result.exitCode !== 0 && result.exitCode !== 2) {
    throw new TerraformError(`${opts.stack}: terraform plan -detailed-exitcode failed (exit ${result.exitCode})`, result.exitCode);
  }
  let changes: DriftRecord['changes'] = [];
  if (result.exitCode === 2) {
    const json = await show(ctx, planFile, 'drift-plan.json');
    changes = changedResources(json);
  }
  rmSync(planFile, { force: true });
  const record: DriftRecord = { stack: opts.stack, checkedAt: new Date().toISOString(), drift: result.exitCode === 2, changes };
  writeJson(join(ctx.planDir, PLAN_FILES.drift), record);
  ctx.log(`${opts.stack}: ${record.drift ? `DRIFT (${changes.length} resource(s) differ)` : 'no drift'}`);
  return record;
}

interface Ctx {
  readonly stack: string;
  readonly workdir: string;
  readonly planDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

function context(opts: StackRunOptions): Ctx {
  const workdir = resolve(opts.workdir);
  if (!existsSync(join(workdir, 'cdk.tf.json'))) {
    throw new RunnerError(`${opts.stack}: ${join(opts.workdir, 'cdk.tf.json')} not found; synthesize first (nx run ${opts.stack}:synth)`);
  }
  const planDir = resolve(opts.planDir);
  mkdirSync(planDir, { recursive: true });
  return {
    stack: opts.stack,
    workdir,
    planDir,
    env: opts.env ?? process.env,
    log: opts.log ?? ((line) => process.stderr.write(`[terraform-runner] ${line}\n`)),
  };
}

async function init(ctx: Ctx): Promise<void> {
  // The backend (S3, key per stack, lockfile) comes from the stack's cdk.tf.json.
  await mustSucceed(ctx, ['init', '-input=false', '-no-color']);
}

async function show(ctx: Ctx, planFile: string, out: string): Promise<PlanJson> {
  const result = await runTerraform({
    cwd: ctx.workdir,
    env: ctx.env,
    args: ['show', '-json', '-no-color', planFile],
    captureStdout: true,
  });
  if (result.exitCode !== 0) {
    throw new TerraformError(`${ctx.stack}: terraform show -json failed (exit ${result.exitCode})`, result.exitCode);
  }
  let json: PlanJson;
  try {
    json = JSON.parse(result.stdout) as PlanJson;
  } catch {
    throw new TerraformError(`${ctx.stack}: terraform show -json printed no valid JSON`);
  }
  writeFileSync(join(ctx.planDir, out), result.stdout);
  return json;
}

async function mustSucceed(ctx: Ctx, args: string[], extra: { onStdout?: (chunk: string) => void } = {}): Promise<void> {
  const result = await runTerraform({ cwd: ctx.workdir, env: ctx.env, args, onStdout: extra.onStdout });
  if (result.exitCode !== 0) {
    throw new TerraformError(`${ctx.stack}: terraform ${args[0]} failed (exit ${result.exitCode})`, result.exitCode);
  }
}

/** The subset of `terraform show -json` the runner reads. */
interface PlanJson {
  resource_changes?: { address: string; change: { actions: string[] } }[];
  output_changes?: Record<string, { actions: string[] }>;
}

const NOTHING = new Set(['no-op', 'read']);

function changedResources(json: PlanJson): DriftRecord['changes'] {
  return (json.resource_changes ?? [])
    .filter((rc) => rc.change.actions.some((a) => !NOTHING.has(a)))
    .map((rc) => ({ address: rc.address, actions: rc.change.actions }));
}

function hasChanges(json: PlanJson): boolean {
  return (
    changedResources(json).length > 0 || Object.values(json.output_changes ?? {}).some((oc) => oc.actions.some((a) => !NOTHING.has(a)))
  );
}

function readPlanMeta(ctx: Ctx): PlanMeta {
  const metaFile = join(ctx.planDir, PLAN_FILES.planMeta);
  const planFile = join(ctx.planDir, PLAN_FILES.plan);
  if (!existsSync(metaFile) || !existsSync(planFile)) {
    throw new RunnerError(`${ctx.stack}: no plan in ${ctx.planDir}; plan first (nx run ${ctx.stack}:deploy runs plan before it)`);
  }
  return JSON.parse(readFileSync(metaFile, 'utf8')) as PlanMeta;
}

function appliedSince(planDir: string, since: string): boolean {
  const file = join(planDir, PLAN_FILES.applied);
  if (!existsSync(file)) return false;
  const record = JSON.parse(readFileSync(file, 'utf8')) as ApplyRecord;
  return record.changed && Date.parse(record.appliedAt) >= Date.parse(since);
}

/** The providers' assume_role pointed at `roleName` in the same account, or the override removed. */
function writeProviderRoleOverride(ctx: Ctx, roleName: string | null): void {
  const file = join(ctx.workdir, PROVIDER_ROLE_OVERRIDE_FILE);
  if (!roleName) {
    rmSync(file, { force: true });
    return;
  }
  const config = JSON.parse(readFileSync(join(ctx.workdir, 'cdk.tf.json'), 'utf8')) as ProviderConfig;
  // Terraform merges *_override.tf.json files into the configuration; a provider
  // block overrides the one with the same alias, and its assume_role block replaces
  // the original one.
  writeJson(file, providerRoleOverride(ctx.stack, config, roleName));
}

/** The part of a stack's Terraform JSON that {@link providerRoleOverride} reads. */
export interface ProviderConfig {
  readonly provider?: { readonly aws?: readonly { alias?: string; assume_role?: { role_arn?: string; session_name?: string }[] }[] };
}

/**
 * The override file's content that points every AWS provider of a stack at `roleName`
 * in the account of the role it assumes (the plan runs' redirect to the read-only plan
 * role). The provider that reads the state bucket (alias `state`) keeps the backend's
 * credentials, as the backend does. Throws RunnerError when a provider has no literal
 * role ARN to redirect.
 */
export function providerRoleOverride(stack: string, config: ProviderConfig, roleName: string): { provider: { aws: object[] } } {
  const providers = (config.provider?.aws ?? []).filter((p) => p.alias !== STATE_PROVIDER_ALIAS).map((p) => {
    const assume = p.assume_role?.[0];
    const arn = assume?.role_arn ?? '';
    const match = /^(arn:aws[\w-]*:iam::\d{12}:role\/)[\w+=,.@/-]+$/.exec(arn);
    if (!match) {
      throw new RunnerError(`${stack}: provider aws.${p.alias ?? '(default)'} has no literal assume_role.role_arn to redirect to ${roleName}`);
    }
    return { ...(p.alias ? { alias: p.alias } : {}), assume_role: [{ ...assume, role_arn: `${match[1]}${roleName}` }] };
  });
  return { provider: { aws: providers } };
}

function withoutRoleOverride(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.PLATFORM_PROVIDER_ROLE_NAME;
  return copy;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
