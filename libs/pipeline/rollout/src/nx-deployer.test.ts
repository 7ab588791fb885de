import { NxDeployer } from './nx-deployer';

describe('NxDeployer', () => {
  it('deploys the rolled-out commit with nx run-many -t deploy in the workspace', async () => {
    const calls: string[] = [];
    await new NxDeployer('/ws', (cmd, args, cwd) => (calls.push(`${cwd}: ${cmd} ${args.join(' ')}`), 0)).deploy(['a-dev-global', 'b-dev-global']);
    expect(calls).toEqual(['/ws: npx nx run-many -t deploy -p a-dev-global,b-dev-global --parallel=4']);
  });

  it('rolls back in a worktree of the last good commit, removed afterwards even when the deploy fails', async () => {
    const calls: string[][] = [];
    const deployer = new NxDeployer('/ws', (cmd, args) => (calls.push([cmd, ...args]), cmd === 'npx' ? 1 : 0));
    await expect(deployer.deploy(['a-dev-eu-west-1'], 'abc1234')).rejects.toThrow('exited with 1');
    expect(calls.map((c) => c.slice(0, 3).join(' '))).toEqual(['git worktree add', 'npx nx run-many', 'git worktree remove']);
    expect(calls[0]).toContain('abc1234');
  });
});

describe('NxDeployer with reviewed plans', () => {
  it('plans, finds the plan stale and applies nothing', async () => {
    const calls: string[] = [];
    const deployer = new NxDeployer('/nonexistent-ws', (cmd, args) => (calls.push(args.slice(0, 4).join(' ')), 0), {
      reviewedDir: '/nonexistent-reviewed',
      allowance: {},
    });
    await expect(deployer.deploy(['a-dev-global'])).rejects.toMatchObject({ name: 'NothingAppliedError', kind: 'stale' });
    expect(calls).toEqual(['nx run-many -t plan']);
  });
});
