import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
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
  /** False when a stateful resource is replaced or deleted without an allowance. */
  readonly ok: boolean;
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
    if (other) throw new Error(`two plans for stack ${f.stack}: ${relative(dir, other)} and ${relative(dir, f.file)}`);
    seen.set(f.stack, f.file);
  }
  return found.sort((a, b) => a.stack.localeCompare(b.stack));
}

/** Summarizes every plan, runs the guard and renders the Markdown. */
export function reviewPlans(files: readonly StackPlanFile[], allowance: GuardAllowance = {}, render: RenderOptions = {}): PlanReview {
  const summaries = files.map((f) => summarizePlan(f.stack, parsePlanJson(readFileSync(f.file, 'utf8'), f.file)));
  const findings = guard(summaries, allowance);
  return {
    summaries,
    findings,
    markdown: renderMarkdown(summaries, findings, render),
    ok: findings.every((f) => f.allowed),
  };
}
