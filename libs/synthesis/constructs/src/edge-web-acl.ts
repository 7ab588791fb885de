import { Construct } from 'constructs';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { ConstructPropsError } from './validation';

/** Props of {@link EdgeWebAcl}. */
export interface EdgeWebAclProps {
  /** The us-east-1 provider: web ACLs of scope CLOUDFRONT live there. */
  readonly provider: AwsProvider;
  readonly name: string;
  /** Requests per client IP in a 5-minute window before the rate rule blocks (10 to 2e9). @default 2000 */
  readonly rateLimitPer5Minutes?: number;
}

/** The AWS managed rule groups every distribution's web ACL runs, in priority order. */
export const MANAGED_RULE_GROUPS = ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'] as const;

/**
 * An AWS WAF web ACL for a CloudFront distribution: allow by default, AWS's common rule
 * set and known-bad-inputs rule group, and a rate-based rule per client IP. Every rule
 * sends CloudWatch metrics and samples.
 */
export class EdgeWebAcl extends Construct {
  readonly webAcl: Wafv2WebAcl;

  constructor(scope: Construct, id: string, props: EdgeWebAclProps) {
    super(scope, id);
    const limit = props.rateLimitPer5Minutes ?? 2000;
    if (!Number.isInteger(limit) || limit < 10 || limit > 2_000_000_000) {
      throw new ConstructPropsError(this, `rateLimitPer5Minutes must be a whole number from 10 to 2000000000, got ${limit}`);
    }
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
    this.webAcl = new Wafv2WebAcl(this, 'web-acl', {
      provider: props.provider,
      name: props.name,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      rule: [
        ...MANAGED_RULE_GROUPS.map((group, i) => ({
          name: group,
          priority: i + 1,
          overrideAction: { none: {} },
          // `statement` is untyped in the provider bindings: Terraform's own field names.
          statement: { managed_rule_group_statement: { name: group, vendor_name: 'AWS' } },
          visibilityConfig: visibility(`${props.name}-${group}`),
        })),
        {
          name: 'rate-per-ip',
          priority: MANAGED_RULE_GROUPS.length + 1,
          action: { block: {} },
          statement: { rate_based_statement: { limit, aggregate_key_type: 'IP' } },
          visibilityConfig: visibility(`${props.name}-rate-per-ip`),
        },
      ],
      visibilityConfig: visibility(props.name),
    });
  }

  /** For the distribution's `web_acl_id` (WAFv2 takes the ARN). */
  get webAclArn(): string {
    return this.webAcl.arn;
  }
}
