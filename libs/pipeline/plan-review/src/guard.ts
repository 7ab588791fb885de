import { wildcardMatcher } from '@platform/cli';
import type { PlannedChange, StackSummary } from './summarize';

/**
 * Resource types that hold data or identity which a replace or delete loses: the
 * table, bucket, database, zone, cache and key types of the platform.
 */
export const STATEFUL_RESOURCE_TYPES: readonly string[] = Object.freeze([
  'aws_dynamodb_table',
  'aws_dynamodb_table_replica',
  'aws_s3_bucket',
  'aws_rds_cluster',
  'aws_rds_global_cluster',
  'aws_db_instance',
  'aws_route53_zone',
  'aws_elasticache_replication_group',
  'aws_elasticache_global_replication_group',
  'aws_elasticache_cluster',
  'aws_elasticache_serverless_cache',
  'aws_kms_key',
  'aws_kms_replica_key',
]);

/** PR label that allows every destructive change of the pull request. */
export const ALLOW_ALL_LABEL = 'allow-destructive-changes';
/** Prefix of the PR label that allows the destructive changes of one stack: `allow-destroy:<stack>`. */
export const ALLOW_STACK_LABEL_PREFIX = 'allow-destroy:';

/** What is allowed to replace or delete stateful resources. */
export interface GuardAllowance {
  /** Everything is allowed (the `allow-destructive-changes` label). @default false */
  readonly all?: boolean;
  /**
   * Patterns `<stack>` or `<stack>:<address>`, `*` matching any run of characters,
   * e.g. `items-dev-global`, `items-*-global:aws_s3_bucket.*`.
   * @default []
   */
  readonly patterns?: readonly string[];
}

/** A stateful resource the plan replaces or deletes, or a stateful part an update removes. */
export interface GuardFinding {
  readonly stack: string;
  readonly change: PlannedChange;
  /** True when an allowance covers it. */
  readonly allowed: boolean;
}

/** Whether a change loses data or identity: a replace or delete of a stateful type, or an update removing a nested stateful part. */
export function isDestructive(change: PlannedChange, types: ReadonlySet<string>): boolean {
  if (change.removedNested.length > 0) return true;
  return types.has(change.type) && (change.kind === 'replace' || change.kind === 'delete');
}

/** Reads an allowance from PR labels. */
export function allowanceFromLabels(labels: readonly string[]): GuardAllowance {
  return {
    all: labels.includes(ALLOW_ALL_LABEL),
    patterns: labels.filter((l) => l.startsWith(ALLOW_STACK_LABEL_PREFIX)).map((l) => l.slice(ALLOW_STACK_LABEL_PREFIX.length).trim()),
  };
}

/** Merges allowances (labels, command-line patterns). */
export function mergeAllowances(...allowances: GuardAllowance[]): GuardAllowance {
  return { all: allowances.some((a) => a.all), patterns: allowances.flatMap((a) => a.patterns ?? []) };
}

/**
 * Every replace or delete of a stateful resource in the plans, and every update that
 * removes a nested stateful part (a global table's replica), marked allowed or not.
 * The check fails when any is not allowed.
 */
export function guard(
  summaries: readonly StackSummary[],
  allowance: GuardAllowance = {},
  statefulTypes: readonly string[] = STATEFUL_RESOURCE_TYPES,
): GuardFinding[] {
  const types = new Set(statefulTypes);
  const matchers = (allowance.patterns ?? []).map(patternMatcher);
  const findings: GuardFinding[] = [];
  for (const summary of summaries) {
    for (const change of summary.changes) {
      if (!isDestructive(change, types)) continue;
      const allowed = !!allowance.all || matchers.some((m) => m(summary.stack, change.address));
      findings.push({ stack: summary.stack, change, allowed });
    }
  }
  return findings;
}

function patternMatcher(pattern: string): (stack: string, address: string) => boolean {
  const colon = pattern.indexOf(':');
  const stackMatches = wildcardMatcher(colon < 0 ? pattern : pattern.slice(0, colon));
  const addressMatches = colon < 0 ? () => true : wildcardMatcher(pattern.slice(colon + 1));
  return (stack, address) => stackMatches(stack) && addressMatches(address);
}
