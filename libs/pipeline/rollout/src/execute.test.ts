import { parsePlatform } from '@platform/config';
import { platformFixture } from '@platform/config/testing';
import { MemoryDeploymentRecord } from './deployment-record';
import { NothingAppliedError, executeRollout, formatResult } from './execute';
import { planRollout } from './plan';
import { FakeAlarms, FakeClock, FakeDeployer, FakeHealthChecks, FakePager } from './testing/fakes';

const GOOD = 'aaaaaaa';
const NEW = 'bbbbbbb';

function setUp() {
  const config = platformFixture({ services: { items: { app: 'items-api' } } });
  config.environments.prod.rollout = { bakeMinutes: 10 };
  const plan = planRollout(parsePlatform(config), 'prod');
  const record = new MemoryDeploymentRecord(Object.fromEntries(parsePlatform(config).stacks.filter((s) => s.environment === 'prod').map((s) => [s.name, GOOD])));
  const fakes = { alarms: new FakeAlarms(), healthChecks: new FakeHealthChecks(), deployer: new FakeDeployer(), pager: new FakePager(), clock: new FakeClock() };
  const run = () => executeRollout({ plan, commit: NEW, record, ...fakes, pollSeconds: 30 });
  return { plan, record, run, ...fakes };
}

describe('executing a rollout', () => {
  it('deploys every wave in order, bakes the canary for its 10 minutes, and records the new commit', async () => {
    const t = setUp();
    const start = t.clock.now();
    const result = await t.run();
    expect(result.outcome).toBe('deployed');
    expect(t.deployer.calls.map((c) => c.stacks)).toEqual(t.plan.waves.map((w) => w.stacks));
    expect(t.clock.now() - start).toBe((600 + 60 + 60) * 1000);
    expect(t.record.lastGood('items-prod-us-east-1')?.commit).toBe(NEW);
  });

  it('stops at the canary when its composite alarm fires, rolls it back to the last good commit and touches no other region', async () => {
    const t = setUp();
    t.deployer.onDeploy = (stacks, commit) => {
      if (stacks.includes('items-prod-ap-southeast-1')) {
        if (commit) t.alarms.states.delete('items-prod-ap-southeast-1-region-unhealthy');
        else t.alarms.states.set('items-prod-ap-southeast-1-region-unhealthy', 'ALARM');
      }
    };
    const result = await t.run();
    expect(result).toMatchObject({
      outcome: 'rolled-back',
      failedWave: 'canary ap-southeast-1',
      reasons: ['alarm items-prod-ap-southeast-1-region-unhealthy (ap-southeast-1): ALARM'],
      rolledBack: [{ stack: 'items-prod-ap-southeast-1', commit: GOOD }],
      untouched: ['regions eu-west-1', 'regions us-east-1'],
    });
    expect(t.deployer.calls).toEqual([{ stacks: ['items-prod-global'] }, { stacks: ['items-prod-ap-southeast-1'] }, { stacks: ['items-prod-ap-southeast-1'], commit: GOOD }]);
    expect(t.record.lastGood('items-prod-ap-southeast-1')?.commit).toBe(GOOD);
  });

  it('fails a gate it cannot read, and says why', async () => {
    const t = setUp();
    t.alarms.failReads = 'AccessDenied: cloudwatch:DescribeAlarms';
    const result = await t.run();
    expect(result.outcome).not.toBe('deployed');
    expect(result.reasons[0]).toBe('alarm items-prod-ap-southeast-1-region-unhealthy (ap-southeast-1): cannot be read: AccessDenied: cloudwatch:DescribeAlarms');
  });

  it('fails a gate whose alarm does not exist', async () => {
    const t = setUp();
    t.alarms.missing.add('items-prod-ap-southeast-1-region-unhealthy');
    t.deployer.onDeploy = (_s, commit) => {
      if (commit) t.alarms.missing.clear();
    };
    expect((await t.run()).reasons).toEqual(['alarm items-prod-ap-southeast-1-region-unhealthy (ap-southeast-1): not found']);
  });

  it('trips on a health check that turns unhealthy half-way through the bake', async () => {
    const t = setUp();
    const wentBad = t.clock.now() + 5 * 60_000;
    const realSleep = t.clock.sleep.bind(t.clock);
    t.clock.sleep = async (ms) => {
      await realSleep(ms);
      if (t.clock.now() >= wentBad && t.deployer.calls.length === 2) t.healthChecks.unhealthy.add('items-prod-ap-southeast-1-https');
    };
    t.deployer.onDeploy = (_s, commit) => {
      if (commit) t.healthChecks.unhealthy.clear();
    };
    const result = await t.run();
    expect(result.reasons).toEqual(['health-check items-prod-ap-southeast-1-https (ap-southeast-1): unhealthy']);
    expect(result.outcome).toBe('rolled-back');
  });

  it('rolls back a failed deploy of a later wave and leaves the regions that passed alone', async () => {
    const t = setUp();
    t.deployer.onDeploy = (stacks, commit) => {
      if (!commit && stacks.includes('items-prod-eu-west-1')) throw new Error('terraform apply exited with 1');
    };
    const result = await t.run();
    expect(result).toMatchObject({
      outcome: 'rolled-back',
      completed: ['global', 'canary ap-southeast-1'],
      failedWave: 'regions eu-west-1',
      reasons: ['deploy failed: terraform apply exited with 1'],
      untouched: ['regions us-east-1'],
    });
  });

  it('pages once and stops when the rollback fails too', async () => {
    const t = setUp();
    t.alarms.states.set('items-prod-ap-southeast-1-region-unhealthy', 'ALARM');
    t.deployer.onDeploy = (_s, commit) => {
      if (commit) throw new Error('state lock held');
    };
    const result = await t.run();
    expect(result.outcome).toBe('paged');
    expect(t.pager.pages).toHaveLength(1);
    expect(t.pager.pages[0].message).toContain('The rollback failed too: rollback deploy failed: state lock held.');
    expect(t.deployer.calls.filter((c) => c.commit)).toHaveLength(1);
  });

  it('pages when the gates still fail 10 minutes after the rollback', async () => {
    const t = setUp();
    t.alarms.states.set('items-prod-ap-southeast-1-region-unhealthy', 'ALARM');
    const result = await t.run();
    expect(result.outcome).toBe('paged');
    expect(result.rollbackFailure).toBe('gates still failing 600 s after the rollback: alarm items-prod-ap-southeast-1-region-unhealthy (ap-southeast-1): ALARM');
  });

  it('waits for an alarm to clear after the rollback instead of paging at once', async () => {
    const t = setUp();
    t.alarms.states.set('items-prod-ap-southeast-1-region-unhealthy', 'ALARM');
    let rolledBackAt = 0;
    t.deployer.onDeploy = (_s, commit) => {
      if (commit) rolledBackAt = t.clock.now();
    };
    const sleep = t.clock.sleep.bind(t.clock);
    t.clock.sleep = async (ms) => {
      await sleep(ms);
      if (rolledBackAt && t.clock.now() - rolledBackAt >= 120_000) t.alarms.states.clear();
    };
    const result = await t.run();
    expect(result.outcome).toBe('rolled-back');
    expect(t.pager.pages).toEqual([]);
  });

  it('leaves a stack with no earlier good deploy as it is, and says so', async () => {
    const t = setUp();
    t.record.entries.delete('items-prod-ap-southeast-1');
    t.alarms.states.set('items-prod-ap-southeast-1-region-unhealthy', 'ALARM');
    const result = await t.run();
    expect(result.notRolledBack).toEqual(['items-prod-ap-southeast-1']);
    expect(formatResult(t.plan, result)).toContain('not rolled back (never deployed successfully before): items-prod-ap-southeast-1');
  });
});

describe('a wave that applies nothing', () => {
  it('stops without rolling back when the plan is stale', async () => {
    const t = setUp();
    t.deployer.onDeploy = (stacks) => {
      if (stacks.includes('items-prod-ap-southeast-1')) throw new NothingAppliedError('items-prod-ap-southeast-1: the plan changed', 'stale');
    };
    const result = await t.run();
    expect(result).toMatchObject({ outcome: 'stale', failedWave: 'canary ap-southeast-1', rolledBack: [], untouched: ['regions eu-west-1', 'regions us-east-1'] });
    expect(t.deployer.calls.filter((c) => c.commit)).toEqual([]);
  });
});
