// Summarizes the plans of every planned stack into one Markdown comment and fails
// when a stateful resource is replaced or deleted without an allowance.
//   node tools/run-ts.mjs libs/pipeline/plan-review/src/cli.ts --plans <dir> [--out <file.md>]
//        [--labels '<JSON array of PR label names>'] [--allow <stack[:address]>]... [--allow-all]
//        [--expected-stacks '<JSON array of stacks>'] [--report-only] [--title <text>] [--footer <text>]
// Exit codes: 0 ok, 1 blocked by the guard (or a plan missing or errored), 2 usage or input error.
// It fails closed: no plan at all, an expected stack without a plan, or an errored
// plan fails, whatever the labels say.
import { writeFileSync } from 'node:fs';
import { UsageError, runCli } from '@platform/cli';
import { DEFAULT_CONFIG_PATH, loadPlatform } from '@platform/config';
import { serviceAllowanceFromLabels, serviceDirectory } from './by-service';
import { allowanceFromLabels, mergeAllowances } from './guard';
import { findPlanFiles, reviewPlans } from './review';

function parseList(option: string, what: string, raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.some((l) => typeof l !== 'string')) throw new UsageError(`${option} must be a JSON array of ${what}, got ${raw}`);
  return parsed as string[];
}

void runCli(
  {
    name: 'plan-review',
    command: 'node tools/run-ts.mjs libs/pipeline/plan-review/src/cli.ts',
    summary:
      'Summarizes the plans of every planned stack into one Markdown comment; exits 1 when a stateful resource would be replaced or deleted without an allowance.',
    options: {
      plans: { type: 'string', valueName: '<dir>', description: 'folder holding the plan JSON of each stack (required)' },
      out: { type: 'string', valueName: '<file.md>', description: 'write the Markdown here (default: standard output)' },
      labels: { type: 'string', valueName: '<json>', description: "the pull request's labels, a JSON array; allow-* labels allow changes" },
      allow: { type: 'string', multiple: true, valueName: '<stack[:address]>', description: 'allow replacing or deleting stateful resources of this stack or resource' },
      'allow-all': { type: 'boolean', default: false, description: 'allow every replacement and deletion' },
      'expected-stacks': {
        type: 'string',
        valueName: '<json>',
        description: "stacks that must have a plan (the affected stacks), a JSON array; '[]' when none is affected",
      },
      'report-only': {
        type: 'boolean',
        default: false,
        description: 'summarize only (after an apply): exit 0 whatever the guard finds; unreadable plans still fail',
      },
      title: { type: 'string', valueName: '<text>', description: 'heading of the summary' },
      footer: { type: 'string', valueName: '<text>', description: 'text after the summary' },
      config: { type: 'string', valueName: '<file>', description: `platform config whose services and owners group the comment (default ${DEFAULT_CONFIG_PATH})` },
    },
  },
  ({ values }) => {
    if (!values.plans) throw new UsageError('--plans <dir> is required');
    const labels = parseList('--labels', 'label names', values.labels) ?? [];
    const expectedStacks = parseList('--expected-stacks', 'stack names', values['expected-stacks']);
    const platform = loadPlatform(values.config ?? DEFAULT_CONFIG_PATH);
    const services = serviceDirectory(platform.services, platform.config.platformOwners);
    const files = findPlanFiles(values.plans);
    const allowance = mergeAllowances(
      allowanceFromLabels(labels),
      serviceAllowanceFromLabels(labels, files.map((f) => f.stack), services),
      { all: values['allow-all'], patterns: values.allow ?? [] },
    );
    const review = reviewPlans(files, allowance, { title: values.title, footer: values.footer, services }, { expectedStacks, source: values.plans });
    if (values.out) writeFileSync(values.out, review.markdown);
    else process.stdout.write(review.markdown);
    if (values['report-only']) return 0;
    for (const problem of review.problems) console.error(`blocked: ${problem}`);
    for (const f of review.findings.filter((x) => !x.allowed)) {
      const what = f.change.removedNested.length > 0 ? `update removing ${f.change.removedNested.join(', ')} of` : `${f.change.kind} of`;
      console.error(`blocked: ${f.stack}: ${what} stateful resource ${f.change.address}`);
    }
    return review.ok ? 0 : 1;
  },
);
