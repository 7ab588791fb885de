import { existsSync, readFileSync } from 'node:fs';
import { wildcardMatcher } from '@platform/cli';
import { UserError } from '@platform/config';
import { ruleById } from './rules';
import type { TfResource, TfStack } from './terraform-json';

/**
 * A suppression in the one committed file (`policy-suppressions.json`): a rule, the
 * resources it covers, and why the finding is deliberate.
 */
export interface FileSuppression {
  readonly rule: string;
  /**
   * Construct paths the suppression covers, `*` matching any run of characters,
   * e.g. `bootstrap-*\/pipeline/deploy-policy`.
   */
  readonly resources: readonly string[];
  readonly reason: string;
}

/** A suppression that is wrong: no reason, an unknown rule, or a resource that does not exist. */
export class SuppressionError extends UserError {
  readonly exitCode = 2;
}

const MIN_REASON = 10;

/** Reads and checks the shape of the suppressions file; a missing file is no suppressions. */
export function loadSuppressionsFile(file: string): FileSuppression[] {
  if (!existsSync(file)) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SuppressionError(`${file}: not JSON (${(err as Error).message})`);
  }
  const items = (raw as { suppressions?: unknown }).suppressions;
  if (!Array.isArray(items)) throw new SuppressionError(`${file}: expected { "suppressions": [ ... ] }`);
  return items.map((item, i) => {
    const s = item as Partial<FileSuppression>;
    const where = `${file}: suppressions[${i}]`;
    if (typeof s.rule !== 'string') throw new SuppressionError(`${where}: "rule" must name a rule`);
    if (!Array.isArray(s.resources) || s.resources.length === 0 || s.resources.some((r) => typeof r !== 'string')) {
      throw new SuppressionError(`${where} (${s.rule}): "resources" must list construct paths; a blanket suppression of a rule is not allowed`);
    }
    if (typeof s.reason !== 'string' || s.reason.trim().length < MIN_REASON) {
      throw new SuppressionError(`${where} (${s.rule}): give a reason of at least ${MIN_REASON} characters`);
    }
    return { rule: s.rule, resources: s.resources, reason: s.reason.trim() };
  });
}

/** Checks every suppression (file and inline) against the rules and the resources; throws on the first wrong one. */
export function validateSuppressions(stacks: readonly TfStack[], file: readonly FileSuppression[], source = 'policy-suppressions.json'): void {
  const resources = stacks.flatMap((s) => s.resources);
  for (const [i, s] of file.entries()) {
    const where = `${source}: suppressions[${i}]`;
    if (!ruleById(s.rule)) throw new SuppressionError(`${where}: no rule "${s.rule}" in the rule pack`);
    for (const pattern of s.resources) {
      if (!resources.some((r) => wildcardMatcher(pattern)(r.path))) {
        throw new SuppressionError(`${where} (${s.rule}): no resource at "${pattern}" in the synthesized stacks`);
      }
    }
  }
  for (const r of resources) {
    for (const s of r.suppressions) {
      if (!ruleById(s.rule)) throw new SuppressionError(`${r.path}: suppression of unknown rule "${s.rule}"`);
      if (typeof s.reason !== 'string' || s.reason.trim().length < MIN_REASON) {
        throw new SuppressionError(`${r.path}: suppression of ${s.rule} needs a reason of at least ${MIN_REASON} characters`);
      }
    }
  }
}

/** The reason `rule` is suppressed on `resource`, and where it was written; undefined when it is not. */
export function suppressionFor(
  resource: TfResource,
  rule: string,
  file: readonly FileSuppression[],
): { readonly reason: string; readonly where: 'inline' | 'file' } | undefined {
  const inline = resource.suppressions.find((s) => s.rule === rule);
  if (inline) return { reason: inline.reason, where: 'inline' };
  const listed = file.find((s) => s.rule === rule && s.resources.some((p) => wildcardMatcher(p)(resource.path)));
  return listed ? { reason: listed.reason, where: 'file' } : undefined;
}
