// "Apply what was reviewed": before a wave applies, the plan each stack has now (made
// with the deploy role) must make the same changes as the plan the approver saw (made
// with the read-only plan role before the approval), and the stateful-resource guard
// runs again on it. A plan that differs is stale: nothing is applied, and the pipeline
// plans again and asks for approval again.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type PlanJson, type GuardAllowance, parsePlanJson, reviewPlans } from '@platform/plan-review';

/** Sorted JSON with sorted keys: two equal values give equal text. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The changes a plan makes, one line per resource instance that changes
 * (`<address> <actions> <after>`), sorted: what "the same plan" means here. No-ops and
 * data reads are left out; so are output changes.
 */
export function planChanges(plan: PlanJson): string[] {
  return (plan.resource_changes ?? [])
    .filter((rc) => !rc.change.actions.every((a) => a === 'no-op' || a === 'read'))
    .map((rc) => `${rc.address}${rc.deposed ? ` (deposed ${rc.deposed})` : ''} ${rc.change.actions.join('+')} ${stable(rc.change.after)} ${stable((rc.change as { after_unknown?: unknown }).after_unknown ?? {})}`)
    .sort();
}

/** Why a stack's current plan is not the reviewed one, or undefined when it is. */
export function staleReason(stack: string, reviewedFile: string, currentFile: string): string | undefined {
  if (!existsSync(reviewedFile)) return `${stack}: no reviewed plan (it was not in the plan the approver saw)`;
  if (!existsSync(currentFile)) return `${stack}: no current plan at ${currentFile}`;
  const reviewed = planChanges(parsePlanJson(readFileSync(reviewedFile, 'utf8'), reviewedFile));
  const current = planChanges(parsePlanJson(readFileSync(currentFile, 'utf8'), currentFile));
  const added = current.find((l) => !reviewed.includes(l));
  const gone = reviewed.find((l) => !current.includes(l));
  if (!added && !gone) return undefined;
  const what = (line: string) => line.split(' ').slice(0, 2).join(' ');
  return `${stack}: the plan changed since it was reviewed (${added ? `now: ${what(added)}` : `no longer: ${what(gone!)}`}; ${current.length} change(s) now, ${reviewed.length} reviewed)`;
}

/** Where the plans are and what the guard allows. */
export interface ReviewedPlanCheck {
  /** Folder of the reviewed plans: `<dir>/<stack>/plan.json`. */
  readonly reviewedDir: string;
  /** Folder of the current plans: `<dir>/<stack>/plan.json` (the runner's `dist/terraform`). */
  readonly plansDir: string;
  /** What the merged pull request's labels allow. */
  readonly allowance: GuardAllowance;
}

/** The problems that forbid applying `stacks`: stale plans, then the guard's blocked findings. */
export function checkBeforeApply(stacks: readonly string[], check: ReviewedPlanCheck): { readonly stale: string[]; readonly blocked: string[] } {
  const stale = stacks.flatMap((s) => staleReason(s, path.join(check.reviewedDir, s, 'plan.json'), path.join(check.plansDir, s, 'plan.json')) ?? []);
  if (stale.length > 0) return { stale, blocked: [] };
  const review = reviewPlans(
    stacks.map((stack) => ({ stack, file: path.join(check.plansDir, stack, 'plan.json') })),
    check.allowance,
  );
  const blocked = review.findings.filter((f) => !f.allowed).map((f) => `${f.stack}: ${f.change.address} would be ${f.change.kind}d (a stateful resource; allow it with the label allow-destroy:${f.stack} on the pull request)`);
  return { stale, blocked };
}
