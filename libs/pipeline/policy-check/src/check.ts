import { type Rule, RULES, type RuleContext, type Severity } from './rules';
import { type FileSuppression, suppressionFor, validateSuppressions } from './suppressions';
import { type TfResource, type TfStack, referencedNames } from './terraform-json';

/** One rule on one resource. */
export interface Finding {
  readonly rule: Rule;
  readonly resource: TfResource;
  readonly message: string;
  /** Set when the finding is deliberate. */
  readonly suppression?: { readonly reason: string; readonly where: 'inline' | 'file' };
}

/** Per rule: resources checked, passed, failed (unsuppressed) and suppressed. */
export interface RuleCounts {
  readonly rule: Rule;
  readonly checked: number;
  readonly passed: number;
  readonly failed: number;
  readonly suppressed: number;
}

/** The result of running the rule pack. */
export interface PolicyReport {
  readonly stacks: number;
  readonly resources: number;
  readonly findings: readonly Finding[];
  readonly counts: readonly RuleCounts[];
  /** Unsuppressed findings of error severity: the check fails when there is any. */
  readonly errors: readonly Finding[];
}

function contextFor(stack: TfStack): RuleContext {
  const byType = new Map<string, TfResource[]>();
  for (const r of stack.resources) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
  return {
    resources: (type) => byType.get(type) ?? [],
    attachedTo: (target, type, attribute) =>
      (byType.get(type) ?? []).filter((r) => {
        const value = r.values[attribute];
        return referencedNames(value, target.type).includes(target.name) || (value !== undefined && (value === target.values.bucket || value === target.values.name));
      }),
  };
}

/** Runs every rule over every resource of the stacks; checks the suppressions first. */
export function checkStacks(stacks: readonly TfStack[], fileSuppressions: readonly FileSuppression[] = [], rules: readonly Rule[] = RULES): PolicyReport {
  validateSuppressions(stacks, fileSuppressions);
  const findings: Finding[] = [];
  const counts = new Map<string, { checked: number; failed: number; suppressed: number }>(rules.map((r) => [r.id, { checked: 0, failed: 0, suppressed: 0 }]));
  for (const stack of stacks) {
    const ctx = contextFor(stack);
    for (const rule of rules) {
      if (rule.stackKind && rule.stackKind !== stack.kind) continue;
      const types = rule.resourceTypes.includes('*') ? [...new Set(stack.resources.map((r) => r.type))] : rule.resourceTypes;
      for (const type of types) {
        for (const resource of ctx.resources(type)) {
          const c = counts.get(rule.id)!;
          c.checked++;
          const message = rule.check(resource, ctx);
          if (message === undefined) continue;
          const suppression = suppressionFor(resource, rule.id, fileSuppressions);
          if (suppression) c.suppressed++;
          else c.failed++;
          findings.push({ rule, resource, message, ...(suppression ? { suppression } : {}) });
        }
      }
    }
  }
  return {
    stacks: stacks.length,
    resources: stacks.reduce((n, s) => n + s.resources.length, 0),
    findings,
    counts: rules.map((rule) => {
      const c = counts.get(rule.id)!;
      return { rule, checked: c.checked, failed: c.failed, suppressed: c.suppressed, passed: c.checked - c.failed - c.suppressed };
    }),
    errors: findings.filter((f) => !f.suppression && f.rule.severity === ('error' satisfies Severity)),
  };
}
