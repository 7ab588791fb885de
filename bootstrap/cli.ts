// The bootstrap CLI: synthesizes one stack per AWS account of the platform (state
// bucket, GitHub OIDC provider, plan and deploy roles, roles assumed across accounts)
// into its own output folder; see main.ts and docs/pipelines.md.
//   node tools/run-ts.mjs bootstrap/cli.ts [--config config/platform.json]
//        [--settings bootstrap/bootstrap.json] [--outdir cdktf.out.bootstrap] [--backend local|s3]
import * as path from 'node:path';
import { UsageError, runCli } from '@platform/cli';
import { PROVIDER_SKEW } from '@platform/constructs';
import type { AccountBootstrap } from './src';
import { synthBootstrap } from './main';

function describe(a: AccountBootstrap): string {
  return [
    ...(a.stateBucket ? [`state bucket ${a.stateBucket.bucketName}`] : []),
    ...(a.pipeline ? [`GitHub OIDC + plan and deploy roles for ${a.pipeline.environments.join(', ')}`] : []),
    ...a.delegatedRoles.map((r) => `role ${r.roleName}`),
    ...(a.observability?.sink ? [`monitoring sink in ${a.observability.regions.length} regions`] : []),
    ...(a.observability?.logDestination ? [`log destinations in ${a.observability.logDestination.regions.join(', ')}`] : []),
    ...(a.observability?.alarmTopics.length ? ['alarm topics'] : []),
    ...(a.observability?.link ? [`links to monitoring account ${a.observability.link.monitoringAccountId}`] : []),
  ].join('; ');
}

void runCli(
  {
    name: 'bootstrap',
    command: 'npx nx run bootstrap:synth --',
    summary:
      'Synthesizes one bootstrap stack per AWS account of the platform: state bucket, GitHub OIDC provider, plan and deploy roles, cross-account roles.',
    options: {
      config: { type: 'string', valueName: '<file>', description: 'platform config (default: config/platform.json)' },
      settings: { type: 'string', valueName: '<file>', description: 'bootstrap settings (default: bootstrap/bootstrap.json)' },
      outdir: { type: 'string', valueName: '<dir>', description: 'output folder (default: cdktf.out.bootstrap)' },
      backend: { type: 'string', default: 'local', valueName: '<local|s3>', description: 'local for the first apply; s3 once the state bucket exists (default: local)' },
      verification: {
        type: 'boolean',
        description: 'write the stacks for an offline terraform plan (fake credentials, local backend, lookups on --endpoint): never apply it',
      },
      'state-dir': { type: 'string', valueName: '<dir>', description: 'with --verification: folder of the local state files' },
      endpoint: { type: 'string', valueName: '<url>', description: 'with --verification: the loopback endpoint answering AWS lookups' },
      'provider-version': { type: 'string', default: '5.100.0', valueName: '<v>', description: 'with --verification: the AWS provider version of the mirror (default: 5.100.0)' },
    },
  },
  ({ values }) => {
    if (values.backend !== 'local' && values.backend !== 's3') throw new UsageError(`--backend must be local or s3, got "${values.backend}"`);
    if (values.verification && (!values['state-dir'] || !values.endpoint)) throw new UsageError('--verification needs --state-dir <dir> and --endpoint <url>');
    const result = synthBootstrap({
      configPath: values.config,
      settingsPath: values.settings,
      outdir: values.outdir,
      backend: values.backend,
      verification: values.verification
        ? { stateDir: path.resolve(values['state-dir']!), endpoint: values.endpoint!, providerVersion: values['provider-version'], skew: PROVIDER_SKEW }
        : undefined,
    });
    for (const a of result.accounts) console.log(`${a.stackName.padEnd(28)} ${a.accountId}  ${a.region.padEnd(15)} ${describe(a)}`);
    console.log(`synthesized ${result.accounts.length} bootstrap stacks into ${path.relative(process.cwd(), result.outdir)}/ (backend: ${values.backend})`);
  },
);
