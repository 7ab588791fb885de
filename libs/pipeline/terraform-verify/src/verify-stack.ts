import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { countDeclaredResources } from './declared-resources';
import { type CommandResult, runCommand } from './run-command';

/** How to run Terraform for a verification. */
export interface TerraformSetup {
  readonly bin: string;
  /** Environment for terraform: TF_CLI_CONFIG_FILE and friends already set. */
  readonly env: NodeJS.ProcessEnv;
}

/** Seconds each step of one stack took. */
export interface StepTimes {
  readonly init: number;
  readonly plan?: number;
}

/**
 * The verdict on one `terraform plan` of a stack from empty state: it planned, created
 * exactly the resource instances the stack declares, and changed nothing else.
 */
export interface PlanVerdict {
  readonly ok: boolean;
  /** What failed, one line each. */
  readonly problems: readonly string[];
  readonly seconds: number;
  /** Resource instances the plan creates, when it planned. */
  readonly creates?: number;
}

/** The verdict on one stack. */
export interface StackVerification {
  readonly stack: string;
  /** `platform` or `bootstrap`. */
  readonly program: string;
  readonly ok: boolean;
  /** What failed, one line each (Terraform's diagnostics summarized). */
  readonly problems: readonly string[];
  readonly times: StepTimes;
  /** Resource instances the stack's JSON declares (for_each/count expanded). */
  readonly declared: number;
  /** Resource instances the plan creates, when the stack planned. */
  readonly creates?: number;
  /**
   * The second plan, with the state objects the stack reads through remote state
   * missing (a brand-new service's or environment's first plan). Only stacks that
   * read remote state have one. The stack is ok only when this is ok too.
   */
  readonly missingState?: PlanVerdict;
}

/** Terraform's JSON diagnostics (validate -json), the parts we print. */
interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
  readonly range?: { readonly filename: string };
  readonly snippet?: { readonly context?: string };
}

function describe(d: Diagnostic): string {
  const where = d.address ?? d.snippet?.context ?? '';
  return `${d.summary}${where ? ` (${where})` : ''}${d.detail ? `: ${d.detail.replace(/\s+/g, ' ').trim()}` : ''}`;
}

/** The error lines of Terraform's human output (the `Error:` line and the next one that says what). */
export function terraformErrors(output: string): string[] {
  // eslint-disable-next-line no-control-regex -- strips the terminal colour codes Terraform may print
  const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const errors: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^[│ ]*Error: (.*)$/.exec(lines[i]);
    if (!m) continue;
    const rest = lines
      .slice(i + 1, i + 12)
      .map((l) => l.replace(/^[│╵ ]+/, '').trim())
      .filter((l) => l && !l.startsWith('on ') && !l.startsWith('with ') && !/^\d+:/.test(l) && !l.startsWith('├') && !l.startsWith('│'));
    errors.push(`${m[1]}${rest.length ? `: ${rest[0]}` : ''}`);
  }
  return errors.length ? errors : [output.trim().split('\n').slice(-3).join(' ')];
}

/**
 * A `terraform plan` of an initialized stack from empty state: it must plan, create
 * exactly the `declared` resource instances, and change, import or delete nothing. Reads
 * Terraform's machine-readable output (`plan -json`:
 * https://developer.hashicorp.com/terraform/internals/machine-readable-ui): the
 * `change_summary` message and the `diagnostic` messages. No plan file and no
 * `show -json`: showing a plan starts one more hashicorp/aws process for its schema
 * (4-10 s per stack when two plan at once), and the summary's counts are all this needs.
 * Both state scenarios use it (the state objects the stack reads existing but empty, or
 * missing).
 */
export async function planFromEmptyState(stackDir: string, declared: number, tf: TerraformSetup): Promise<PlanVerdict> {
  const plan = await runCommand(tf.bin, ['plan', '-input=false', '-lock=false', '-no-color', '-json'], stackDir, tf.env);
  const messages = plan.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as { type?: string; diagnostic?: Diagnostic; changes?: Record<string, unknown> };
      } catch {
        return {};
      }
    });
  const errors = messages.filter((m) => m.type === 'diagnostic' && m.diagnostic?.severity === 'error').map((m) => `plan: ${describe(m.diagnostic as Diagnostic)}`);
  const changes = messages.find((m) => m.type === 'change_summary')?.changes;
  if (plan.exitCode !== 0 || !changes) {
    const problems = errors.length ? errors : terraformErrors(plan.stderr + plan.stdout).map((e) => `plan: ${e}`);
    return { ok: false, problems, seconds: plan.seconds };
  }
  const problems = [...errors];
  const add = Number(changes.add ?? 0);
  if (add !== declared) problems.push(`plan creates ${add} resource instances, the stack declares ${declared}`);
  // Every other count of the summary (change, remove, import, and any a later Terraform adds).
  for (const [kind, n] of Object.entries(changes)) {
    if (kind !== 'add' && typeof n === 'number' && n > 0) problems.push(`plan from empty state has ${n} ${kind}`);
  }
  return { ok: problems.length === 0, problems, seconds: plan.seconds, creates: add };
}

/** `terraform init` of one stack: offline, providers from the mirror through the plugin cache. */
export async function initStack(stackDir: string, tf: TerraformSetup): Promise<CommandResult> {
  const init = () => runCommand(tf.bin, ['init', '-input=false', '-no-color'], stackDir, tf.env);
  const first = await init();
  if (first.exitCode === 0 || !/Failed to install provider/.test(first.stderr + first.stdout)) return first;
  // Seen once in 34 stacks on a cold plugin cache ("Error while installing hashicorp/aws
  // v5.100.0: after installing ..."), never on a second try: the install into the cache
  // is retried once; a real problem (a mirror without the provider) fails both times.
  const second = await init();
  return { ...second, seconds: first.seconds + second.seconds };
}

/**
 * Verifies one synthesized stack with real Terraform: `init` (offline, from the
 * mirror), then a `plan` from empty state ({@link planFromEmptyState}, which validates the
 * configuration first) that must create exactly the resource instances the stack
 * declares and change nothing else.
 */
export async function verifyStack(
  stackDir: string,
  stack: string,
  program: string,
  tf: TerraformSetup,
  /** The result of an `init` already run in `stackDir` (see {@link initStack}). @default - runs it */
  initResult?: CommandResult,
): Promise<StackVerification> {
  const declared = countDeclaredResources(JSON.parse(readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')));
  const uncountable = declared.uncountable.map((a) => `cannot count the instances of ${a}: for_each/count is not a literal`);
  const verdict = (times: StepTimes, problems: string[], creates?: number): StackVerification => ({
    stack,
    program,
    ok: problems.length === 0,
    problems,
    times,
    declared: declared.instances,
    ...(creates === undefined ? {} : { creates }),
  });

  const init = initResult ?? (await initStack(stackDir, tf));
  if (init.exitCode !== 0) return verdict({ init: init.seconds }, [...uncountable, ...terraformErrors(init.stderr + init.stdout).map((e) => `init: ${e}`)]);

  // No separate `terraform validate`: `plan` validates the whole configuration first and
  // reports the same diagnostics, and each Terraform command starts a provider process
  // per aliased provider (about 3 s of CPU each for hashicorp/aws). Measured on the
  // example platform: validate was 14 of about 45 s per stack (docs/pipelines.md).
  const plan = await planFromEmptyState(stackDir, declared.instances, tf);
  return verdict({ init: init.seconds, plan: plan.seconds }, [...uncountable, ...plan.problems], plan.creates);
}
