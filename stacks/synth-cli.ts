// npm run synth (and cdktf.json's app, through tools/synth.mjs): synthesizes every
// stack of the platform into cdktf.out/ (the layout `cdktf synth` writes) without the
// cdktf CLI's ~3.5 s start-up, then prints the stacks in layer order and what to run next.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '@platform/cli';
import { UserError } from '@platform/config';
import { PROVIDER_SKEW, synthPlatform } from './main';

interface Row {
  readonly stack: string;
  readonly account: string;
  readonly regions: string;
  readonly layer: string;
  readonly resources: string;
}

function describeStack(outdir: string, name: string): Row {
  const tf = JSON.parse(readFileSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
  // The 'dns' alias is the DNS account's Route53 provider, not a region of the stack.
  const providers: { alias?: string; region?: string; allowed_account_ids?: string[]; default_tags?: { tags?: Record<string, string> }[] }[] =
    (tf.provider?.aws ?? []).filter((p: { alias?: string }) => p.alias !== 'dns');
  const resources = Object.values<Record<string, unknown>>(tf.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
  return {
    stack: name,
    account: providers[0]?.allowed_account_ids?.[0] ?? '-',
    regions: providers.map((p) => p.region).join(','),
    layer: providers[0]?.default_tags?.[0]?.tags?.layer ?? '-',
    resources: String(resources),
  };
}

function table(rows: readonly Row[]): string[] {
  const cols = ['stack', 'account', 'regions', 'layer', 'resources'] as const;
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(c.length, ...rows.map((r) => r[c].length))]));
  const line = (r: Row) => cols.map((c) => (c === 'resources' ? r[c].padStart(width[c]) : r[c].padEnd(width[c]))).join('  ').trimEnd();
  return [line(Object.fromEntries(cols.map((c) => [c, c])) as unknown as Row), ...rows.map(line)];
}

/** What to run after a synth, aligned. */
function nextCommands(firstStack: string | undefined): string[] {
  const commands: [string, string][] = [
    ['npm run report', 'regions, routing, failover and replication of each service'],
    ...(firstStack ? [[`npx nx run ${firstStack}:plan`, 'Terraform plan of one stack (global stacks first)'] as [string, string]] : []),
    ['npm test', 'build, lint, type-check and every test'],
  ];
  const width = Math.max(...commands.map(([c]) => c.length));
  return ['next:', ...commands.map(([command, does]) => `  ${command.padEnd(width)}  ${does}`)];
}

void runCli(
  {
    name: 'synth',
    command: 'npm run synth --',
    summary:
      'Synthesizes every stack of the platform config into the output folder (the layout `cdktf synth` writes), ' +
      'deletes the folders of stacks the config no longer has, and lists the stacks in layer order.',
    options: {
      config: { type: 'string', valueName: '<file>', description: 'platform config (default: config/platform.json, or $PLATFORM_CONFIG)' },
      outdir: { type: 'string', valueName: '<dir>', description: 'output folder (default: cdktf.out, or $CDKTF_OUTDIR)' },
      'no-table': { type: 'boolean', description: 'print only the summary line (the cdktf CLI and benchmarks use this)' },
      verification: {
        type: 'boolean',
        description: 'write the stacks for an offline terraform plan (fake credentials, local backend and remote state, lookups on --endpoint): never deploy it',
      },
      'state-dir': { type: 'string', valueName: '<dir>', description: 'with --verification: folder of the local state files' },
      endpoint: { type: 'string', valueName: '<url>', description: 'with --verification: the loopback endpoint answering AWS lookups' },
      'provider-version': { type: 'string', default: '5.100.0', valueName: '<v>', description: 'with --verification: the AWS provider version of the mirror (default: 5.100.0)' },
    },
  },
  ({ values }) => {
    const root = path.resolve(__dirname, '..');
    if (values.verification && (!values['state-dir'] || !values.endpoint)) {
      throw new UserError('--verification needs --state-dir <dir> and --endpoint <url>');
    }
    const verification = values.verification
      ? { stateDir: path.resolve(values['state-dir']!), endpoint: values.endpoint!, providerVersion: values['provider-version'], skew: PROVIDER_SKEW }
      : undefined;
    const result = synthPlatform({ configPath: values.config, outdir: values.outdir, workspaceRoot: root, verification });
    // Since this process started: bundling, loading and synth.
    const seconds = (performance.now() / 1000).toFixed(2);
    const lines: string[] = [];
    if (!values['no-table']) lines.push(...table(result.stackNames.map((name) => describeStack(result.outdir, name))));
    for (const name of result.removed) lines.push(`removed ${result.outdir}/stacks/${name}/ (no longer in the config)`);
    lines.push(`synthesized ${result.stacks} stacks into ${result.outdir}/ in ${seconds} s`);
    if (!values['no-table']) lines.push(...nextCommands(result.stackNames[0]));
    console.log(lines.join('\n'));
    // For the synth benchmark: peak memory of this whole process.
    if (process.env.SYNTH_REPORT_MAX_RSS) console.error(`max-rss-kib: ${process.resourceUsage().maxRSS}`);
  },
);
