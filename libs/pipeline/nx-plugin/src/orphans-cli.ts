// npm run orphans -- --env <env> [--base <ref>] [--state] [--labels <json>] [--markdown <file>]
// Lists the stacks of an environment that are no longer in the config, in destroy order.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { runCli, UsageError } from '@platform/cli';
import { DEFAULT_CONFIG_PATH, loadPlatform, parsePlatformJson, UserError } from '@platform/config';
import { AwsCliStateLister, destroyOrphansLabel, findOrphans, orphanNotice, renderOrphans } from './orphans';

void runCli(
  {
    name: 'orphans',
    command: 'npm run orphans --',
    summary:
      'Lists the stacks of an environment that are no longer in the config (a removed service, region or environment), regional before global: from the config diff against the base commit, and with --state from the state bucket. Exits 1 when there are orphans and no destroy-orphans:<env> label.',
    options: {
      env: { type: 'string', valueName: '<env>', description: 'the environment (required)' },
      base: { type: 'string', valueName: '<ref>', default: 'main', description: 'commit whose config is compared with the work tree (default main)' },
      state: { type: 'boolean', default: false, description: 'also list the state bucket with the AWS CLI (needs the plan role credentials)' },
      labels: { type: 'string', valueName: '<json>', description: "the pull request's labels, a JSON array" },
      markdown: { type: 'string', valueName: '<file>', description: 'write the pull request section here' },
      json: { type: 'boolean', default: false, description: 'print the orphans as JSON' },
    },
  },
  async ({ values }) => {
    if (!values.env) throw new UsageError('--env <env> is required');
    const platform = loadPlatform(DEFAULT_CONFIG_PATH);
    let baseText: string;
    try {
      baseText = execFileSync('git', ['show', `${values.base}:${DEFAULT_CONFIG_PATH}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      throw new UserError(`cannot read ${DEFAULT_CONFIG_PATH} at "${values.base}"; pass --base <ref> naming a commit that has it`);
    }
    const base = parsePlatformJson(baseText, `${DEFAULT_CONFIG_PATH}@${values.base}`);
    const orphans = await findOrphans({ platform, base, environment: values.env, lister: values.state ? new AwsCliStateLister() : undefined });
    const labels = values.labels ? (JSON.parse(values.labels) as string[]) : [];
    const rendered = renderOrphans(values.env, orphans, labels);
    if (values.markdown) writeFileSync(values.markdown, rendered.markdown);
    if (values.json) process.stdout.write(`${JSON.stringify(orphans)}\n`);
    else process.stdout.write(orphans.length === 0 ? `no orphan stacks in ${values.env} (config diff against ${values.base}${values.state ? ' and the state bucket' : ''})\n` : `${orphans.map((o) => `${o.stack}\t${o.layer}\t${o.foundBy.join('+')}`).join('\n')}\n`);
    if (orphans.length > 0) console.error(orphanNotice(values.env, orphans.map((o) => o.stack)));
    if (!rendered.allowed) console.error(`blocked: ${orphans.length} orphan stack${orphans.length === 1 ? '' : 's'} in ${values.env} and no label ${destroyOrphansLabel(values.env)}`);
    return rendered.allowed ? 0 : 1;
  },
);
