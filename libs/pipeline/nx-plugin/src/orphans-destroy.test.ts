import { parsePlatform } from '@platform/config';
import { platformFixture, withEnvironment, withService } from '@platform/config/testing';
import { findOrphans } from './orphans';
import { BaseCommitDestroyer, type StackDestroyer, destroyOrphans, explainDestroyFailure, orphanDestroyMatrix } from './orphans-destroy';

// The base commit had the service `catalog` and the environment `qa`; the merged change removed both.
const fixture = platformFixture();
const base = parsePlatform(
  withEnvironment(withService(fixture, 'catalog', {}), 'qa', { accountId: '444444444444', domain: 'qa.example.com', regions: ['eu-west-1'], deployRoleName: 'qa-deployer' }),
  'base.json',
);
const head = parsePlatform(fixture, 'head.json');

class RecordingDestroyer implements StackDestroyer {
  readonly destroyed: string[] = [];
  failOn: { stack: string; output: string } | undefined;
  async destroy(stack: string): Promise<void> {
    if (this.failOn?.stack === stack) throw new Error(this.failOn.output);
    this.destroyed.push(stack);
  }
}

const DYNAMODB_PROTECTED = [
  '╷',
  '│ Error: deleting DynamoDB Table (catalog-dev): operation error DynamoDB: DeleteTable, https response error StatusCode: 400, ValidationException: Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.',
  '│',
  '╵',
].join('\n');

describe('destroyOrphans', () => {
  it('destroys nothing without the label destroy-orphans:<env>, and says which label is missing', async () => {
    const destroyer = new RecordingDestroyer();
    const orphans = await findOrphans({ platform: head, base, environment: 'dev' });

    const result = await destroyOrphans({ environment: 'dev', orphans, labels: ['destroy-orphans:prod', 'allow-destructive-changes'], destroyer });

    expect(destroyer.destroyed).toEqual([]);
    expect(result.outcome).toBe('not-labelled');
    expect(result.left).toEqual(orphans.map((o) => o.stack));
    expect(result.messages[0]).toContain('no label destroy-orphans:dev');
  });

  it('with the label, destroys every orphan of the environment, regional stacks before the global one', async () => {
    const destroyer = new RecordingDestroyer();
    const orphans = await findOrphans({ platform: head, base, environment: 'dev' });

    const result = await destroyOrphans({ environment: 'dev', orphans, labels: ['destroy-orphans:dev'], destroyer });

    expect(result.outcome).toBe('destroyed');
    expect(destroyer.destroyed).toEqual(['catalog-dev-eu-west-1', 'catalog-dev-us-east-1', 'catalog-dev-global']);
  });

  it('stops at a regional stack stopped by deletion protection, keeps the global stack, and tells the user to lift protection first', async () => {
    const destroyer = new RecordingDestroyer();
    destroyer.failOn = { stack: 'catalog-dev-us-east-1', output: DYNAMODB_PROTECTED };
    const orphans = await findOrphans({ platform: head, base, environment: 'dev' });

    const result = await destroyOrphans({ environment: 'dev', orphans, labels: ['destroy-orphans:dev'], destroyer });

    expect(result).toMatchObject({ outcome: 'failed', destroyed: ['catalog-dev-eu-west-1'], left: ['catalog-dev-us-east-1', 'catalog-dev-global'] });
    expect(result.messages[0]).toMatch(/^catalog-dev-us-east-1: the destroy stopped at a protected resource \(Error: deleting DynamoDB Table/);
    expect(result.messages[0]).toContain('Lift the protection in a separate, reviewed change first');
    expect(result.messages[0]).toContain('with the label destroy-orphans:dev');
  });

  it('has nothing to do when there are no orphans', async () => {
    const destroyer = new RecordingDestroyer();
    expect((await destroyOrphans({ environment: 'dev', orphans: [], labels: [], destroyer })).outcome).toBe('none');
  });
});

describe('explainDestroyFailure', () => {
  it.each([
    ['Error: Instance cannot be destroyed: Resource aws_s3_bucket.assets has lifecycle.prevent_destroy set'],
    ['InvalidParameterCombination: Cannot delete protected Cluster, please disable deletion protection and try again.'],
  ])('recognizes protection in %s', (output) => {
    expect(explainDestroyFailure('s', 'prod', output)).toContain('Lift the protection in a separate, reviewed change first');
  });

  it('gives any other failure as its error line', () => {
    expect(explainDestroyFailure('catalog-dev-global', 'dev', 'Initializing...\n│ Error: AccessDenied: not authorized to perform: route53:DeleteHostedZone\n')).toBe(
      'catalog-dev-global: destroy failed: Error: AccessDenied: not authorized to perform: route53:DeleteHostedZone',
    );
  });
});

describe('orphanDestroyMatrix', () => {
  it('lists only the labelled environments, with the account and role of a removed environment from the base config', async () => {
    const byEnvironment = {
      dev: await findOrphans({ platform: head, base, environment: 'dev' }),
      prod: await findOrphans({ platform: head, base, environment: 'prod' }),
      qa: await findOrphans({ platform: head, base, environment: 'qa' }),
    };

    const { include, unlabelled } = orphanDestroyMatrix(head, base, byEnvironment, ['destroy-orphans:qa', 'destroy-orphans:dev']);

    expect(include.map((j) => j.environment)).toEqual(['dev', 'qa']);
    expect(include[1]).toMatchObject({ accountId: '444444444444', deployRoleName: 'qa-deployer', region: 'eu-west-1' });
    expect(include[1].stacks.split(',').slice(-2)).toEqual(['catalog-qa-global', 'items-qa-global']);
    expect(unlabelled.map((u) => u.environment)).toEqual(['prod']);
  });
});

describe('BaseCommitDestroyer', () => {
  it('synthesizes the base commit once in a worktree and destroys one stack per call with PLATFORM_DESTROY, without task dependencies', async () => {
    const calls: { args: string; env?: NodeJS.ProcessEnv }[] = [];
    const destroyer = new BaseCommitDestroyer('/repo', 'abc1234', (command, args, _cwd, env) => {
      calls.push({ args: `${command} ${args.join(' ')}`, ...(env ? { env } : {}) });
      return { status: 0, output: '' };
    });

    await destroyer.destroy('catalog-dev-eu-west-1', 'dev');
    await destroyer.destroy('catalog-dev-global', 'dev');

    expect(calls.map((c) => c.args.replace(/\/tmp\S*|\S*orphans-abc1234-\S*/g, '<dir>'))).toEqual([
      'git worktree add --detach <dir> abc1234',
      'npx nx run platform-stacks:synth',
      'npx nx run-many -t destroy -p catalog-dev-eu-west-1 --exclude-task-dependencies',
      'npx nx run-many -t destroy -p catalog-dev-global --exclude-task-dependencies',
    ]);
    expect(calls[2].env).toEqual({ PLATFORM_DESTROY: 'dev' });
  });
});
