#!/usr/bin/env node
// Reads the synthesized stacks (cdktf.out/) and prints, per service and environment,
// the regions, routing, health checks, worst-case DNS failover time, edge cache and
// data replication with AWS's recovery-point expectations.
//   node tools/report.mjs [--outdir cdktf.out] [--json]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTs } from './lib/load-ts.mjs';
const { values: args } = parseArgs({
  options: { outdir: { type: 'string', default: 'cdktf.out' }, json: { type: 'boolean', default: false } },
});
const { buildReport, formatReport } = await loadTs('libs/pipeline/report/src/index.ts', 'tools/report.cjs');
try {
  const report = buildReport(resolve(args.outdir));
  console.log(args.json ? JSON.stringify(report, null, 2) : formatReport(report));
} catch (err) {
  console.error(`report: ${err.message}`);
  process.exit(1);
}
