// npm run preflight -- --env <env>: the account facts a first apply depends on, read with
// the AWS SDK before any apply (docs/pipelines.md, "Preflight"). One line per fact, ok or
// FAIL with its numbers; exits 1 on any FAIL.
import { existsSync } from 'node:fs';
import { promises as dns } from 'node:dns';
import { join } from 'node:path';
import { UsageError, integerOption, runCli } from '@platform/cli';
import { DEFAULT_CONFIG_PATH, loadPlatform } from '@platform/config';
import { readSynthesizedStacks } from '@platform/permission-coverage';
import { sdkClientFactory } from './aws';
import { HOSTED_JOB_LIMIT_MINUTES, formatFacts, preflight } from './preflight';

void runCli(
  {
    name: 'preflight',
    command: 'npm run preflight --',
    summary:
      "Reads, with the AWS SDK, what only the environment's account knows before an apply: Lambda's concurrency quota per region against the reservations, the hosted zones' delegation, the deploy role's session against the longest apply, the state bucket. One line per fact; exits 1 on any FAIL.",
    options: {
      env: { type: 'string', valueName: '<env>', description: 'the environment to check (required)' },
      config: { type: 'string', valueName: '<file>', description: `platform config (default: ${DEFAULT_CONFIG_PATH})` },
      stacks: { type: 'string', valueName: '<dir>', description: 'cdktf output the longest apply is read from (default: cdktf.out)' },
      'role-name': {
        type: 'string',
        valueName: '<role>',
        description: 'role assumed in the DNS and parent-zone accounts instead of the ones the config names (default: $PLATFORM_PROVIDER_ROLE_NAME)',
      },
      'apply-job-minutes': { type: 'string', valueName: '<n>', description: `longest an apply job runs (default: ${HOSTED_JOB_LIMIT_MINUTES}, GitHub's limit for a hosted job)` },
      json: { type: 'boolean', description: 'print the facts as JSON instead of lines' },
    },
    notes:
      'Credentials: the default AWS chain (environment, AWS_PROFILE, web identity), of the environment\'s account; CI uses its plan role.\nNothing is written to AWS.',
  },
  async ({ values }) => {
    if (!values.env) throw new UsageError('--env is required');
    const platform = loadPlatform(values.config ?? DEFAULT_CONFIG_PATH);
    const outdir = values.stacks ?? 'cdktf.out';
    const env = platform.config.environments[values.env];
    const facts = await preflight({
      platform,
      environment: values.env,
      stacks: existsSync(join(outdir, 'manifest.json')) ? readSynthesizedStacks(outdir) : [],
      clients: sdkClientFactory(env?.regions[0] ?? platform.config.stateBackend.region),
      resolveNs: (name) => dns.resolveNs(name),
      roleName: values['role-name'] ?? (process.env.PLATFORM_PROVIDER_ROLE_NAME || undefined),
      applyJobMinutes: integerOption('apply-job-minutes', values['apply-job-minutes'], { min: 1, max: 10_000 }),
    });
    console.log(values.json ? JSON.stringify(facts, null, 2) : formatFacts(facts));
    return facts.every((f) => f.ok) ? 0 : 1;
  },
);
