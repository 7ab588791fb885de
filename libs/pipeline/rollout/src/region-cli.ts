// npm run region -- evacuate|restore|status --env <env> [--region <r>] [--reason "..."] [--force]
// Takes a region out of routing (and back) through the Route53 API, without Terraform.
import * as os from 'node:os';
import { UsageError, runCli } from '@platform/cli';
import { loadPlatform } from '@platform/config';
import { Route53Health } from './aws';
import { evacuate, formatStatus, regionStatus, restore } from './evacuation';

void runCli(
  {
    name: 'region',
    command: 'npm run region --',
    positionals: '<evacuate|restore|status>',
    summary:
      "Evacuates a region (forces every service's routing health check there unhealthy, whatever the region's health), restores it, or shows every region's state.",
    options: {
      env: { type: 'string', valueName: '<env>', description: 'environment (required)' },
      region: { type: 'string', valueName: '<region>', description: 'region to evacuate or restore' },
      reason: { type: 'string', valueName: '<text>', description: 'why (required for evacuate and restore; logged with who and when)' },
      force: { type: 'boolean', default: false, description: 'evacuate even the last routable region' },
    },
    notes: 'Needs AWS credentials that may update Route53 health checks (the deploy role). See docs/rollout.md.',
  },
  async ({ values, positionals }) => {
    const [verb, ...extra] = positionals;
    if (!verb || !['evacuate', 'restore', 'status'].includes(verb) || extra.length) throw new UsageError('give one of: evacuate, restore, status');
    if (!values.env) throw new UsageError('--env <env> is required');
    const platform = loadPlatform();
    const control = new Route53Health();
    if (verb === 'status') {
      console.log(formatStatus(values.env, await regionStatus(platform, values.env, control)));
      return;
    }
    if (!values.region) throw new UsageError(`--region <region> is required to ${verb}`);
    if (verb === 'restore' && values.force) throw new UsageError('--force goes with evacuate');
    const by = process.env.GITHUB_ACTOR ?? process.env.USER ?? os.userInfo().username;
    const common = { platform, environment: values.env, region: values.region, reason: values.reason, by, now: new Date(), control };
    const done = verb === 'evacuate' ? await evacuate({ ...common, force: values.force }) : await restore(common);
    // The log line: who, when, why, what.
    console.log(`${done.note.at} ${verb} ${values.env}/${values.region} by ${done.note.by}: ${done.note.reason} (${done.changed.join(', ')})`);
  },
);
