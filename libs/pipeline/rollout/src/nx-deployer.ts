// The pipeline's StackDeployer: `nx run-many -t deploy` (plan to a file, the guard,
// apply exactly that file) for the commit being rolled out; for a rollback, the same in
// a temporary git worktree of the last good commit.
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { NothingAppliedError, type StackDeployer } from './execute';
import { type ReviewedPlanCheck, checkBeforeApply } from './reviewed-plans';

/** The terraform runner's plan folder (`dist/terraform/<stack>/`), relative to the workspace root. */
export const PLANS_DIR = path.join('dist', 'terraform');

/** Runs a command; returns its exit status. */
export type CommandRunner = (command: string, args: readonly string[], cwd: string) => number;

const inherit: CommandRunner = (command, args, cwd) => spawnSync(command, args, { cwd, stdio: 'inherit' }).status ?? 1;

export class NxDeployer implements StackDeployer {
  constructor(
    private readonly workspaceRoot: string,
    private readonly run: CommandRunner = inherit,
    /**
     * Apply only what was reviewed: plan the wave, check its plans against the reviewed
     * ones and the guard, then apply exactly those plan files.
     * @default - plan and apply in one `nx run-many -t deploy` (no review to compare with)
     */
    private readonly reviewed?: Omit<ReviewedPlanCheck, 'plansDir'>,
  ) {}

  private nx(target: 'plan' | 'deploy', stacks: readonly string[], cwd: string, extra: readonly string[] = []): void {
    const status = this.run('npx', ['nx', 'run-many', '-t', target, '-p', stacks.join(','), '--parallel=4', ...extra], cwd);
    if (status !== 0) throw new Error(`nx run-many -t ${target} -p ${stacks.join(',')} exited with ${status}`);
  }

  private nxDeploy(stacks: readonly string[], cwd: string): void {
    this.nx('deploy', stacks, cwd);
  }

  async deploy(stacks: readonly string[], commit?: string): Promise<void> {
    if (!commit && this.reviewed) {
      this.nx('plan', stacks, this.workspaceRoot, ['--exclude-task-dependencies']);
      const { stale, blocked } = checkBeforeApply(stacks, { ...this.reviewed, plansDir: path.join(this.workspaceRoot, PLANS_DIR) });
      if (stale.length > 0) throw new NothingAppliedError(stale.join('\n'), 'stale');
      if (blocked.length > 0) throw new NothingAppliedError(blocked.join('\n'), 'blocked');
      // Exactly the plan files just checked: no plan task runs again.
      return this.nx('deploy', stacks, this.workspaceRoot, ['--exclude-task-dependencies']);
    }
    if (!commit) return this.nxDeploy(stacks, this.workspaceRoot);
    const dir = mkdtempSync(path.join(tmpdir(), `rollback-${commit.slice(0, 7)}-`));
    rmSync(dir, { recursive: true, force: true });
    const status = this.run('git', ['worktree', 'add', '--detach', dir, commit], this.workspaceRoot);
    if (status !== 0) throw new Error(`git worktree add of ${commit} exited with ${status} (is the commit fetched? the deploy job checks out with fetch-depth 0)`);
    try {
      // The same dependencies: a rollback must not wait for npm ci.
      if (existsSync(dir)) symlinkSync(path.join(this.workspaceRoot, 'node_modules'), path.join(dir, 'node_modules'));
      this.nxDeploy(stacks, dir);
    } finally {
      this.run('git', ['worktree', 'remove', '--force', dir], this.workspaceRoot);
    }
  }
}
