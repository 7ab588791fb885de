// npm run rollout -- --env <env> --plan [--json] [--stacks a,b]    print the waves
// npm run rollout -- --env <env> --commit <sha> [--stacks a,b]     run them (the pipeline, with AWS credentials)
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError, runCli } from '@platform/cli';
import { allowanceFromLabels } from '@platform/plan-review';
import { MAX_BAKE_MINUTES, UserError, appEntryPath, deploymentRecordPath, loadPlatform, serviceContract } from '@platform/config';
import {
  FileDeploymentRecord,
  MigrationHook,
  NxDeployer,
  NxMigrator,
  appHasMigrateTarget,
  executeRollout,
  formatMigrations,
  formatPlan,
  formatResult,
  loadAwsReaders,
  planJson,
  planMigrations,
  planRollout,
} from '@platform/rollout';

function parseLabels(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.some((l) => typeof l !== 'string')) throw new UsageError(`--labels must be a JSON array of label names, got ${raw}`);
  return parsed as string[];
}

void runCli(
  {
    name: 'rollout',
    command: 'npm run rollout --',
    summary:
      'Rolls a change out over an environment wave by wave: global stacks, the canary region and its bake, then the other regions; a failed gate stops it and rolls the wave back.',
    options: {
      env: { type: 'string', valueName: '<env>', description: 'environment to roll out to (required)' },
      plan: { type: 'boolean', default: false, description: 'print the waves, their stacks and gates, and change nothing' },
      json: { type: 'boolean', default: false, description: 'with --plan: print { waves: [{ name, stacks, bakeSeconds, gates }], migrations: [...] }' },
      stacks: { type: 'string', valueName: '<a,b,...>', description: 'only these stacks (e.g. the affected ones; default: every stack of the environment)' },
      commit: { type: 'string', valueName: '<sha>', description: 'the commit being deployed, recorded as the last good one of each stack that passes (required to run)' },
      'poll-seconds': { type: 'string', default: '30', valueName: '<n>', description: 'seconds between readings of the gates (default: 30)' },
      'reviewed-plans': {
        type: 'string',
        valueName: '<dir>',
        description: 'apply only what was reviewed: each wave is planned, compared with <dir>/<stack>/plan.json and the guard, then exactly that plan applied (exit 3 when stale)',
      },
      labels: { type: 'string', valueName: '<json>', description: "with --reviewed-plans: the merged pull request's labels, a JSON array (allow-* labels allow changes)" },
      local: { type: 'boolean', default: false, description: 'roll a handler out to the topology npm run dev runs, region by region' },
      bundle: { type: 'string', valueName: '<module>', description: "with --local: the handler module to roll out (default: the service's apps/<app>/src/main.ts as it is now)" },
      'bake-seconds': { type: 'string', valueName: '<n>', description: "with --local: the canary's bake (default: the environment's)" },
      'watch-seconds': { type: 'string', valueName: '<n>', description: "with --local: how long each later wave is watched (default: the environment's)" },
    },
    notes: 'Running (without --plan) needs AWS credentials with the deploy role; see docs/rollout.md. Exit codes: 0 deployed, 1 failed (rolled back or paged) or bad input, 2 usage, 3 a plan was stale (nothing of that wave applied).',
  },
  async ({ values }) => {
    if (values.local) return rollOutToDev(values);
    for (const only of ['bundle', 'bake-seconds', 'watch-seconds'] as const) {
      if (values[only] !== undefined) throw new UsageError(`--${only} goes with --local`);
    }
    if (!values.env) throw new UsageError('--env <env> is required');
    const platform = loadPlatform();
    const stacks = values.stacks === undefined ? undefined : values.stacks.split(',').map((s) => s.trim()).filter(Boolean);
    const plan = planRollout(platform, values.env, stacks);
    const migrations = planMigrations(platform, plan, (app) => appHasMigrateTarget(process.cwd(), app));
    if (values.plan) {
      console.log(values.json ? JSON.stringify({ ...planJson(plan), migrations }, null, 2) : [formatPlan(plan), ...formatMigrations(migrations)].join('\n'));
      return;
    }
    if (values.json) throw new UsageError('--json goes with --plan');
    if (!values.commit || !/^[0-9a-f]{7,40}$/.test(values.commit)) throw new UsageError('--commit <sha> (the commit being deployed, hex) is required to run a rollout');
    const pollSeconds = Number(values['poll-seconds']);
    if (!Number.isInteger(pollSeconds) || pollSeconds < 1) throw new UsageError(`--poll-seconds must be a whole number of at least 1, got "${values['poll-seconds']}"`);
    if (values.labels !== undefined && !values['reviewed-plans']) throw new UsageError('--labels goes with --reviewed-plans');
    const labels = parseLabels(values.labels);
    const reviewedDir = values['reviewed-plans'] ? path.resolve(values['reviewed-plans']) : undefined;
    if (reviewedDir && !existsSync(reviewedDir)) throw new UserError(`--reviewed-plans: no folder ${values['reviewed-plans']}`);
    // Loaded only to run: --plan needs neither the AWS SDK nor the local topology.
    const { AlarmTopicPager, CloudWatchAlarmReader, Route53Health, requireCredentials } = await loadAwsReaders();
    await requireCredentials();
    const env = platform.config.environments[values.env];
    const alarms = new CloudWatchAlarmReader();
    const health = new Route53Health();
    const fallbackAlarms = platform.services
      .filter((s) => s.environments.includes(values.env!))
      .map((s) => serviceContract(platform.config, s.name, values.env!).names.regionUnhealthyAlarm(env.regions[0]));
    console.log([formatPlan(plan), ...formatMigrations(migrations)].join('\n'));
    const result = await executeRollout({
      plan,
      commit: values.commit,
      deployer: new NxDeployer(process.cwd(), undefined, reviewedDir ? { reviewedDir, allowance: allowanceFromLabels(labels) } : undefined),
      alarms,
      healthChecks: health,
      record: new FileDeploymentRecord(path.resolve(deploymentRecordPath(values.env))),
      pager: new AlarmTopicPager(alarms, { region: env.regions[0], alarmNames: fallbackAlarms }),
      pollSeconds,
      migrations: new MigrationHook(migrations, new NxMigrator(process.cwd())),
      log: (line) => console.log(line),
    });
    console.log(formatResult(plan, result));
    // 3: nothing of the failed wave was applied because its plan is stale: plan again, ask again.
    return result.outcome === 'deployed' ? 0 : result.outcome === 'stale' ? 3 : 1;
  },
);

async function rollOutToDev(values: { env?: string; plan: boolean; stacks?: string; commit?: string; bundle?: string; 'bake-seconds'?: string; 'watch-seconds'?: string }): Promise<number> {
  for (const other of ['env', 'stacks', 'commit'] as const) {
    if (values[other] !== undefined) throw new UsageError(`--${other} does not go with --local (the topology of npm run dev is the target)`);
  }
  if (values.plan) throw new UsageError('--plan does not go with --local');
  const seconds = (name: string, raw: string | undefined) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || n > MAX_BAKE_MINUTES * 60) throw new UsageError(`--${name} must be 0 to ${MAX_BAKE_MINUTES * 60} seconds, got "${raw}"`);
    return n;
  };
  const bakeSeconds = seconds('bake-seconds', values['bake-seconds']);
  const watchSeconds = seconds('watch-seconds', values['watch-seconds']);
  const { DEV_CONTROL_FILE, requestLocalRollout } = await import('../dev/dev-control');
  const root = process.cwd();
  const running = JSON.parse(existsSync(path.join(root, DEV_CONTROL_FILE)) ? readFileSync(path.join(root, DEV_CONTROL_FILE), 'utf8') : '{}') as { service?: string };
  const platform = loadPlatform();
  const service = running.service ? platform.services.find((s) => s.name === running.service) : undefined;
  const handlerModule = path.resolve(values.bundle ?? (service ? appEntryPath(service.app) : ''));
  if (!existsSync(handlerModule) || !values.bundle && !service) {
    throw new UserError(values.bundle ? `--bundle: no module at ${values.bundle}` : 'no local topology is running (start it with: npm run dev)');
  }
  const response = await requestLocalRollout(root, { handlerModule, bakeSeconds, watchSeconds });
  for (const line of response.lines) console.log(line);
  return response.outcome === 'deployed' ? 0 : 1;
}
