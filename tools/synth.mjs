#!/usr/bin/env node
// Synthesizes every stack of the platform into cdktf.out/ (the same layout
// `cdktf synth` writes) without the cdktf CLI's ~3.5 s start-up: the stacks
// program is bundled with esbuild (dependencies stay external) and run in this
// process. Ends with a table of the stacks unless --no-table is given.
//   node tools/synth.mjs [--config <file>] [--outdir <dir>] [--no-table]
//        [--verification --state-dir <dir> --endpoint <url> [--provider-version <v>]]
// --verification writes the stacks for an offline `terraform plan` (fake credentials,
// local backend and remote state, lookups on a loopback endpoint): never deploy it.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTs } from './lib/load-ts.mjs';

const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    config: { type: 'string' },
    outdir: { type: 'string' },
    'no-table': { type: 'boolean', default: false },
    verification: { type: 'boolean', default: false },
    'state-dir': { type: 'string' },
    endpoint: { type: 'string' },
    'provider-version': { type: 'string', default: '5.100.0' },
  },
});

const started = performance.now();
const { synthPlatform, isUserError, PROVIDER_SKEW } = await loadTs('stacks/main.ts', 'stacks/main.cjs');

if (args.verification && (!args['state-dir'] || !args.endpoint)) {
  console.error('--verification needs --state-dir <dir> and --endpoint <url>');
  process.exit(1);
}
const verification = args.verification
  ? { stateDir: resolve(args['state-dir']), endpoint: args.endpoint, providerVersion: args['provider-version'], skew: PROVIDER_SKEW }
  : undefined;

let result;
try {
  result = synthPlatform({ configPath: args.config, outdir: args.outdir, workspaceRoot: root, verification });
} catch (err) {
  if (!isUserError(err)) throw err;
  console.error(err.message);
  process.exit(1);
}
const seconds = ((performance.now() - started) / 1000).toFixed(2);

if (!args['no-table']) {
  const manifest = JSON.parse(readFileSync(join(result.outdir, 'manifest.json'), 'utf8'));
  const rows = Object.values(manifest.stacks).map((stack) => {
    const tf = JSON.parse(readFileSync(join(result.outdir, stack.synthesizedStackPath), 'utf8'));
    // The 'dns' alias is the DNS account's Route53 provider, not a region of the stack.
    const providers = (tf.provider?.aws ?? []).filter((p) => p.alias !== 'dns');
    const resources = Object.values(tf.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
    const tags = providers[0]?.default_tags?.[0]?.tags ?? {};
    return {
      stack: stack.name,
      account: providers[0]?.allowed_account_ids?.[0] ?? '-',
      regions: providers.map((p) => p.region).join(','),
      layer: tags.layer ?? '-',
      resources: String(resources),
    };
  });
  const cols = ['stack', 'account', 'regions', 'layer', 'resources'];
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(c.length, ...rows.map((r) => r[c].length))]));
  const line = (r) => cols.map((c) => (c === 'resources' ? r[c].padStart(width[c]) : r[c].padEnd(width[c]))).join('  ');
  console.log(line(Object.fromEntries(cols.map((c) => [c, c]))));
  for (const r of rows) console.log(line(r));
}
console.log(`synthesized ${result.stacks} stacks into ${result.outdir}/ in ${seconds} s`);
// For the synth benchmark: peak memory of this whole process.
if (process.env.SYNTH_REPORT_MAX_RSS) console.error(`max-rss-kib: ${process.resourceUsage().maxRSS}`);
