// npm run rollout:shard -- <plan|migrate|apply|gate|rollback|recover|merge-records> --env <env> --stacks <a,b> ...
// The steps of a rollout spread over CI jobs (sharded.ts); .github/workflows/deploy-wave.yml
// runs them: apply per shard, gate once per wave, rollback per shard, recover once.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError, integerOption, runCli } from '@platform/cli';
import { allowanceFromLabels } from '@platform/plan-review';
import { type Platform, UserError, deploymentRecordPath, loadPlatform, serviceContract } from '@platform/config';
import { FileDeploymentRecord } from './deployment-record';
import { NxMigrator, appHasMigrateTarget, migrateBeforeWave, planMigrations } from './migrations';
import { NxDeployer } from './nx-deployer';
import { type RolloutPlan, planRollout } from './plan';
import {
  type ShardResult,
  type ShardRollback,
  type ShardedWave,
  type WaveVerdict,
  applyShard,
  formatWaveFailure,
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


function readJson<T>(file: string, what: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new UserError(`${file}: cannot read the ${what} (${(err as Error).message.split('\n')[0]})`);
  }
}

/** The gate's verdict; none (an empty or missing file: the gate job died) fails the wave and rolls every shard back. */
function readVerdict(file: string | undefined, wave: ShardedWave): WaveVerdict {
  if (!file) throw new UsageError('--verdict <file> is required');
  if (!existsSync(file) || readFileSync(file, 'utf8').trim() === '') return missingVerdict(wave);
  return readJson<WaveVerdict>(file, 'verdict of the gate');
}

/** Every `*.json` under `dir` (none when it does not exist: a missing artifact is a missing result). */
function jsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f));
}

function write(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Where each wave of this run records its stacks; merged into the environment's record in the end. */
const waveRecordPath = (env: string, wave: number) => path.join(path.dirname(deploymentRecordPath(env)), 'waves', `wave-${wave}.json`);


/** The options of `rollout:shard`, as parsed. */
type Values = Partial<Record<'stacks' | 'shard-size' | 'wave' | 'shard' | 'commit' | 'reviewed-plans' | 'labels' | 'results' | 'verdict' | 'out' | 'poll-seconds', string>>;

/**
 * What the steps read from the command line, each part checked when a step first needs
 * it (so a step is refused for the option it lacks, and `merge-records` needs none).
 */
class RolloutRun {
  readonly log = (line: string) => console.log(line);
  private platformLoaded?: Platform;
  private planned?: { readonly plan: RolloutPlan; readonly waves: ShardedWave[] };

  constructor(
    readonly values: Values,
    readonly env: string,
  ) {}

  get platform(): Platform {
    return (this.platformLoaded ??= loadPlatform());
  }

  /** The rollout of `--stacks` and its waves of shards. */
  get rollout(): { readonly plan: RolloutPlan; readonly waves: ShardedWave[] } {
    if (this.planned) return this.planned;
    if (this.values.stacks === undefined) throw new UsageError('--stacks <a,b,...> is required');
    const stacks = this.values.stacks.split(',').map((s) => s.trim()).filter(Boolean);
    const size = integerOption('shard-size', this.values['shard-size'], { min: 1, max: 1000 }) ?? this.platform.config.pipeline.shardSize;
    const plan = planRollout(this.platform, this.env, stacks);
    return (this.planned = { plan, waves: shardWaves(plan, size) });
  }

  /** The wave `--wave` names, and the options every step of a wave reads. */
  waveOf(step: string): { wave: ShardedWave; commit: string | undefined; pollSeconds: number; results: string } {
    const { waves } = this.rollout;
    const waveNumber = integerOption('wave', this.values.wave, { min: 1 });
    if (waveNumber === undefined) throw new UsageError(`--wave <n> is required for ${step}`);
    const wave = waveOf(waves, waveNumber);
    const commit = this.values.commit;
    if (['apply', 'gate', 'recover'].includes(step) && (!commit || !/^[0-9a-f]{7,40}$/.test(commit))) throw new UsageError(`--commit <sha> (hex) is required for ${step}`);
    const pollSeconds = integerOption('poll-seconds', this.values['poll-seconds'], { min: 1 })!;
    const results = this.values.results ?? path.join('dist', 'rollout', this.env, 'results');
    return { wave, commit, pollSeconds, results };
  }
}

type Step = (run: RolloutRun) => Promise<number | void>;

/** The records of the run's waves merged into the environment's record. */
async function mergeRecords(run: RolloutRun): Promise<void> {
  const target = deploymentRecordPath(run.env);
  const sources = [target, ...jsonFiles(path.join(path.dirname(target), 'waves'))].filter((f) => existsSync(f));
  const merged = mergeDeploymentRecords(sources.map((f) => new FileDeploymentRecord(f).all()));
  write(target, merged);
  console.log(`${target}: ${Object.keys(merged).length} stack(s) from ${sources.length} record(s)`);
}

/** The waves and their shards, as the workflow's matrix. */
async function printPlan(run: RolloutRun): Promise<void> {
  console.log(JSON.stringify(wavesMatrix(run.rollout.waves)));
}

/** The schema migrations due before a wave, in one job: a failure stops the wave before any shard applies. */
async function migrate(run: RolloutRun): Promise<void> {
  const { wave, results } = run.waveOf('migrate');
  const due = planMigrations(run.platform, run.rollout.plan, (app) => appHasMigrateTarget(process.cwd(), app)).filter((m) => m.beforeWave === wave.name);
  if (due.length === 0) {
    run.log(`wave ${wave.number} ${wave.name}: no migrations due`);
    return;
  }
  const done = await migrateBeforeWave(due, wave, new NxMigrator(process.cwd()), run.log);
  write(path.join(results, `migrate-wave-${wave.number}.json`), done);
  if (done.error) throw new UserError(done.error);
}

/** The shard `--shard` names, and its result file. */
function shardStep(run: RolloutRun, step: 'apply' | 'rollback', wave: ShardedWave, results: string) {
  if (!run.values.shard) throw new UsageError(`--shard <i>/<n> is required for ${step}`);
  const shard = shardOf(wave, run.values.shard);
  return { shard, file: path.join(results, `${step}-wave-${wave.number}-shard-${shard.index}.json`) };
}

/** One shard applied from its reviewed plans. */
async function apply(run: RolloutRun): Promise<number> {
  const { wave, results } = run.waveOf('apply');
  // Loaded only to run: plan needs no AWS SDK.
  const aws = await import('./aws');
  const { shard, file } = shardStep(run, 'apply', wave, results);
  const reviewed = run.values['reviewed-plans'];
  if (!reviewed || !existsSync(reviewed)) throw new UserError(`--reviewed-plans: no folder ${reviewed ?? '(not given)'}; a shard applies only reviewed plans`);
  let labels: unknown;
  try {
    labels = JSON.parse(run.values.labels ?? '[]');
  } catch {
    labels = undefined;
  }
  if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string')) throw new UsageError(`--labels must be a JSON array of label names, got ${run.values.labels}`);
  const deployer = new NxDeployer(process.cwd(), undefined, { reviewedDir: path.resolve(reviewed), allowance: allowanceFromLabels(labels as string[]) });
  await aws.requireCredentials();
  run.log(`wave ${wave.number} ${wave.name}, shard ${run.values.shard}: deploying ${shard.stacks.join(', ')}`);
  const result = await applyShard(shard, deployer);
  write(file, result);
  run.log(`shard ${result.shard}: ${result.outcome}${result.reasons.length ? ` (${result.reasons.join('; ')})` : ''}`);
  return result.outcome === 'applied' ? 0 : result.outcome === 'stale' ? 3 : 1;
}

/** One shard rolled back, when the gate's verdict names it. */
async function rollback(run: RolloutRun): Promise<number | void> {
  const { wave, results } = run.waveOf('rollback');
  const aws = await import('./aws');
  const { shard, file } = shardStep(run, 'rollback', wave, results);
  const verdict = readVerdict(run.values.verdict, wave);
  if (!verdict.rollBack.includes(`${shard.index}/${shard.count}`)) {
    run.log(`shard ${run.values.shard} applied nothing: nothing to roll back`);
    return;
  }
  await aws.requireCredentials();
  const rolledBack = await rollBackShard(shard, new FileDeploymentRecord(path.resolve(deploymentRecordPath(run.env))), new NxDeployer(process.cwd()), run.log);
  write(file, rolledBack);
  if (rolledBack.failure) run.log(`shard ${run.values.shard}: ${rolledBack.failure}`);
  return rolledBack.failure ? 1 : 0;
}

/** The wave watched through its gates and recorded; writes the verdict. */
async function gate(run: RolloutRun): Promise<number> {
  const { wave, commit, pollSeconds, results } = run.waveOf('gate');
  const aws = await import('./aws');
  await aws.requireCredentials();
  const alarms = new aws.CloudWatchAlarmReader();
  const found = jsonFiles(results).filter((f) => path.basename(f).startsWith(`apply-wave-${wave.number}-`));
  const verdict = await gateWave({
    wave,
    results: found.map((f) => readJson<ShardResult>(f, 'shard result')),
    commit: commit!,
    alarms,
    healthChecks: new aws.Route53Health(),
    record: new FileDeploymentRecord(path.resolve(waveRecordPath(run.env, wave.number))),
    pollSeconds,
    log: run.log,
  });
  write(run.values.out ?? path.join(results, `verdict-wave-${wave.number}.json`), verdict);
  for (const r of verdict.reasons) run.log(`  - ${r}`);
  return verdict.outcome === 'passed' ? 0 : verdict.outcome === 'stale' && verdict.rollBack.length === 0 ? 3 : 1;
}

/** The rollback watched until the regions recover, or on-call paged. */
async function recover(run: RolloutRun): Promise<number> {
  const { wave, commit, pollSeconds, results } = run.waveOf('recover');
  const aws = await import('./aws');
  await aws.requireCredentials();
  const alarms = new aws.CloudWatchAlarmReader();
  const { platform, env } = run;
  const verdict = readVerdict(run.values.verdict, wave);
  const rollbacks = jsonFiles(results)
    .filter((f) => path.basename(f).startsWith(`rollback-wave-${wave.number}-`))
    .map((f) => readJson<ShardRollback>(f, 'rollback result'));
  const fallbackAlarms = platform.services
    .filter((s) => s.environments.includes(env))
    .map((s) => serviceContract(platform.config, s.name, env).names.regionUnhealthyAlarm(platform.config.environments[env].regions[0]));
  const recovery = await recoverWave({
    environment: env,
    commit: commit!,
    wave,
    verdict,
    rollbacks,
    alarms,
    healthChecks: new aws.Route53Health(),
    pager: new aws.AlarmTopicPager(alarms, { region: platform.config.environments[env].regions[0], alarmNames: fallbackAlarms }),
    pollSeconds,
    log: run.log,
  });
  console.log(formatWaveFailure(env, wave, verdict, recovery, run.rollout.waves.slice(wave.number)));
  // 3: stale: deploy.yml plans again and asks for approval again.
  return verdict.outcome === 'stale' && recovery.outcome !== 'paged' ? 3 : 1;
}

/** The steps, by the name the workflow gives. */
const STEPS: Record<string, Step> = { plan: printPlan, migrate, apply, gate, rollback, recover, 'merge-records': mergeRecords };

function isStep(step: string | undefined): step is keyof typeof STEPS {
  return step !== undefined && Object.hasOwn(STEPS, step);
}

void runCli(
  {
    name: 'rollout:shard',
    command: 'npm run rollout:shard --',
    positionals: '<plan|migrate|apply|gate|rollback|recover|merge-records>',
    summary:
      'One step of a rollout spread over CI jobs: the waves and their shards (plan), the schema migrations due before a wave (migrate), one shard applied (apply), the wave watched and recorded (gate), one shard rolled back (rollback), the rollback watched or paged (recover), the records merged (merge-records).',
    options: {
      env: { type: 'string', valueName: '<env>', description: 'environment (required)' },
      stacks: { type: 'string', valueName: '<a,b,...>', description: 'the stacks being rolled out (required except for merge-records)' },
      'shard-size': { type: 'string', valueName: '<n>', description: 'stacks per shard (default: pipeline.shardSize of the config)' },
      wave: { type: 'string', valueName: '<n>', description: 'the wave (1-based), for migrate, apply, gate, rollback and recover' },
      shard: { type: 'string', valueName: '<i>/<n>', description: 'the shard of the wave, for apply and rollback' },
      commit: { type: 'string', valueName: '<sha>', description: 'the commit being deployed (apply, gate, recover)' },
      'reviewed-plans': { type: 'string', valueName: '<dir>', description: 'apply: the reviewed plans (<dir>/<stack>/plan.json); each stack is planned again and applied only if it matches' },
      labels: { type: 'string', valueName: '<json>', description: "apply: the merged pull request's labels, a JSON array" },
      results: { type: 'string', valueName: '<dir>', description: 'apply and rollback write their result here; gate and recover read every result under it' },
      verdict: { type: 'string', valueName: '<file>', description: "rollback and recover: the gate's verdict (gate writes it with --out)" },
      out: { type: 'string', valueName: '<file>', description: "gate: where to write the verdict" },
      'poll-seconds': { type: 'string', default: '30', valueName: '<n>', description: 'seconds between readings of the gates (default: 30)' },
    },
    notes:
      'Exit codes: 0 done (plan, an applied shard, a passed wave), 1 failed, 2 usage, 3 a plan was stale (plan again, approve again). apply, gate, rollback and recover need AWS credentials with the deploy role. See docs/rollout.md.',
  },
  async ({ values, positionals }) => {
    const [step, ...extra] = positionals;
    if (!isStep(step) || extra.length) throw new UsageError(`give one of: ${Object.keys(STEPS).join(', ')}`);
    if (!values.env) throw new UsageError('--env <env> is required');
    return STEPS[step](new RolloutRun(values, values.env));
  },
);
