import { checkStacks } from './check';
import { APPLY_TIME_RULES } from './rules-apply-time';
import { stackFromJson } from './terraform-json';

/** The apply-time rules' failures on a stack made of `resource`: `RULE address: message`. */
function failures(resource: Record<string, Record<string, Record<string, unknown>>>): string[] {
  const report = checkStacks([stackFromJson('s', 'platform', { resource })], [], APPLY_TIME_RULES);
  return report.findings.map((f) => `${f.rule.id} ${f.resource.address}: ${f.message}`);
}

describe('PLT_TF_1: uuid() and timestamp() make one value (https://developer.hashicorp.com/terraform/language/functions/uuid)', () => {
  // The origin secret of issue 22: the expression written twice is four UUIDs, so `send` never equals `accept[0]`.
  it('flags an expression with uuid() written into a resource argument', () => {
    const value = 'replace(join("", [uuid(), uuid()]), "-", "")';
    expect(failures({ aws_secretsmanager_secret_version: { v: { secret_string: `\${jsonencode({"send" = ${value}, "accept" = [${value}]})}` } } })).toEqual([
      'PLT_TF_1 aws_secretsmanager_secret_version.v: secret_string calls uuid(): a new value at every evaluation, so every place the expression is written holds another value',
    ]);
  });

  it('flags timestamp() too, nested in a block or a map', () => {
    expect(failures({ aws_s3_bucket: { b: { tags: { created: '${timestamp()}' } } } })).toEqual([expect.stringContaining('tags calls timestamp()')]);
  });

  it('passes the one place that makes the value once: a terraform_data input with ignore_changes on input, referenced by its output', () => {
    expect(
      failures({
        terraform_data: { first: { input: { value: '${replace(join("", [uuid(), uuid()]), "-", "")}' }, lifecycle: { ignore_changes: ['input'] } } },
        aws_secretsmanager_secret_version: { v: { secret_string: '${jsonencode({"send" = terraform_data.first.output.value, "accept" = [terraform_data.first.output.value]})}' } },
      }),
    ).toEqual([]);
  });

  it('flags a terraform_data whose input is not ignored after creation: a new value at every plan', () => {
    expect(failures({ terraform_data: { first: { input: '${uuid()}' } } })).toEqual([expect.stringMatching(/^PLT_TF_1 terraform_data\.first: input calls uuid\(\)/)]);
    expect(failures({ terraform_data: { first: { input: '${uuid()}', triggers_replace: '${timestamp()}', lifecycle: { ignore_changes: 'all' } } } })).toEqual([
      expect.stringContaining('triggers_replace calls timestamp()'),
    ]);
  });

  it('passes a write-only argument, which Terraform never stores or compares', () => {
    expect(failures({ aws_rds_cluster: { c: { master_password_wo: '${replace(uuid(), "-", "")}', master_password_wo_version: 1 } } })).toEqual([]);
  });
});

describe('PLT_EC2_2: security-group references stay in one region (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html)', () => {
  const groups = {
    'lambda-eu': { provider: 'aws.eu-west-1', name: 'lambda' },
    'cache-eu': { provider: 'aws.eu-west-1', name: 'cache' },
    'cache-us': { provider: 'aws.us-east-1', name: 'cache' },
  };

  it('flags an egress rule towards the cache group of another region', () => {
    expect(
      failures({
        aws_security_group: groups,
        aws_vpc_security_group_egress_rule: {
          e: { provider: 'aws.eu-west-1', security_group_id: '${aws_security_group.lambda-eu.id}', referenced_security_group_id: '${aws_security_group.cache-us.id}', from_port: 6379 },
        },
      }),
    ).toEqual([
      'PLT_EC2_2 aws_vpc_security_group_egress_rule.e: referenced_security_group_id names aws_security_group.cache-us (provider aws.us-east-1) through provider aws.eu-west-1: a security group cannot reference a group of another region',
    ]);
  });

  it('flags a rule made through another region\'s provider, and an inline rule or a legacy aws_security_group_rule naming a group of another region', () => {
    const found = failures({
      aws_security_group: { ...groups, inline: { provider: 'aws.eu-west-1', ingress: [{ from_port: 6379, security_groups: ['${aws_security_group.cache-us.id}'] }] } },
      aws_vpc_security_group_ingress_rule: { i: { provider: 'aws.us-east-1', security_group_id: '${aws_security_group.cache-eu.id}', referenced_security_group_id: '${aws_security_group.cache-us.id}' } },
      aws_security_group_rule: { r: { provider: 'aws.eu-west-1', security_group_id: '${aws_security_group.cache-eu.id}', source_security_group_id: '${aws_security_group.cache-us.id}' } },
    });
    expect(found.map((f) => f.split(':')[0])).toEqual(['PLT_EC2_2 aws_vpc_security_group_ingress_rule.i', 'PLT_EC2_2 aws_security_group_rule.r', 'PLT_EC2_2 aws_security_group.inline']);
    expect(found[0]).toContain('security_group_id names aws_security_group.cache-eu (provider aws.eu-west-1) through provider aws.us-east-1');
    expect(found[2]).toContain('ingress[0].security_groups names aws_security_group.cache-us');
  });

  it('passes rules between groups of one region', () => {
    expect(
      failures({
        aws_security_group: groups,
        aws_vpc_security_group_ingress_rule: { i: { provider: 'aws.eu-west-1', security_group_id: '${aws_security_group.cache-eu.id}', referenced_security_group_id: '${aws_security_group.lambda-eu.id}' } },
      }),
    ).toEqual([]);
  });
});

describe('PLT_CW_1: every metric alarm is heard (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-combining.html)', () => {
  const topic = ['arn:aws:sns:us-east-1:444444444444:platform-alarms-prod'];

  // The prod health-check alarm of issue 22: in the DNS account, without an action, in no composite.
  it('flags an alarm with no action that feeds nothing', () => {
    expect(failures({ aws_cloudwatch_metric_alarm: { hc: { provider: 'aws.dns', alarm_name: 'items-prod-health-check-eu-west-1', alarm_actions: [] } } })).toEqual([
      'PLT_CW_1 aws_cloudwatch_metric_alarm.hc: no action, and no composite alarm or watched health check that has one: it can fire and nobody learns of it',
    ]);
  });

  it('flags an alarm whose actions are disabled', () => {
    expect(failures({ aws_cloudwatch_metric_alarm: { a: { alarm_name: 'a', alarm_actions: topic, actions_enabled: false } } })).toHaveLength(1);
  });

  it('passes an alarm with actions, and the alarms of a composite that has them (by reference or by name)', () => {
    expect(
      failures({
        aws_cloudwatch_metric_alarm: {
          own: { alarm_name: 'own', alarm_actions: topic },
          a: { provider: 'aws.eu-west-1', alarm_name: 'svc-a' },
          b: { provider: 'aws.eu-west-1', alarm_name: 'svc-b' },
        },
        aws_cloudwatch_composite_alarm: {
          unhealthy: { provider: 'aws.eu-west-1', alarm_rule: 'ALARM("${aws_cloudwatch_metric_alarm.a.alarm_name}") OR ALARM("svc-b")', alarm_actions: topic },
        },
      }),
    ).toEqual([]);
  });

  it('flags the alarms of a composite without actions, or of another region (a composite names alarms of its own account and region)', () => {
    const found = failures({
      aws_cloudwatch_metric_alarm: { a: { provider: 'aws.eu-west-1', alarm_name: 'svc-a' }, b: { provider: 'aws.us-east-1', alarm_name: 'svc-b' } },
      aws_cloudwatch_composite_alarm: {
        silent: { provider: 'aws.eu-west-1', alarm_rule: 'ALARM("svc-a")' },
        loud: { provider: 'aws.eu-west-1', alarm_rule: 'ALARM("svc-b")', alarm_actions: topic },
      },
    });
    expect(found.map((f) => f.split(':')[0])).toEqual(['PLT_CW_1 aws_cloudwatch_metric_alarm.a', 'PLT_CW_1 aws_cloudwatch_metric_alarm.b']);
  });

  it('passes an alarm that takes a region out of DNS through a health check whose alarm is heard', () => {
    const resource = {
      aws_cloudwatch_metric_alarm: {
        errors: { provider: 'aws.eu-west-1', alarm_name: 'svc-lambda-errors' },
        hc: { provider: 'aws.us-east-1', alarm_name: 'svc-health-check', dimensions: { HealthCheckId: '${aws_route53_health_check.combined.id}' }, alarm_actions: topic },
      },
      aws_route53_health_check: {
        metric: { type: 'CLOUDWATCH_METRIC', cloudwatch_alarm_name: '${aws_cloudwatch_metric_alarm.errors.alarm_name}' },
        https: { type: 'HTTPS' },
        combined: { type: 'CALCULATED', child_healthchecks: ['${aws_route53_health_check.https.id}', '${aws_route53_health_check.metric.id}'] },
      },
    };
    expect(failures(resource)).toEqual([]);
    expect(failures({ ...resource, aws_cloudwatch_metric_alarm: { ...resource.aws_cloudwatch_metric_alarm, hc: { ...resource.aws_cloudwatch_metric_alarm.hc, alarm_actions: [] } } })).toHaveLength(2);
  });
});

describe('PLT_RDS_1: no RDS-managed master password on a global database member (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations)', () => {
  it('flags manage_master_user_password with global_cluster_identifier', () => {
    expect(failures({ aws_rds_cluster: { w: { manage_master_user_password: true, global_cluster_identifier: '${aws_rds_global_cluster.g.id}' } } })).toEqual([
      'PLT_RDS_1 aws_rds_cluster.w: manage_master_user_password with global_cluster_identifier: CreateDBCluster fails',
    ]);
  });

  it('passes it on a cluster of its own, and a global member with a write-only password', () => {
    expect(
      failures({
        aws_rds_cluster: {
          alone: { manage_master_user_password: true },
          member: { global_cluster_identifier: '${aws_rds_global_cluster.g.id}', master_password_wo: '${replace(uuid(), "-", "")}', master_password_wo_version: 1 },
        },
      }),
    ).toEqual([]);
  });
});
