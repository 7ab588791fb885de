// Destroying the orphans of a merged pull request: only with the label
// `destroy-orphans:<env>` (DESTROY_ORPHANS_LABEL_PREFIX), one stack at a time in destroy
// order (regional before global), stopping at the first failure; a failure caused by
// deletion protection becomes the message that tells the user what to do. The stacks are
// no longer in the config, so they are destroyed from a worktree of the base commit,
// whose config still has them (BaseCommitDestroyer).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Platform } from '@platform/config';
import { type Orphan, destroyOrphansLabel } from './orphans';

/** Destroys one stack; rejects with an error whose message holds Terraform's output. */
export interface StackDestroyer {
  destroy(stack: string, environment: string): Promise<void>;
}

export interface OrphanDestroyResult {
  /** `not-labelled`: orphans exist but the label is missing, nothing was touched. */
  readonly outcome: 'none' | 'not-labelled' | 'destroyed' | 'failed';
  readonly destroyed: readonly string[];
  /** Stacks not destroyed because an earlier one failed (or the label is missing). */
  readonly left: readonly string[];
  /** One line per problem; for deletion protection, what to do. */
  readonly messages: readonly string[];
}

/** Terraform's and AWS's words for a destroy stopped by protection. */
const PROTECTION = [
  /deletion[ _-]?protection/i,
  /prevent_destroy/,
  /protected against deletion/i,
  /cannot delete protected/i,
  /BucketNotEmpty/,
  /HostedZoneNotEmpty/,
];

/** The message for a failed destroy of `stack`: the protection advice when protection stopped it, else its first error line. */
export function explainDestroyFailure(stack: string, environment: string, output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const hit = lines.find((l) => PROTECTION.some((p) => p.test(l)));
  if (hit) {
    return (
      `${stack}: the destroy stopped at a protected resource (${hit.replace(/^│\s*/, '').slice(0, 200)}). ` +
      `Lift the protection in a separate, reviewed change first (deletion_protection_enabled = false, no prevent_destroy, ` +
      `or force_destroy on the bucket; merged and deployed while the stack is still in the config), or keep the data with ` +
      `terraform state rm; then merge the removal again with the label ${destroyOrphansLabel(environment)}.`
    );
  }
  const error = lines.find((l) => /error/i.test(l)) ?? lines[lines.length - 1] ?? 'no output';
  return `${stack}: destroy failed: ${error.replace(/^│\s*/, '').slice(0, 300)}`;
}

/**
 * Destroys `orphans` (already in destroy order: regional before global) when `labels`
 * holds `destroy-orphans:<environment>`; without it, nothing. Stops at the first failure:
 * a global stack is never destroyed after one of its regional stacks failed.
 */
export async function destroyOrphans(options: {
  readonly environment: string;
  readonly orphans: readonly Orphan[];
  readonly labels: readonly string[];
  readonly destroyer: StackDestroyer;
  readonly log?: (line: string) => void;
}): Promise<OrphanDestroyResult> {
  const { environment, orphans } = options;
  const log = options.log ?? (() => undefined);
  const all = orphans.map((o) => o.stack);
  if (orphans.length === 0) return { outcome: 'none', destroyed: [], left: [], messages: [] };
  if (!options.labels.includes(destroyOrphansLabel(environment))) {
    return {
      outcome: 'not-labelled',
      destroyed: [],
      left: all,
      messages: [`${all.length} orphan stack(s) in ${environment} left as they are: the merged pull request has no label ${destroyOrphansLabel(environment)}`],
    };
  }
  const destroyed: string[] = [];
  for (const [i, orphan] of orphans.entries()) {
    log(`destroying ${orphan.stack} (${i + 1}/${orphans.length}, ${orphan.layer})`);
    try {
      await options.destroyer.destroy(orphan.stack, environment);
      destroyed.push(orphan.stack);
    } catch (err) {
      const message = explainDestroyFailure(orphan.stack, environment, String((err as Error)?.message ?? err));
      return { outcome: 'failed', destroyed, left: all.slice(i), messages: [message] };
    }
  }
  return { outcome: 'destroyed', destroyed, left: [], messages: [] };
}

/** One entry of the deploy workflow's destroy-orphans matrix. */
export interface OrphanDestroyJob {
  readonly environment: string;
  readonly accountId: string;
  readonly deployRoleName: string;
  readonly region: string;
  readonly stacks: string;
}

/**
 * The destroy-orphans matrix of a deploy: one entry per environment (promotion order of
 * the base config, then environments only the head has) whose orphans are labelled;
 * account and role from the head config, or from the base for a removed environment.
 * Environments with orphans but no label are listed in `unlabelled` (a notice, nothing destroyed).
 */
export function orphanDestroyMatrix(
  head: Platform,
  base: Platform,
  orphansByEnvironment: Readonly<Record<string, readonly Orphan[]>>,
  labels: readonly string[],
): { include: OrphanDestroyJob[]; unlabelled: { environment: string; stacks: string[] }[] } {
  const include: OrphanDestroyJob[] = [];
  const unlabelled: { environment: string; stacks: string[] }[] = [];
  for (const [environment, orphans] of Object.entries(orphansByEnvironment)) {
    if (orphans.length === 0) continue;
    const stacks = orphans.map((o) => o.stack);
    if (!labels.includes(destroyOrphansLabel(environment))) {
      unlabelled.push({ environment, stacks });
      continue;
    }
    const env = head.config.environments[environment] ?? base.config.environments[environment];
    include.push({ environment, accountId: env.accountId, deployRoleName: env.deployRoleName, region: env.regions[0], stacks: stacks.join(',') });
  }
  return { include, unlabelled };
}

/**
 * Destroys a stack from a git worktree of the base commit (where the config still has
 * it): synthesizes there once, then `PLATFORM_DESTROY=<env> nx run-many -t destroy -p
 * <stack> --exclude-task-dependencies` per stack, so the order is the caller's.
 */
export class BaseCommitDestroyer implements StackDestroyer {
  private dir: string | undefined;

  constructor(
    private readonly workspaceRoot: string,
    private readonly baseCommit: string,
    private readonly run: (command: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv) => { status: number; output: string } = (command, args, cwd, env) => {
      const res = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 << 20 });
      const output = `${res.stdout ?? ''}${res.stderr ?? ''}`;
      process.stdout.write(output);
      return { status: res.status ?? 1, output };
    },
  ) {}

  private worktree(): string {
    if (this.dir) return this.dir;
    const dir = mkdtempSync(path.join(tmpdir(), `orphans-${this.baseCommit.slice(0, 7)}-`));
    rmSync(dir, { recursive: true, force: true });
    const add = this.run('git', ['worktree', 'add', '--detach', dir, this.baseCommit], this.workspaceRoot);
    if (add.status !== 0) throw new Error(`git worktree add of ${this.baseCommit} failed (is the commit fetched? check out with fetch-depth 0)`);
    if (existsSync(dir)) symlinkSync(path.join(this.workspaceRoot, 'node_modules'), path.join(dir, 'node_modules'));
    const synth = this.run('npx', ['nx', 'run', 'platform-stacks:synth'], dir);
    if (synth.status !== 0) throw new Error(`synth of the base commit ${this.baseCommit} failed:\n${synth.output.slice(-2000)}`);
    this.dir = dir;
    return dir;
  }

  async destroy(stack: string, environment: string): Promise<void> {
    const res = this.run('npx', ['nx', 'run-many', '-t', 'destroy', '-p', stack, '--exclude-task-dependencies'], this.worktree(), { PLATFORM_DESTROY: environment });
    if (res.status !== 0) throw new Error(res.output);
  }

  /** Removes the worktree. */
  close(): void {
    if (this.dir) this.run('git', ['worktree', 'remove', '--force', this.dir], this.workspaceRoot);
    this.dir = undefined;
  }
}
