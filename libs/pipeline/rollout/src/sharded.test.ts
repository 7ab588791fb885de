import { parsePlatform } from '@platform/config';
// The 50-service benchmark platform (550 stacks) the PR plan's shard tests use.
import { generatedConfig } from '@platform/nx-plugin/testing';
import { MemoryDeploymentRecord } from './deployment-record';
import { NothingAppliedError } from './execute';
import { planRollout } from './plan';
import {
  type ShardResult,
  type ShardRollback,
  type ShardedWave,
  applyShard,
  gateWave,
  mergeDeploymentRecords,
  missingVerdict,
  recoverWave,
  rollBackShard,
  shardOf,
  shardWaves,
  waveOf,
  wavesMatrix,
} from './sharded';
import { FakeAlarms, FakeClock, FakeDeployer, FakeHealthChecks, FakePager } from './testing/fakes';

const platform = parsePlatform(generatedConfig(50), 'config/platform.json');
const GOOD = 'aaaaaaa';
const NEW = 'bbbbbbb';

describe('shardWaves on the 550-stack platform', () => {
  const plan = planRollout(platform, 'prod');
  const waves = shardWaves(plan, 20);
  const spec = (name: string) => platform.stacks.find((s) => s.name === name)!;
  const waveIndexOf = (stack: string) => waves.findIndex((w) => w.shards.some((s) => s.stacks.includes(stack)));

  it('splits the 200 prod stacks into global, canary, then the other regions, in that order', () => {
    expect(platform.stacks).toHaveLength(550);
    expect(waves.map((w) => [w.name, w.stacks.length, w.shards.length])).toEqual([
      ['global', 50, 3],
      ['canary ap-southeast-1', 50, 3],
      ['regions eu-west-1', 50, 3],
      ['regions us-east-1', 50, 3],
    ]);
  });

  it('covers every stack of each wave exactly once, in the wave order, in shards no larger than the shard size', () => {
    for (const wave of waves) {
      expect(wave.shards.flatMap((s) => s.stacks)).toEqual(wave.stacks);
      expect(wave.shards.map((s) => s.stacks.length)).toEqual([17, 17, 16]);
    }
  });

  it('puts every regional stack in a wave after the wave of its global stack', () => {
    for (const stack of platform.stacks.filter((s) => s.environment === 'prod' && s.globalStack)) {
      expect([stack.name, waveIndexOf(stack.globalStack!) < waveIndexOf(stack.name)]).toEqual([stack.name, true]);
    }
  });

  it('bakes the canary before any other region, and no wave mixes regions of two waves', () => {
    expect(waves[1].kind).toBe('canary');
    expect(waves.slice(2).every((w) => w.stacks.every((s) => spec(s).region !== plan.canaryRegion))).toBe(true);
    expect(waves[1].stacks.every((s) => spec(s).region === plan.canaryRegion)).toBe(true);
  });

  it('gives the workflow one matrix entry per wave with its own shard matrix', () => {
    const matrix = wavesMatrix(waves);
    expect(matrix.include.map((w) => w.wave)).toEqual([1, 2, 3, 4]);
    const shards = JSON.parse(matrix.include[1].shards) as { include: { shard: string; stacks: string }[] };
    expect(shards.include.map((s) => s.shard)).toEqual(['1/3', '2/3', '3/3']);
    expect(shards.include.flatMap((s) => s.stacks.split(','))).toEqual(waves[1].stacks);
  });

  it('keeps the whole environment in one shard per wave at the default size of 100', () => {
    expect(shardWaves(plan, 100).map((w) => w.shards.length)).toEqual([1, 1, 1, 1]);
  });

  it('refuses a wave or shard the plan does not have, in one line', () => {
    expect(() => waveOf(waves, 5)).toThrow('wave 5 does not exist: the rollout has 4 wave(s)');
    expect(() => shardOf(waves[0], '2/4')).toThrow('shard 2/4 does not exist: wave 1 (global) has 3 shard(s)');
    expect(() => shardOf(waves[0], 'two')).toThrow('--shard must be <i>/<n>, got "two"');
  });
});

/** Runs the sharded rollout as deploy-wave.yml does: per wave, every shard applies, one gate, the rollbacks, one recovery; stops at the first failed wave. */
async function runLikeTheWorkflow(waves: readonly ShardedWave[], t: ReturnType<typeof fakes>) {
  const waveRecords: MemoryDeploymentRecord[] = [];
  for (const wave of waves) {
    const results: ShardResult[] = [];
    for (const shard of wave.shards) results.push(await applyShard(shard, t.deployer));
    const waveRecord = new MemoryDeploymentRecord();
    const verdict = await gateWave({ wave, results, commit: NEW, alarms: t.alarms, healthChecks: t.healthChecks, record: waveRecord, clock: t.clock });
    waveRecords.push(waveRecord);
    if (verdict.outcome === 'passed') continue;
    const rollbacks: ShardRollback[] = [];
    for (const shard of wave.shards) if (verdict.rollBack.includes(`${shard.index}/${shard.count}`)) rollbacks.push(await rollBackShard(shard, t.previous, t.deployer));
    const recovery = await recoverWave({ environment: 'prod', commit: NEW, wave, verdict, rollbacks, alarms: t.alarms, healthChecks: t.healthChecks, pager: t.pager, clock: t.clock });
    return { failedWave: wave.name, verdict, recovery, waveRecords };
  }
  return { waveRecords };
}

function fakes() {
  const previous = new MemoryDeploymentRecord(Object.fromEntries(platform.stacks.filter((s) => s.environment === 'prod').map((s) => [s.name, GOOD])));
  return { previous, alarms: new FakeAlarms(), healthChecks: new FakeHealthChecks(), deployer: new FakeDeployer(), pager: new FakePager(), clock: new FakeClock() };
}

describe('a rollout spread over shards', () => {
  const waves = shardWaves(planRollout(platform, 'prod'), 20);
  const canary = waves[1];

  it('applies every shard of a wave before the next wave starts, bakes the canary once, and records every stack', async () => {
    const t = fakes();
    const start = t.clock.now();
    const { waveRecords } = await runLikeTheWorkflow(waves, t);
    expect(t.deployer.calls.map((c) => c.stacks)).toEqual(waves.flatMap((w) => w.shards.map((s) => s.stacks)));
    expect(t.clock.now() - start).toBe((600 + 60 + 60) * 1000);
    const merged = mergeDeploymentRecords([t.previous.entries, ...waveRecords.map((r) => r.entries)].map((r) => Object.fromEntries(r)));
    expect(Object.values(merged).every((e) => e.commit === NEW)).toBe(true);
    expect(Object.keys(merged)).toHaveLength(200);
  });

  it('rolls back every shard of the canary when one region-unhealthy alarm fires, and starts no other region', async () => {
    const t = fakes();
    const bad = 'svc37-prod-ap-southeast-1';
    t.deployer.onDeploy = (stacks, commit) => {
      if (stacks.includes(bad)) t.alarms.states.set(`${bad}-region-unhealthy`, commit ? 'OK' : 'ALARM');
    };
    const run = await runLikeTheWorkflow(waves, t);
    expect(run.failedWave).toBe('canary ap-southeast-1');
    expect(run.verdict!.rollBack).toEqual(['1/3', '2/3', '3/3']);
    const rolledBack = t.deployer.calls.filter((c) => c.commit === GOOD).flatMap((c) => c.stacks);
    expect(rolledBack).toEqual(canary.stacks);
    expect(t.deployer.calls.some((c) => c.stacks.some((s) => waves[2].stacks.includes(s) || waves[3].stacks.includes(s)))).toBe(false);
    expect(run.recovery!.outcome).toBe('rolled-back');
    expect(run.waveRecords[1].entries.size).toBe(0);
  });

  it('fails the wave when one shard fails to apply, without watching the gates, and rolls back every shard that applied', async () => {
    const t = fakes();
    t.deployer.onDeploy = (stacks, commit) => {
      if (!commit && stacks === canary.shards[1].stacks) throw new Error('terraform apply exited with 1');
    };
    const run = await runLikeTheWorkflow(waves, t);
    expect(run.verdict).toEqual({ outcome: 'failed', reasons: ['shard 2/3: deploy failed: terraform apply exited with 1'], rollBack: ['1/3', '2/3', '3/3'] });
    expect(t.alarms.reads).toBe(1); // only the recovery read them: the failed wave was not baked
  });

  it('counts a shard without a result as failed (its job may have applied part of it)', async () => {
    const t = fakes();
    const results = [await applyShard(canary.shards[0], t.deployer), await applyShard(canary.shards[2], t.deployer)];
    const verdict = await gateWave({ wave: canary, results, commit: NEW, alarms: t.alarms, healthChecks: t.healthChecks, record: new MemoryDeploymentRecord(), clock: t.clock });
    expect(verdict.outcome).toBe('failed');
    expect(verdict.reasons).toEqual(['shard 2/3: shard 2/3 reported no result (its job failed or was cancelled)']);
    expect(verdict.rollBack).toEqual(['1/3', '2/3', '3/3']);
  });

  it('stops on a stale shard: the shards that applied roll back, the stale one applied nothing, and the outcome asks for a new plan', async () => {
    const t = fakes();
    t.deployer.onDeploy = (stacks, commit) => {
      if (!commit && stacks === canary.shards[2].stacks) throw new NothingAppliedError('svc40-prod-ap-southeast-1: the plan differs from the reviewed one', 'stale');
    };
    const run = await runLikeTheWorkflow(waves, t);
    expect(run.verdict).toMatchObject({ outcome: 'stale', rollBack: ['1/3', '2/3'] });
    expect(t.deployer.calls.filter((c) => c.commit).flatMap((c) => c.stacks)).toEqual([...canary.shards[0].stacks, ...canary.shards[1].stacks]);
  });

  it('rolls back nothing when no shard applied anything', async () => {
    const t = fakes();
    const results = canary.shards.map((s) => ({ wave: 2, shard: `${s.index}/${s.count}`, stacks: s.stacks, outcome: 'stale' as const, reasons: ['differs'] }));
    const verdict = await gateWave({ wave: canary, results, commit: NEW, alarms: t.alarms, healthChecks: t.healthChecks, record: new MemoryDeploymentRecord(), clock: t.clock });
    expect(verdict.rollBack).toEqual([]);
    const recovery = await recoverWave({ environment: 'prod', commit: NEW, wave: canary, verdict, rollbacks: [], alarms: t.alarms, healthChecks: t.healthChecks, pager: t.pager, clock: t.clock });
    expect(recovery.outcome).toBe('not-applied');
  });

  it('pages when one shard of the rollback fails, naming it', async () => {
    const t = fakes();
    t.alarms.states.set('svc01-prod-ap-southeast-1-region-unhealthy', 'ALARM');
    t.deployer.onDeploy = (stacks, commit) => {
      if (commit && stacks.includes('svc20-prod-ap-southeast-1')) throw new Error('state lock held');
    };
    const run = await runLikeTheWorkflow(waves, t);
    expect(run.recovery).toMatchObject({ outcome: 'paged', rollbackFailure: 'shard 2/3: rollback deploy failed: state lock held' });
    expect(t.pager.pages.map((p) => p.wave)).toEqual(['canary ap-southeast-1']);
  });

  it('rolls every shard back when the gate job left no verdict, and pages when one of them did not report', async () => {
    const t = fakes();
    const verdict = missingVerdict(canary);
    expect(verdict.rollBack).toEqual(['1/3', '2/3', '3/3']);
    const rollbacks = [await rollBackShard(canary.shards[0], t.previous, t.deployer), await rollBackShard(canary.shards[1], t.previous, t.deployer)];
    const recovery = await recoverWave({ environment: 'prod', commit: NEW, wave: canary, verdict, rollbacks, alarms: t.alarms, healthChecks: t.healthChecks, pager: t.pager, clock: t.clock });
    expect(recovery).toMatchObject({ outcome: 'paged', rollbackFailure: 'shard 3/3 reported no rollback (its job failed or was cancelled)' });
  });

  it('leaves a stack that never deployed before as it is, and says so', async () => {
    const shard = canary.shards[0];
    const t = fakes();
    t.previous.entries.delete(shard.stacks[0]);
    const rollback = await rollBackShard(shard, t.previous, t.deployer);
    expect(rollback.notRolledBack).toEqual([shard.stacks[0]]);
    expect(t.deployer.calls).toEqual([{ stacks: shard.stacks.slice(1), commit: GOOD }]);
  });
});

describe('mergeDeploymentRecords', () => {
  it('keeps, per stack, the entry that finished last, whatever the order of the records', () => {
    const previous = { a: { commit: GOOD, at: '2026-11-01T00:00:00.000Z' }, b: { commit: GOOD, at: '2026-11-01T00:00:00.000Z' } };
    const wave1 = { a: { commit: NEW, at: '2026-11-27T10:00:00.000Z' } };
    const wave2 = { c: { commit: NEW, at: '2026-11-27T11:00:00.000Z' } };

    expect(mergeDeploymentRecords([wave2, wave1, previous])).toEqual({ a: wave1.a, b: previous.b, c: wave2.c });
  });
});
