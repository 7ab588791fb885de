// Summarizes the plans of every planned stack into one Markdown comment and fails
// when a stateful resource is replaced or deleted without an allowance.
//   node tools/run-ts.mjs libs/pipeline/plan-review/src/cli.ts --plans <dir> [--out <file.md>]
//        [--labels '<JSON array of PR label names>'] [--allow <stack[:address]>]... [--allow-all]
//        [--title <text>] [--footer <text>]
// Exit codes: 0 ok, 1 blocked by the guard, 2 usage or input error.
import { writeFileSync } from 'node:fs';
import { UsageError, runCli } from '@platform/cli';
import { DEFAULT_CONFIG_PATH, loadPlatform } from '@platform/config';
import { serviceAllowanceFromLabels, serviceDirectory } from './by-service';
import { allowanceFromLabels, mergeAllowances } from './guard';
import { findPlanFiles, reviewPlans } from './review';

function parseLabels(raw: string | undefined): string[] {
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.some((l) => typeof l !== 'string')) throw new UsageError(`--labels must be a JSON array of label names, got ${raw}`);
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
      title: { type: 'string', valueName: '<text>', description: 'heading of the summary' },
      footer: { type: 'string', valueName: '<text>', description: 'text after the summary' },
      config: { type: 'string', valueName: '<file>', description: `platform config whose services and owners group the comment (default ${DEFAULT_CONFIG_PATH})` },
    },
  },
  ({ values }) => {
    if (!values.plans) throw new UsageError('--plans <dir> is required');
    const labels = parseLabels(values.labels);
    const platform = loadPlatform(values.config ?? DEFAULT_CONFIG_PATH);
    const services = serviceDirectory(platform.services, platform.config.platformOwners);
    const files = findPlanFiles(values.plans);
    const allowance = mergeAllowances(
      allowanceFromLabels(labels),
      serviceAllowanceFromLabels(labels, files.map((f) => f.stack), services),
      { all: values['allow-all'], patterns: values.allow ?? [] },
    );
    const review = reviewPlans(files, allowance, { title: values.title, footer: values.footer, services });
    if (values.out) writeFileSync(values.out, review.markdown);
    else process.stdout.write(review.markdown);
    const blocked = review.findings.filter((f) => !f.allowed);
    for (const f of blocked) {
      console.error(`blocked: ${f.stack}: ${f.change.kind} of stateful resource ${f.change.address}`);
    }
    return review.ok ? 0 : 1;
  },
);
