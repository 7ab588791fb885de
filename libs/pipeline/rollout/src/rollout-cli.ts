// npm run rollout -- --env <env> --plan [--json] [--stacks a,b]    print the waves
// npm run rollout -- --env <env> --commit <sha> [--stacks a,b]     run them (the pipeline, with AWS credentials)
import * as path from 'node:path';
import { UsageError, runCli } from '@platform/cli';
import { deploymentRecordPath, loadPlatform, serviceContract } from '@platform/config';
import { AlarmTopicPager, CloudWatchAlarmReader, Route53Health } from './aws';
import { FileDeploymentRecord } from './deployment-record';
import { executeRollout, formatResult } from './execute';
import { NxDeployer } from './nx-deployer';
import { formatPlan, planJson, planRollout } from './plan';

void runCli(
  {
    name: 'rollout',
    command: 'npm run rollout --',
    summary:
      'Rolls a change out over an environment wave by wave: global stacks, the canary region and its bake, then the other regions; a failed gate stops it and rolls the wave back.',
    options: {
      env: { type: 'string', valueName: '<env>', description: 'environment to roll out to (required)' },
      plan: { type: 'boolean', default: false, description: 'print the waves, their stacks and gates, and change nothing' },
      json: { type: 'boolean', default: false, description: 'with --plan: print { waves: [{ name, stacks, bakeSeconds, gates }] }' },
      stacks: { type: 'string', valueName: '<a,b,...>', description: 'only these stacks (e.g. the affected ones; default: every stack of the environment)' },
      commit: { type: 'string', valueName: '<sha>', description: 'the commit being deployed, recorded as the last good one of each stack that passes (required to run)' },
      'poll-seconds': { type: 'string', default: '30', valueName: '<n>', description: 'seconds between readings of the gates (default: 30)' },
    },
    notes: 'Running (without --plan) needs AWS credentials with the deploy role; see docs/rollout.md.',
  },
  async ({ values }) => {
    if (!values.env) throw new UsageError('--env <env> is required');
    const platform = loadPlatform();
    const stacks = values.stacks === undefined ? undefined : values.stacks.split(',').map((s) => s.trim()).filter(Boolean);
    const plan = planRollout(platform, values.env, stacks);
    if (values.plan) {
      console.log(values.json ? JSON.stringify(planJson(plan), null, 2) : formatPlan(plan));
      return;
    }
    if (values.json) throw new UsageError('--json goes with --plan');
    if (!values.commit || !/^[0-9a-f]{7,40}$/.test(values.commit)) throw new UsageError('--commit <sha> (the commit being deployed, hex) is required to run a rollout');
    const pollSeconds = Number(values['poll-seconds']);
    if (!Number.isInteger(pollSeconds) || pollSeconds < 1) throw new UsageError(`--poll-seconds must be a whole number of at least 1, got "${values['poll-seconds']}"`);
    const env = platform.config.environments[values.env];
    const alarms = new CloudWatchAlarmReader();
    const health = new Route53Health();
    const fallbackAlarms = platform.services
      .filter((s) => s.environments.includes(values.env!))
      .map((s) => serviceContract(platform.config, s.name, values.env!).names.regionUnhealthyAlarm(env.regions[0]));
    console.log(formatPlan(plan));
    const result = await executeRollout({
      plan,
      commit: values.commit,
      deployer: new NxDeployer(process.cwd()),
      alarms,
      healthChecks: health,
      record: new FileDeploymentRecord(path.resolve(deploymentRecordPath(values.env))),
      pager: new AlarmTopicPager(alarms, { region: env.regions[0], alarmNames: fallbackAlarms }),
      pollSeconds,
      log: (line) => console.log(line),
    });
    console.log(formatResult(plan, result));
    return result.outcome === 'deployed' ? 0 : 1;
  },
);
