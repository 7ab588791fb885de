// npm run report: reads the synthesized stacks (cdktf.out/) and prints, per service and
// environment, the regions, routing, health checks, worst-case DNS failover time, edge
// cache and data replication with AWS's recovery-point expectations.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '@platform/cli';
import { UserError } from '@platform/config';
import { buildReport, formatReport } from '@platform/report';

void runCli(
  {
    name: 'report',
    command: 'npm run report --',
    summary: 'Describes the synthesized stacks per service and environment: regions, routing, failover time, edge cache, replication.',
    options: {
      outdir: { type: 'string', default: 'cdktf.out', valueName: '<dir>', description: 'synth output folder to read (default: cdktf.out)' },
      json: { type: 'boolean', default: false, description: 'print the report as JSON' },
    },
  },
  ({ values }) => {
    const outdir = path.resolve(values.outdir);
    if (!existsSync(path.join(outdir, 'manifest.json'))) {
      throw new UserError(`no synthesized stacks in ${values.outdir}/ (manifest.json missing); run: npm run synth`);
    }
    const report = buildReport(outdir);
    console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  },
);
