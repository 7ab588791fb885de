// Rules for what AWS or Terraform only reject or break at apply time, which no offline
// plan shows (issue 22): a generated value evaluated more than once, a security-group
// rule naming a group of another region, an alarm nobody hears, an RDS-managed master
// password on a global database member. Each rule cites the documentation it enforces.
import type { Rule, RuleContext } from './rules';
import { referencedNames, type TfResource } from './terraform-json';

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const providerOf = (r: TfResource) => String(r.values.provider ?? 'aws');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether `value` names the alarm `target`: by reference, or by its literal name (`ALARM("name")` in a rule, or the whole value). */
function refersTo(value: unknown, target: TfResource): boolean {
  if (referencedNames(value, target.type).includes(target.name)) return true;
  const name = target.values.alarm_name;
  if (typeof name !== 'string' || name.includes('${')) return false;
  return value === name || new RegExp(`\\(\\s*"?${escape(name)}"?\\s*\\)`).test(String(value ?? ''));
}

// ---------------------------------------------------------------------------
// PLT_TF_1: a generated value is made once

/** Terraform functions that answer anew at every evaluation. */
const IMPURE = /\b(uuid|timestamp)\(\s*\)/;

/** The arguments of a resource (top-level keys) whose value calls uuid() or timestamp(), with the function. */
function impureArguments(r: TfResource): { argument: string; fn: string }[] {
  const found: { argument: string; fn: string }[] = [];
  for (const [argument, value] of Object.entries(r.values)) {
    if (argument === '//' || argument === 'lifecycle') continue;
    const m = IMPURE.exec(JSON.stringify(value));
    if (m) found.push({ argument, fn: `${m[1]}()` });
  }
  return found;
}

/**
 * Where a uuid() or timestamp() call makes its value once:
 * - the `input` of a `terraform_data` whose `lifecycle.ignore_changes` covers `input`
 *   (or is `all`): the value is computed at creation, kept in state as the resource's
 *   `output`, and every consumer references that output
 *   (https://developer.hashicorp.com/terraform/language/resources/terraform-data);
 * - a write-only argument (`*_wo`): Terraform never stores or compares its value, and
 *   the provider applies it only when its `*_wo_version` changes
 *   (https://developer.hashicorp.com/terraform/language/manage-sensitive-data/write-only).
 */
function makesValueOnce(r: TfResource, argument: string): boolean {
  if (argument.endsWith('_wo')) return true;
  if (r.type !== 'terraform_data' || argument !== 'input') return false;
  const ignored = (r.values.lifecycle as { ignore_changes?: unknown } | undefined)?.ignore_changes;
  return ignored === 'all' || list(ignored as string[] | string | undefined).includes('input');
}

// ---------------------------------------------------------------------------
// PLT_EC2_2: security-group references stay in one region

/** The security groups a rule or group names, with the attribute that names each. */
function groupReferences(r: TfResource): { attribute: string; value: unknown }[] {
  switch (r.type) {
    case 'aws_vpc_security_group_ingress_rule':
    case 'aws_vpc_security_group_egress_rule':
      return [
        { attribute: 'security_group_id', value: r.values.security_group_id },
        { attribute: 'referenced_security_group_id', value: r.values.referenced_security_group_id },
      ];
    case 'aws_security_group_rule':
      return [
        { attribute: 'security_group_id', value: r.values.security_group_id },
        { attribute: 'source_security_group_id', value: r.values.source_security_group_id },
      ];
    default:
      return ['ingress', 'egress'].flatMap((block) =>
        list(r.values[block] as Record<string, unknown>[] | undefined).map((rule, i) => ({ attribute: `${block}[${i}].security_groups`, value: rule.security_groups })),
      );
  }
}

// ---------------------------------------------------------------------------
// PLT_CW_1: every metric alarm is heard

const hasActions = (r: TfResource) => r.values.actions_enabled !== false && list(r.values.alarm_actions as unknown[] | undefined).length > 0;

/**
 * Whether an alarm, or what it feeds, notifies someone: its own actions; a composite
 * alarm of the same account and region (same provider) whose rule names it and that is
 * heard; or a Route53 health check that uses it (`cloudwatch_alarm_name`) and is watched,
 * itself or through a calculated parent, by a heard alarm.
 */
function heard(alarm: TfResource, ctx: RuleContext, seen = new Set<string>()): boolean {
  if (seen.has(alarm.address)) return false;
  seen.add(alarm.address);
  if (hasActions(alarm)) return true;
  const composites = ctx.resources('aws_cloudwatch_composite_alarm').filter((c) => providerOf(c) === providerOf(alarm) && refersTo(c.values.alarm_rule, alarm));
  if (composites.some((c) => heard(c, ctx, seen))) return true;
  if (alarm.type !== 'aws_cloudwatch_metric_alarm') return false;
  const checks = ctx.resources('aws_route53_health_check').filter((h) => refersTo(h.values.cloudwatch_alarm_name, alarm));
  return checks.some((h) => healthCheckHeard(h, ctx, seen));
}

function healthCheckHeard(check: TfResource, ctx: RuleContext, seen: Set<string>): boolean {
  if (seen.has(check.address)) return false;
  seen.add(check.address);
  const watchers = ctx.resources('aws_cloudwatch_metric_alarm').filter((a) => referencedNames((a.values.dimensions as Record<string, unknown> | undefined)?.HealthCheckId, check.type).includes(check.name));
  if (watchers.some((a) => heard(a, ctx, seen))) return true;
  const parents = ctx.resources('aws_route53_health_check').filter((h) => referencedNames(h.values.child_healthchecks, check.type).includes(check.name));
  return parents.some((p) => healthCheckHeard(p, ctx, seen));
}

/** The rules, registered in the pack by rules.ts. */
export const APPLY_TIME_RULES: readonly Rule[] = [
  {
    // https://developer.hashicorp.com/terraform/language/functions/uuid and
    // https://developer.hashicorp.com/terraform/language/functions/timestamp: "produces a
    // new value each time it is called"; an expression written in two places is two values.
    id: 'PLT_TF_1',
    severity: 'error',
    title: 'uuid() and timestamp() only where they make one value: the input of a terraform_data that ignores changes to it, or a write-only argument',
    fix: 'generate the value once in a terraform_data (input = the expression, lifecycle.ignore_changes = [input]) and reference its output wherever it is needed',
    resourceTypes: ['*'],
    check: (r) => {
      const bad = impureArguments(r).filter(({ argument }) => !makesValueOnce(r, argument));
      return bad.length > 0
        ? `${bad.map((b) => `${b.argument} calls ${b.fn}`).join(', ')}: a new value at every evaluation, so every place the expression is written holds another value`
        : undefined;
    },
  },
  {
    // https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html:
    // "You can't reference the security group of a peer VPC that's in a different Region."
    id: 'PLT_EC2_2',
    severity: 'error',
    title: 'Security-group rules name only security groups of their own region (same provider)',
    fix: 'keep the traffic within one region, or name the other region\'s CIDR block (with a peering or Transit Gateway path) instead of its group',
    resourceTypes: ['aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule', 'aws_security_group_rule', 'aws_security_group'],
    check: (r, ctx) => {
      const groups = ctx.resources('aws_security_group');
      const crossing = groupReferences(r).flatMap(({ attribute, value }) =>
        groups.filter((g) => referencedNames(value, g.type).includes(g.name) && providerOf(g) !== providerOf(r)).map((g) => `${attribute} names ${g.address} (provider ${providerOf(g)})`),
      );
      return crossing.length > 0 ? `${crossing.join(', ')} through provider ${providerOf(r)}: a security group cannot reference a group of another region` : undefined;
    },
  },
  {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-combining.html:
    // actions at the composite level, the underlying alarms without; a composite names
    // alarms of its own account and region
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html).
    id: 'PLT_CW_1',
    severity: 'error',
    title: 'Every metric alarm notifies: it has actions, or feeds a composite alarm (same account and region) or a Route53 health check whose alarm has them',
    fix: 'give the alarm the alarm topic of its account and region (alarm_actions), or name it in the rule of a composite alarm that has actions',
    resourceTypes: ['aws_cloudwatch_metric_alarm'],
    check: (r, ctx) => (heard(r, ctx) ? undefined : 'no action, and no composite alarm or watched health check that has one: it can fire and nobody learns of it'),
  },
  {
    // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations:
    // managing master user passwords with Secrets Manager isn't supported for "DB clusters
    // that are part of an Aurora global database".
    id: 'PLT_RDS_1',
    severity: 'error',
    title: 'No RDS-managed master password (manage_master_user_password) on a member of an Aurora global database',
    fix: 'give the writer a write-only master password (master_password_wo with master_password_wo_version) and IAM database authentication',
    resourceTypes: ['aws_rds_cluster'],
    check: (r) =>
      r.values.manage_master_user_password === true && r.values.global_cluster_identifier !== undefined
        ? 'manage_master_user_password with global_cluster_identifier: CreateDBCluster fails'
        : undefined,
  },
];
