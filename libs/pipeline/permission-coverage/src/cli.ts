// Permission coverage of the synthesized stacks: every role may make every call
// Terraform's AWS provider makes for the stacks it plans or applies.
//   npm run permissions:check -- [--stacks cdktf.out] [--bootstrap-stacks cdktf.out.bootstrap]
//        [--config config/platform.json] [--settings bootstrap/bootstrap.json]
// Exit codes: 0 covered; 1 a call a role may not make, or bad input (one line each).
import { readFileSync } from 'node:fs';
import { runCli } from '@platform/cli';
import { loadPlatform } from '@platform/config';
import { checkPermissionCoverage, formatFailure } from './coverage';
import { coverageInput, readSynthesizedStacks } from './input';

void runCli(
  {
    name: 'permission-coverage',
    command: 'npm run permissions:check --',
    summary:
      'Evaluates every call Terraform makes for every synthesized stack against the policies of the role that plans or applies it (npm run synth and npx nx run bootstrap:synth first); exits 1 on a call a role may not make.',
    options: {
      stacks: { type: 'string', valueName: '<dir>', description: 'cdktf output of the platform (default: cdktf.out)' },
      'bootstrap-stacks': { type: 'string', valueName: '<dir>', description: 'cdktf output of the bootstrap (default: cdktf.out.bootstrap)' },
      config: { type: 'string', valueName: '<file>', description: 'platform config (default: config/platform.json)' },
      settings: { type: 'string', valueName: '<file>', description: 'bootstrap settings, for the plan role name (default: bootstrap/bootstrap.json)' },
    },
  },
  async ({ values }) => {
    const started = Date.now();
    const settings = JSON.parse(readFileSync(values.settings ?? 'bootstrap/bootstrap.json', 'utf8')) as { planRoleName?: string };
    const report = await checkPermissionCoverage(
      coverageInput({
        platform: loadPlatform(values.config ?? 'config/platform.json'),
        platformStacks: readSynthesizedStacks(values.stacks ?? 'cdktf.out'),
        bootstrapStacks: readSynthesizedStacks(values['bootstrap-stacks'] ?? 'cdktf.out.bootstrap'),
        planRoleName: settings.planRoleName ?? 'platform-plan',
        workspaceRoot: process.cwd(),
      }),
    );
    const problems = [...report.missingFacts, ...report.unknownActions, ...report.failures.map(formatFailure)];
    for (const line of problems) console.error(line);
    console.log(
      `permission coverage: ${report.requests} calls (${report.simulations} distinct evaluations), ${problems.length} problem${problems.length === 1 ? '' : 's'}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return problems.length > 0 ? 1 : 0;
  },
);
