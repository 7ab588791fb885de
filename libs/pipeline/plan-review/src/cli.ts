// Summarizes the plans of every planned stack into one Markdown comment and fails
// when a stateful resource is replaced or deleted without an allowance.
//   node --import tsx libs/pipeline/plan-review/src/cli.ts --plans <dir> [--out <file.md>]
//        [--labels '<JSON array of PR label names>'] [--allow <stack[:address]>]... [--allow-all]
//        [--title <text>] [--footer <text>]
// Exit codes: 0 ok, 1 blocked by the guard, 2 usage or input error.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { allowanceFromLabels, mergeAllowances } from './guard';
import { PlanFormatError } from './plan-json';
import { findPlanFiles, reviewPlans } from './review';

function main(): number {
  const { values } = parseArgs({
    options: {
      plans: { type: 'string' },
      out: { type: 'string' },
      labels: { type: 'string' },
      allow: { type: 'string', multiple: true },
      'allow-all': { type: 'boolean', default: false },
      title: { type: 'string' },
      footer: { type: 'string' },
    },
  });
  if (!values.plans) {
    console.error('usage: cli.ts --plans <dir> [--out <file>] [--labels <json>] [--allow <pattern>]... [--allow-all]');
    return 2;
  }
  let labels: string[] = [];
  if (values.labels) {
    const parsed: unknown = JSON.parse(values.labels);
    if (!Array.isArray(parsed) || parsed.some((l) => typeof l !== 'string')) {
      console.error(`--labels must be a JSON array of label names, got ${values.labels}`);
      return 2;
    }
    labels = parsed as string[];
  }
  const allowance = mergeAllowances(allowanceFromLabels(labels), { all: values['allow-all'], patterns: values.allow ?? [] });
  const review = reviewPlans(findPlanFiles(values.plans), allowance, { title: values.title, footer: values.footer });
  if (values.out) writeFileSync(values.out, review.markdown);
  else process.stdout.write(review.markdown);
  const blocked = review.findings.filter((f) => !f.allowed);
  for (const f of blocked) {
    console.error(`blocked: ${f.stack}: ${f.change.kind} of stateful resource ${f.change.address}`);
  }
  return review.ok ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (err) {
  console.error(err instanceof PlanFormatError || err instanceof SyntaxError ? `error: ${err.message}` : err);
  process.exitCode = 2;
}
