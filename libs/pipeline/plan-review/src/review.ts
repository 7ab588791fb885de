import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { UserError } from '@platform/config';
import { basename, dirname, join, relative } from 'node:path';
import { type GuardAllowance, type GuardFinding, guard } from './guard';
import { type RenderOptions, renderMarkdown } from './markdown';
import { parsePlanJson } from './plan-json';
import { type StackSummary, summarizePlan } from './summarize';

/** The plan JSON file of one stack. */
export interface StackPlanFile {
  readonly stack: string;
  readonly file: string;
}

/** The result of a review. */
export interface PlanReview {
  readonly summaries: StackSummary[];
  readonly findings: GuardFinding[];
  readonly markdown: string;
  /**
   * Why the review cannot vouch for the plans, whatever the allowances: no plan at all,
   * an expected stack without a plan, a plan Terraform could not finish.
   */
  readonly problems: string[];
  /** False when a stateful resource is lost without an allowance, or on any problem. */
  readonly ok: boolean;
}

/** Options of {@link reviewPlans}. */
export interface ReviewOptions {
  /**
   * The stacks that must have a plan (the affected stacks). An empty list says that no
   * stack is affected, the only case in which no plan is fine.
   * @default - at least one plan must exist
   */
  readonly expectedStacks?: readonly string[];
  /** Where the plans were looked for, for the messages. @default "the plans folder" */
  readonly source?: string;
}

/**
 * Finds `<stack>/plan.json` anywhere under `dir` (the runner writes
 * dist/terraform/<stack>/plan.json; CI artifacts may add a level). The stack is the
 * name of the folder holding the file.
 */
export function findPlanFiles(dir: string, fileName = 'plan.json'): StackPlanFile[] {
  if (!existsSync(dir)) return [];
  const found: StackPlanFile[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry === fileName) found.push({ stack: basename(dirname(path)), file: path });
    }
  };
  walk(dir);
  const seen = new Map<string, string>();
  for (const f of found) {
    const other = seen.get(f.stack);
    if (other) throw new UserError(`two plans for stack ${f.stack}: ${relative(dir, other)} and ${relative(dir, f.file)}`);
    seen.set(f.stack, f.file);
  }
  return found.sort((a, b) => a.stack.localeCompare(b.stack));
}

/** Summarizes every plan, runs the guard and renders the Markdown. */
export function reviewPlans(
  files: readonly StackPlanFile[],
  allowance: GuardAllowance = {},
  render: RenderOptions = {},
  options: ReviewOptions = {},
): PlanReview {
  const summaries = files.map((f) => summarizePlan(f.stack, parsePlanJson(readFileSync(f.file, 'utf8'), f.file)));
  const findings = guard(summaries, allowance);
  const problems = planProblems(summaries, options);
  return {
    summaries,
    findings,
    problems,
    markdown: renderMarkdown(summaries, findings, { ...render, problems }),
    ok: problems.length === 0 && findings.every((f) => f.allowed),
  };
}

/** The review fails closed: a plan that is missing or errored is never "no changes". */
function planProblems(summaries: readonly StackSummary[], options: ReviewOptions): string[] {
  const where = options.source ?? 'the plans folder';
  const problems: string[] = [];
  const planned = new Set(summaries.map((s) => s.stack));
  if (options.expectedStacks === undefined) {
    if (summaries.length === 0) {
      problems.push(
        `no plan found in ${where}: a plan job failed or its artifact did not upload (when no stack is affected, pass --expected-stacks '[]')`,
      );
    }
  } else {
    for (const stack of options.expectedStacks) {
      if (!planned.has(stack)) problems.push(`no plan for affected stack ${stack} in ${where}: its plan failed or its artifact did not upload`);
    }
  }
  for (const s of summaries) {
    if (s.errored) problems.push(`the plan of ${s.stack} errored: Terraform stopped part-way, so the plan is incomplete`);
  }
  return problems;
}
