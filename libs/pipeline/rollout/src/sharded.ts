// The rollout of an environment spread over CI jobs: each wave of the plan (plan.ts) is
// split into shards applied by parallel jobs, then ONE job watches the wave's gates (the
// bake of the canary, the watch of later waves) and records it, or decides that every
// shard that applied anything goes back; the shards roll back in parallel, and one job
// waits for the gates to recover and pages when they do not. The waves stay in order
// (the workflow runs them one after the other and stops at the first failure), so no
// regional stack applies before its global stack and no other region before the
// canary's bake. Each step is a function here; the workflow
// (.github/workflows/deploy-wave.yml) only calls `npm run rollout:shard -- <step>`.
import type { AlarmReader, HealthCheckReader } from './gates';
import { describeFailures } from './gates';
import type { DeployedStack, DeploymentRecord } from './deployment-record';
import { type Clock, type ExecuteOptions, NothingAppliedError, type Pager, type StackDeployer, gatesAfterRecovery, systemClock, watchGates } from './execute';
import { RolloutInputError, type RolloutPlan, type Wave } from './plan';

/** One job's share of a wave. */
export interface WaveShard {
  /** 1-based position of the wave in the plan. */
  readonly wave: number;
  /** 1-based position among the wave's shards. */
  readonly index: number;
  readonly count: number;
  readonly stacks: readonly string[];
}

/** A wave with its shards. */
export interface ShardedWave extends Wave {
  /** 1-based position in the plan. */
  readonly number: number;
  readonly shards: readonly WaveShard[];
}

/**
 * Splits each wave into shards of at most `shardSize` stacks, in the wave's order. The
 * stacks of one wave do not depend on each other (a wave holds only global stacks, or
 * only regional stacks of its regions), so any split keeps the order between waves.
 */
export function shardWaves(plan: RolloutPlan, shardSize: number): ShardedWave[] {
  if (!Number.isInteger(shardSize) || shardSize < 1) throw new RangeError(`shardSize must be a positive integer, got ${shardSize}`);
  return plan.waves.map((wave, w) => {
    const count = Math.ceil(wave.stacks.length / shardSize);
    // Even shards (a wave of 101 at size 100 is 51 + 50, not 100 + 1): the wave takes as long as its largest.
    const per = Math.ceil(wave.stacks.length / count);
    const shards = Array.from({ length: count }, (_, i) => ({ wave: w + 1, index: i + 1, count, stacks: wave.stacks.slice(i * per, (i + 1) * per) }));
    return { ...wave, number: w + 1, shards };
  });
}

/** Wave `n` (1-based) of the sharded plan, or a one-line error. */
export function waveOf(waves: readonly ShardedWave[], n: number): ShardedWave {
  const wave = waves[n - 1];
  if (!wave) throw new RolloutInputError(`wave ${n} does not exist: the rollout has ${waves.length} wave(s)`);
  return wave;
}

/** Shard `i/n` of a wave, checked against the plan (a shard count that differs means the plan changed). */
export function shardOf(wave: ShardedWave, spec: string): WaveShard {
  const m = /^(\d+)\/(\d+)$/.exec(spec);
  if (!m) throw new RolloutInputError(`--shard must be <i>/<n>, got "${spec}"`);
  const [index, count] = [Number(m[1]), Number(m[2])];
  if (count !== wave.shards.length || index < 1 || index > count) {
    throw new RolloutInputError(`shard ${spec} does not exist: wave ${wave.number} (${wave.name}) has ${wave.shards.length} shard(s)`);
  }
  return wave.shards[index - 1];
}

/**
 * The GitHub Actions matrix of the waves, one entry per wave in order (the workflow runs
 * them with `max-parallel: 1` and `fail-fast`), each carrying its own shard matrix as a
 * JSON string: `{ include: [{ wave, name, kind, bakeSeconds, shards: '{"include":[{"shard":"1/2","stacks":"a,b"}]}' }] }`.
 */
export function wavesMatrix(waves: readonly ShardedWave[]): { include: { wave: number; name: string; kind: string; bakeSeconds: number; shards: string }[] } {
  return {
    include: waves.map((w) => ({
      wave: w.number,
      name: w.name,
      kind: w.kind,
      bakeSeconds: w.bakeSeconds,
      shards: JSON.stringify({ include: w.shards.map((s) => ({ shard: `${s.index}/${s.count}`, index: s.index, stacks: s.stacks.join(',') })) }),
    })),
  };
}

/** What one shard's apply job did (written to a file the gate job reads). */
export interface ShardResult {
  readonly wave: number;
  readonly shard: string;
  readonly stacks: readonly string[];
  /** `applied`: every stack applied; `failed`: the deploy failed (some stacks may have applied); `stale` / `blocked`: nothing applied. */
  readonly outcome: 'applied' | 'failed' | 'stale' | 'blocked';
  readonly reasons: readonly string[];
}

/** Applies one shard of a wave (the deployer plans, checks against the reviewed plans and the guard, applies). Never throws for a failed deploy. */
export async function applyShard(shard: WaveShard, deployer: StackDeployer): Promise<ShardResult> {
  const base = { wave: shard.wave, shard: `${shard.index}/${shard.count}`, stacks: shard.stacks };
  try {
    await deployer.deploy(shard.stacks);
    return { ...base, outcome: 'applied', reasons: [] };
  } catch (err) {
    if (err instanceof NothingAppliedError) return { ...base, outcome: err.kind, reasons: err.message.split('\n') };
    return { ...base, outcome: 'failed', reasons: [`deploy failed: ${(err as Error)?.message ?? String(err)}`] };
  }
}

/** The gate job's decision on a wave. */
export interface WaveVerdict {
  /** `passed`: every shard applied and the gates stayed OK (the wave is recorded); otherwise the rollout stops here. */
  readonly outcome: 'passed' | 'failed' | 'stale' | 'blocked';
  readonly reasons: readonly string[];
  /** Shards that applied something and must go back (`i/n`); empty when nothing was applied. */
  readonly rollBack: readonly string[];
}

/** `watchGates` and `gatesAfterRecovery` read only the gate readers and the timings of their options. */
function readersOf(o: Pick<ExecuteOptions, 'alarms' | 'healthChecks' | 'pollSeconds' | 'recoverySeconds'>): ExecuteOptions {
  return { alarms: o.alarms, healthChecks: o.healthChecks, pollSeconds: o.pollSeconds, recoverySeconds: o.recoverySeconds } as ExecuteOptions;
}

/**
 * The verdict when the gate job left none (it failed or was cancelled): the wave failed
 * and every shard rolls back, since any of them may have applied.
 */
export function missingVerdict(wave: ShardedWave): WaveVerdict {
  return { outcome: 'failed', reasons: ['the gate job reported no verdict (it failed or was cancelled)'], rollBack: wave.shards.map((s) => `${s.index}/${s.count}`) };
}

/** The shards whose apply may have changed something: what a failed wave rolls back. */
function touched(results: readonly ShardResult[]): string[] {
  return results.filter((r) => r.outcome === 'applied' || r.outcome === 'failed').map((r) => r.shard);
}

export interface GateWaveOptions {
  readonly wave: ShardedWave;
  /** The shard results found (a missing one counts as failed: its job may have applied part of it). */
  readonly results: readonly ShardResult[];
  readonly commit: string;
  readonly alarms: AlarmReader;
  readonly healthChecks: HealthCheckReader;
  /** Where the wave is recorded when it passes. */
  readonly record: DeploymentRecord;
  /** @default 30 */
  readonly pollSeconds?: number;
  /** @default the system clock */
  readonly clock?: Clock;
  readonly log?: (line: string) => void;
}

/**
 * After every shard of a wave ran: a shard that failed, is missing, or did not apply
 * fails the wave (every shard that applied anything rolls back, so the wave is all or
 * nothing); otherwise the gates are watched for the wave's bake and, when they stay OK,
 * every stack of the wave is recorded as deployed at `commit`.
 */
export async function gateWave(options: GateWaveOptions): Promise<WaveVerdict> {
  const { wave } = options;
  const log = options.log ?? (() => undefined);
  const clock = options.clock ?? systemClock;
  const byShard = new Map(options.results.filter((r) => r.wave === wave.number).map((r) => [r.shard, r]));
  const results: ShardResult[] = wave.shards.map((s) => {
    const key = `${s.index}/${s.count}`;
    return byShard.get(key) ?? { wave: wave.number, shard: key, stacks: s.stacks, outcome: 'failed', reasons: [`shard ${key} reported no result (its job failed or was cancelled)`] };
  });
  const bad = results.filter((r) => r.outcome !== 'applied');
  if (bad.length > 0) {
    const reasons = bad.flatMap((r) => r.reasons.map((line) => `shard ${r.shard}: ${line}`));
    // Stale or blocked shards applied nothing; any other failure wins over them.
    const outcome = bad.some((r) => r.outcome === 'failed') ? 'failed' : bad.some((r) => r.outcome === 'stale') ? 'stale' : 'blocked';
    log(`wave ${wave.name}: ${bad.length} of ${results.length} shard(s) did not apply (${outcome})`);
    return { outcome, reasons, rollBack: touched(results) };
  }
  if (wave.gates.length > 0) log(`wave ${wave.name}: watching ${wave.gates.length} gate(s) for ${wave.bakeSeconds} s`);
  const failed = await watchGates(wave, wave.bakeSeconds, readersOf(options), clock);
  if (failed) {
    log(`wave ${wave.name}: FAILED gates; every shard rolls back`);
    return { outcome: 'failed', reasons: describeFailures(failed), rollBack: touched(results) };
  }
  options.record.recordSuccess(wave.stacks, options.commit, new Date(clock.now()));
  log(`wave ${wave.name}: done, ${wave.stacks.length} stack(s) recorded at ${options.commit}`);
  return { outcome: 'passed', reasons: [], rollBack: [] };
}

/** What one shard's rollback job did. */
export interface ShardRollback {
  readonly wave: number;
  readonly shard: string;
  readonly rolledBack: readonly { stack: string; commit: string }[];
  /** Stacks with no earlier good deploy: left as they are. */
  readonly notRolledBack: readonly string[];
  readonly failure?: string;
}

/** Re-applies a shard's stacks at the last commit that deployed each of them successfully (grouped by commit). */
export async function rollBackShard(shard: WaveShard, record: DeploymentRecord, deployer: StackDeployer, log: (line: string) => void = () => undefined): Promise<ShardRollback> {
  const byCommit = new Map<string, string[]>();
  const notRolledBack: string[] = [];
  for (const stack of shard.stacks) {
    const good = record.lastGood(stack);
    if (!good) notRolledBack.push(stack);
    else byCommit.set(good.commit, [...(byCommit.get(good.commit) ?? []), stack]);
  }
  const rolledBack: { stack: string; commit: string }[] = [];
  const base = { wave: shard.wave, shard: `${shard.index}/${shard.count}`, notRolledBack };
  try {
    for (const [commit, stacks] of byCommit) {
      log(`rollback: re-applying ${stacks.join(', ')} at ${commit}`);
      await deployer.deploy(stacks, commit);
      rolledBack.push(...stacks.map((stack) => ({ stack, commit })));
    }
  } catch (err) {
    return { ...base, rolledBack, failure: `rollback deploy failed: ${(err as Error)?.message ?? String(err)}` };
  }
  return { ...base, rolledBack };
}

export interface RecoverWaveOptions {
  readonly environment: string;
  readonly commit: string;
  readonly wave: ShardedWave;
  readonly verdict: WaveVerdict;
  /** The rollback results found; a shard of `verdict.rollBack` without one counts as a failed rollback. */
  readonly rollbacks: readonly ShardRollback[];
  readonly alarms: AlarmReader;
  readonly healthChecks: HealthCheckReader;
  readonly pager: Pager;
  /** @default 30 */
  readonly pollSeconds?: number;
  /** @default 600 */
  readonly recoverySeconds?: number;
  readonly clock?: Clock;
  readonly log?: (line: string) => void;
}

export interface WaveRecovery {
  /** `rolled-back`: every shard went back and the gates are OK; `paged`: a rollback failed or the gates stayed bad; `not-applied`: nothing to roll back. */
  readonly outcome: 'rolled-back' | 'paged' | 'not-applied';
  readonly rolledBack: readonly { stack: string; commit: string }[];
  readonly notRolledBack: readonly string[];
  readonly rollbackFailure?: string;
}

/** After the shards rolled back: waits for the wave's gates to recover; a failed shard rollback, or gates still failing, pages. */
export async function recoverWave(options: RecoverWaveOptions): Promise<WaveRecovery> {
  const { wave, verdict } = options;
  const log = options.log ?? (() => undefined);
  if (verdict.rollBack.length === 0) return { outcome: 'not-applied', rolledBack: [], notRolledBack: [] };
  const found = new Map(options.rollbacks.filter((r) => r.wave === wave.number).map((r) => [r.shard, r]));
  const failures: string[] = [];
  for (const shard of verdict.rollBack) {
    const r = found.get(shard);
    if (!r) failures.push(`shard ${shard} reported no rollback (its job failed or was cancelled)`);
    else if (r.failure) failures.push(`shard ${shard}: ${r.failure}`);
  }
  const rolledBack = [...found.values()].flatMap((r) => r.rolledBack);
  const notRolledBack = [...found.values()].flatMap((r) => r.notRolledBack);
  if (failures.length === 0) {
    const clock = options.clock ?? systemClock;
    const still = await gatesAfterRecovery(wave, readersOf(options), clock);
    if (still.length > 0) failures.push(`gates still failing ${options.recoverySeconds ?? 600} s after the rollback: ${still.join('; ')}`);
  }
  if (failures.length === 0) {
    log(`rollback of ${wave.name}: done`);
    return { outcome: 'rolled-back', rolledBack, notRolledBack };
  }
  let rollbackFailure = failures.join('; ');
  log(`rollback of ${wave.name}: FAILED (${rollbackFailure}); paging`);
  const message = [
    `Rollout of ${options.environment} at ${options.commit} failed in wave "${wave.name}": ${verdict.reasons.join('; ')}.`,
    `The rollback failed too: ${rollbackFailure}.`,
    `Rolled back: ${rolledBack.map((r) => `${r.stack}@${r.commit}`).join(', ') || 'nothing'}. Nothing else was touched.`,
  ].join('\n');
  try {
    await options.pager.page(`rollout of ${options.environment} needs a human`, message, wave);
  } catch (err) {
    rollbackFailure += `; paging failed too: ${(err as Error)?.message ?? String(err)}`;
  }
  return { outcome: 'paged', rolledBack, notRolledBack, rollbackFailure };
}

/** The summary of a failed wave, as the recovery job prints it. */
export function formatWaveFailure(environment: string, wave: ShardedWave, verdict: WaveVerdict, recovery: WaveRecovery, later: readonly ShardedWave[]): string {
  const lines: string[] = [];
  if (recovery.outcome === 'not-applied' && (verdict.outcome === 'stale' || verdict.outcome === 'blocked')) {
    lines.push(
      `rollout of ${environment} STOPPED before wave "${wave.name}" applied anything: ${
        verdict.outcome === 'stale' ? 'its plan is not the one that was reviewed; plan again and ask for approval again' : 'the guard blocks its plan'
      }`,
    );
  } else {
    lines.push(`rollout of ${environment} FAILED in wave "${wave.name}"${verdict.outcome === 'stale' ? ' (a shard\'s plan was stale: plan again and ask for approval again)' : ''}:`);
  }
  for (const r of verdict.reasons) lines.push(`  - ${r}`);
  lines.push(`not started: ${later.map((w) => w.name).join('; ') || 'none'}`);
  if (recovery.outcome !== 'not-applied') {
    lines.push(`rolled back: ${recovery.rolledBack.map((r) => `${r.stack} to ${r.commit}`).join(', ') || 'nothing'}`);
    if (recovery.notRolledBack.length) lines.push(`not rolled back (never deployed successfully before): ${recovery.notRolledBack.join(', ')}`);
  }
  if (recovery.outcome === 'paged') lines.push(`ROLLBACK FAILED, on-call paged: ${recovery.rollbackFailure}`);
  return lines.join('\n');
}

/**
 * One deployment record from several (the previous run's, and each wave's of this run):
 * per stack, the entry that finished last. The deploy workflow writes one record per
 * environment in the end.
 */
export function mergeDeploymentRecords(records: readonly Readonly<Record<string, DeployedStack>>[]): Record<string, DeployedStack> {
  const merged: Record<string, DeployedStack> = {};
  for (const record of records) {
    for (const [stack, entry] of Object.entries(record)) {
      const current = merged[stack];
      if (!current || Date.parse(entry.at) >= Date.parse(current.at)) merged[stack] = entry;
    }
  }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}
