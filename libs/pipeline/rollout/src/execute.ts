// Runs a rollout plan: each wave deployed, then its gates watched for the wave's bake;
// the first failure (a deploy or a gate) stops the rollout, re-applies the failed
// wave's stacks at their last good commit, and fails. A failure of that rollback (or
// gates still failing after it) pages and stops: it never loops.
import { type AlarmReader, type GateResult, type HealthCheckReader, describeFailures, readGates } from './gates';
import type { DeploymentRecord } from './deployment-record';
import { type MigrationHook, MigrationFailedError, type MigrationOutcome } from './migrations';
import type { RolloutPlan, Wave } from './plan';

/** Applies stacks. */
export interface StackDeployer {
  /**
   * Deploys `stacks` from the commit being rolled out, or from `commit` (a rollback).
   * Resolves when every stack applied; rejects otherwise.
   */
  deploy(stacks: readonly string[], commit?: string): Promise<void>;
}

/**
 * Thrown by a deployer that applied nothing of the wave (its plan is stale, or the
 * guard blocks it): the rollout stops there without rolling anything back.
 */
export class NothingAppliedError extends Error {
  override readonly name = 'NothingAppliedError';
  constructor(
    message: string,
    /** `stale`: plan again and ask for approval again; `blocked`: the guard refused. */
    readonly kind: 'stale' | 'blocked',
  ) {
    super(message);
  }
}

/** Tells a human. */
export interface Pager {
  page(subject: string, message: string, wave: Wave): Promise<void>;
}

/** Time, replaceable in tests. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ExecuteOptions {
  readonly plan: RolloutPlan;
  /** The commit being rolled out (recorded for each stack that deploys and passes its gates). */
  readonly commit: string;
  readonly deployer: StackDeployer;
  readonly alarms: AlarmReader;
  readonly healthChecks: HealthCheckReader;
  readonly record: DeploymentRecord;
  readonly pager: Pager;
  /** Seconds between two readings of the gates while a wave bakes. @default 30 */
  readonly pollSeconds?: number;
  /**
   * After a rollback, how long the wave's gates may take to be OK again (an alarm
   * clears only once its window holds good data) before the rollout pages. @default 600
   */
  readonly recoverySeconds?: number;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Progress lines. @default - discarded */
  readonly log?: (line: string) => void;
  /** The schema migrations, run before the wave each is due (migrations.ts). @default - none */
  readonly migrations?: Pick<MigrationHook, 'beforeWave' | 'outcomes'>;
}

/** A stack re-applied at its last good commit. */
export interface RolledBackStack {
  readonly stack: string;
  readonly commit: string;
}

export interface RolloutResult {
  /**
   * `deployed`: every wave passed; `rolled-back`: a wave failed and went back; `paged`:
   * the rollback failed too; `stale` / `blocked`: a wave applied nothing because its plan
   * differs from the reviewed one / the guard refused it, and the rollout stopped there;
   * `migration-failed`: a schema migration due before a wave failed, nothing of that wave applied.
   */
  readonly outcome: 'deployed' | 'rolled-back' | 'paged' | 'stale' | 'blocked' | 'migration-failed';
  /** Waves that deployed and passed their gates. */
  readonly completed: readonly string[];
  readonly failedWave?: string;
  /** Why the wave failed: the deploy error or one line per failed gate. */
  readonly reasons: readonly string[];
  readonly rolledBack: readonly RolledBackStack[];
  /** Stacks of the failed wave with no earlier good deploy: left as they are. */
  readonly notRolledBack: readonly string[];
  /** Why the rollback failed (when paged). */
  readonly rollbackFailure?: string;
  /** Waves never started. */
  readonly untouched: readonly string[];
  /** The schema migrations run (when the rollout had any). */
  readonly migrations?: readonly MigrationOutcome[];
}

/** Watches the gates for `seconds`, reading at once and every `pollSeconds`; returns the first failing reading, or undefined. */
async function watch(wave: Wave, seconds: number, options: ExecuteOptions, clock: Clock): Promise<GateResult[] | undefined> {
  if (wave.gates.length === 0) return undefined;
  const readers = { alarms: options.alarms, healthChecks: options.healthChecks };
  const until = clock.now() + seconds * 1000;
  const poll = (options.pollSeconds ?? 30) * 1000;
  for (;;) {
    const results = await readGates(wave.gates, readers);
    if (results.some((r) => !r.ok)) return results;
    const left = until - clock.now();
    if (left <= 0) return undefined;
    await clock.sleep(Math.min(poll, left));
  }
}

/** Reads the wave's gates until all are OK or the recovery time is up; the failures of the last reading. */
async function recovered(wave: Wave, options: ExecuteOptions, clock: Clock): Promise<string[]> {
  if (wave.gates.length === 0) return [];
  const until = clock.now() + (options.recoverySeconds ?? 600) * 1000;
  const poll = (options.pollSeconds ?? 30) * 1000;
  for (;;) {
    const failures = describeFailures(await readGates(wave.gates, { alarms: options.alarms, healthChecks: options.healthChecks }));
    const left = until - clock.now();
    if (failures.length === 0 || left <= 0) return failures;
    await clock.sleep(Math.min(poll, left));
  }
}

/** Runs `options.plan`. Never throws for a failed deploy or gate: the result says what happened. */
export async function executeRollout(options: ExecuteOptions): Promise<RolloutResult> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => undefined);
  const completed: string[] = [];
  const waves = options.plan.waves;
  for (const [i, wave] of waves.entries()) {
    log(`wave ${i + 1}/${waves.length} ${wave.name}: deploying ${wave.stacks.join(', ')}`);
    let reasons: string[] = [];
    try {
      await options.migrations?.beforeWave(wave, log);
      await options.deployer.deploy(wave.stacks);
    } catch (err) {
      if (err instanceof NothingAppliedError) {
        log(`wave ${wave.name}: nothing applied (${err.message}); stopping`);
        return { outcome: err.kind, completed, failedWave: wave.name, reasons: err.message.split('\n'), rolledBack: [], notRolledBack: [], untouched: waves.slice(i + 1).map((w) => w.name) };
      }
      if (err instanceof MigrationFailedError) {
        log(`wave ${wave.name}: not deployed (${err.message}); stopping`);
        return { outcome: 'migration-failed', completed, failedWave: wave.name, reasons: [err.message], rolledBack: [], notRolledBack: [], untouched: waves.slice(i + 1).map((w) => w.name), ...migrationsOf(options) };
      }
      reasons = [`deploy failed: ${(err as Error)?.message ?? String(err)}`];
    }
    if (reasons.length === 0) {
      if (wave.gates.length > 0) log(`wave ${wave.name}: watching ${wave.gates.length} gate(s) for ${wave.bakeSeconds} s`);
      const failed = await watch(wave, wave.bakeSeconds, options, clock);
      if (failed) reasons = describeFailures(failed);
    }
    if (reasons.length === 0) {
      options.record.recordSuccess(wave.stacks, options.commit, new Date(clock.now()));
      completed.push(wave.name);
      log(`wave ${wave.name}: done`);
      continue;
    }
    log(`wave ${wave.name}: FAILED (${reasons.join('; ')}); stopping and rolling back`);
    return { ...(await rollBack(wave, reasons, options, clock, log)), completed, untouched: waves.slice(i + 1).map((w) => w.name), ...migrationsOf(options) };
  }
  return { outcome: 'deployed', completed, reasons: [], rolledBack: [], notRolledBack: [], untouched: [], ...migrationsOf(options) };
}

function migrationsOf(options: ExecuteOptions): Pick<RolloutResult, 'migrations'> {
  return options.migrations && options.migrations.outcomes.length > 0 ? { migrations: [...options.migrations.outcomes] } : {};
}

async function rollBack(
  wave: Wave,
  reasons: string[],
  options: ExecuteOptions,
  clock: Clock,
  log: (line: string) => void,
): Promise<Omit<RolloutResult, 'completed' | 'untouched'>> {
  const byCommit = new Map<string, string[]>();
  const notRolledBack: string[] = [];
  for (const stack of wave.stacks) {
    const good = options.record.lastGood(stack);
    if (!good) notRolledBack.push(stack);
    else byCommit.set(good.commit, [...(byCommit.get(good.commit) ?? []), stack]);
  }
  const rolledBack: RolledBackStack[] = [];
  const base = { failedWave: wave.name, reasons, notRolledBack };
  let rollbackFailure: string | undefined;
  try {
    for (const [commit, stacks] of byCommit) {
      log(`rollback: re-applying ${stacks.join(', ')} at ${commit}`);
      await options.deployer.deploy(stacks, commit);
      rolledBack.push(...stacks.map((stack) => ({ stack, commit })));
    }
    // A region still unhealthy once the rollback had time to work needs a human.
    const still = await recovered(wave, options, clock);
    if (still.length > 0) rollbackFailure = `gates still failing ${options.recoverySeconds ?? 600} s after the rollback: ${still.join('; ')}`;
  } catch (err) {
    rollbackFailure = `rollback deploy failed: ${(err as Error)?.message ?? String(err)}`;
  }
  if (!rollbackFailure) {
    log(`rollback of ${wave.name}: done`);
    return { ...base, outcome: 'rolled-back', rolledBack };
  }
  log(`rollback of ${wave.name}: FAILED (${rollbackFailure}); paging`);
  const message = [
    `Rollout of ${options.plan.environment} at ${options.commit} failed in wave "${wave.name}": ${reasons.join('; ')}.`,
    `The rollback failed too: ${rollbackFailure}.`,
    `Rolled back: ${rolledBack.map((r) => `${r.stack}@${r.commit}`).join(', ') || 'nothing'}. Nothing else was touched.`,
  ].join('\n');
  try {
    await options.pager.page(`rollout of ${options.plan.environment} needs a human`, message, wave);
  } catch (err) {
    rollbackFailure += `; paging failed too: ${(err as Error)?.message ?? String(err)}`;
  }
  return { ...base, outcome: 'paged', rolledBack, rollbackFailure };
}

/** The summary a failed or finished rollout prints (and the job summary shows). */
export function formatResult(plan: RolloutPlan, result: RolloutResult): string {
  const lines: string[] = [];
  for (const m of result.migrations ?? []) lines.push(`migration of ${m.service} in ${m.environment} before "${m.beforeWave}": ${m.ok ? 'done' : 'FAILED'} (${m.detail})`);
  if (result.outcome === 'migration-failed') {
    lines.push(`rollout of ${plan.environment} STOPPED before wave "${result.failedWave}" applied anything: ${result.reasons.join('; ')}`);
    lines.push(`completed before it: ${result.completed.join('; ') || 'none'}`);
    lines.push(`not started: ${result.untouched.join('; ') || 'none'}`);
    return lines.join('\n');
  }
  if (result.outcome === 'deployed') {
    lines.push(`rollout of ${plan.environment}: every wave deployed and passed its gates (${result.completed.join('; ') || 'nothing to deploy'})`);
    return lines.join('\n');
  }
  if (result.outcome === 'stale' || result.outcome === 'blocked') {
    lines.push(
      `rollout of ${plan.environment} STOPPED before wave "${result.failedWave}" applied anything: ${
        result.outcome === 'stale' ? 'its plan is not the one that was reviewed; plan again and ask for approval again' : 'the guard blocks its plan'
      }`,
    );
    for (const r of result.reasons) lines.push(`  - ${r}`);
    lines.push(`completed before it: ${result.completed.join('; ') || 'none'}`);
    lines.push(`not started: ${result.untouched.join('; ') || 'none'}`);
    return lines.join('\n');
  }
  lines.push(`rollout of ${plan.environment} FAILED in wave "${result.failedWave}":`);
  for (const r of result.reasons) lines.push(`  - ${r}`);
  lines.push(`completed before it: ${result.completed.join('; ') || 'none'}`);
  lines.push(`not started: ${result.untouched.join('; ') || 'none'}`);
  lines.push(`rolled back: ${result.rolledBack.map((r) => `${r.stack} to ${r.commit}`).join(', ') || 'nothing'}`);
  if (result.notRolledBack.length) lines.push(`not rolled back (never deployed successfully before): ${result.notRolledBack.join(', ')}`);
  if (result.outcome === 'paged') lines.push(`ROLLBACK FAILED, on-call paged: ${result.rollbackFailure}`);
  return lines.join('\n');
}

// For the sharded rollout (sharded.ts), whose gate and recovery jobs watch a wave that
// several jobs applied.
export { watch as watchGates, recovered as gatesAfterRecovery };
