// Runs the policy rule pack over synthesized stacks and writes its report.
//   npm run policy:check -- [--stacks cdktf.out] [--bootstrap-stacks cdktf.out.bootstrap]
//        [--suppressions policy-suppressions.json] [--markdown <file.md>] [--sarif <file.sarif>]
// Exit codes: 0 no unsuppressed error, 1 unsuppressed errors, 2 bad input (a wrong suppression included).
import { writeFileSync } from 'node:fs';
import { runCli } from '@platform/cli';
import { checkStacks } from './check';
import { renderPolicyMarkdown } from './markdown';
import { renderSarif } from './sarif';
import { loadSuppressionsFile } from './suppressions';
import { readSynthOutput } from './terraform-json';

void runCli(
  {
    name: 'policy-check',
    command: 'npm run policy:check --',
    summary: 'Checks every synthesized stack (platform and bootstrap) against the rule pack; exits 1 on an unsuppressed error-level finding.',
    options: {
      stacks: { type: 'string', valueName: '<dir>', description: 'cdktf output of the platform (default: cdktf.out)' },
      'bootstrap-stacks': { type: 'string', valueName: '<dir>', description: 'cdktf output of the bootstrap (default: none)' },
      suppressions: { type: 'string', valueName: '<file>', description: 'committed suppressions (default: policy-suppressions.json)' },
      markdown: { type: 'string', valueName: '<file.md>', description: 'write the Markdown report here (default: standard output)' },
      sarif: { type: 'string', valueName: '<file.sarif>', description: 'write the SARIF report here' },
    },
  },
  ({ values }) => {
    const stacks = [
      ...readSynthOutput(values.stacks ?? 'cdktf.out', 'platform'),
      ...(values['bootstrap-stacks'] ? readSynthOutput(values['bootstrap-stacks'], 'bootstrap') : []),
    ];
    const suppressionsFile = values.suppressions ?? 'policy-suppressions.json';
    const report = checkStacks(stacks, loadSuppressionsFile(suppressionsFile));
    const markdown = renderPolicyMarkdown(report);
    if (values.markdown) writeFileSync(values.markdown, markdown);
    else process.stdout.write(markdown);
    if (values.sarif) writeFileSync(values.sarif, `${JSON.stringify(renderSarif(report), null, 2)}\n`);
    for (const f of report.errors) console.error(`error ${f.rule.id}: ${f.resource.path}: ${f.message}`);
    return report.errors.length > 0 ? 1 : 0;
  },
);
