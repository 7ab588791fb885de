#!/usr/bin/env node
// Reads the synthesized stacks (cdktf.out/) and prints, per service and environment,
// the regions, routing, health checks, worst-case DNS failover time, edge cache and
// data replication with AWS's recovery-point expectations.
//   node tools/report.mjs [--outdir cdktf.out] [--json]
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: { outdir: { type: 'string', default: 'cdktf.out' }, json: { type: 'boolean', default: false } },
});
const bundle = join(root, 'dist', 'tools', 'report.cjs');
await build({
  entryPoints: [join(root, 'libs', 'platform', 'report', 'src', 'index.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  logLevel: 'warning',
});
const { buildReport, formatReport } = createRequire(import.meta.url)(bundle);
try {
  const report = buildReport(resolve(args.outdir));
  console.log(args.json ? JSON.stringify(report, null, 2) : formatReport(report));
} catch (err) {
  console.error(`report: ${err.message}`);
  process.exit(1);
}
