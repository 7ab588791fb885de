// The pipeline's StackDeployer: `nx run-many -t deploy` (plan to a file, the guard,
// apply exactly that file) for the commit being rolled out; for a rollback, the same in
// a temporary git worktree of the last good commit.
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { StackDeployer } from './execute';

/** Runs a command; returns its exit status. */
export type CommandRunner = (command: string, args: readonly string[], cwd: string) => number;

const inherit: CommandRunner = (command, args, cwd) => spawnSync(command, args, { cwd, stdio: 'inherit' }).status ?? 1;

export class NxDeployer implements StackDeployer {
  constructor(
    private readonly workspaceRoot: string,
    private readonly run: CommandRunner = inherit,
  ) {}

  private nxDeploy(stacks: readonly string[], cwd: string): void {
    const status = this.run('npx', ['nx', 'run-many', '-t', 'deploy', '-p', stacks.join(','), '--parallel=4'], cwd);
    if (status !== 0) throw new Error(`nx run-many -t deploy -p ${stacks.join(',')} exited with ${status}`);
  }

  async deploy(stacks: readonly string[], commit?: string): Promise<void> {
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
