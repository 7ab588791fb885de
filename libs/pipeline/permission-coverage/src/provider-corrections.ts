// Where the facts file (Pike's mapping) is wrong for how the platform uses a type, each
// correction with the reason and where the fact comes from. The facts file itself stays
// as extracted, so a newer extraction can be compared with it.

/** One change to one list of one type in the facts; `attributes.<argument>` names an argument's list. */
export interface ProviderCorrection {
  readonly kind: 'resource' | 'data';
  readonly type: string;
  readonly list: 'plan' | 'apply' | 'modify' | 'destroy' | `attributes.${string}`;
  readonly remove?: readonly string[];
  readonly add?: readonly string[];
  /** Why, with the source (provider code, AWS Service Authorization Reference). */
  readonly reason: string;
}

const PROVIDER = 'https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service';
const SAR = 'https://docs.aws.amazon.com/service-authorization/latest/reference';

/** The corrections, applied in order. */
export const PROVIDER_CORRECTIONS: readonly ProviderCorrection[] = [
  {
    kind: 'resource',
    type: 'aws_s3_bucket',
    list: 'plan',
    remove: ['s3:GetObject', 's3:GetObjectAcl'],
    reason: `the bucket's read calls only bucket-level APIs (HeadBucket, GetBucket*), never an object: resourceBucketRead in ${PROVIDER}/s3/bucket.go`,
  },
  {
    kind: 'resource',
    type: 'aws_lambda_permission',
    list: 'apply',
    remove: ['iam:PassRole'],
    reason: `AddPermission passes no role (no iam:PassRole dependency: ${SAR}/list_awslambda.html); the resource calls AddPermission, GetPolicy and RemovePermission only (${PROVIDER}/lambda/permission.go)`,
  },
  {
    kind: 'resource',
    type: 'aws_rds_cluster_instance',
    list: 'apply',
    remove: ['iam:PassRole'],
    reason: `the instance passes a role only for enhanced monitoring (monitoring_role_arn, listed under its attributes), which the platform does not set (${PROVIDER}/rds/cluster_instance.go)`,
  },
  {
    kind: 'resource',
    type: 'aws_vpc_security_group_egress_rule',
    list: 'plan',
    remove: ['ec2:RevokeSecurityGroupEgress'],
    add: ['ec2:DescribeSecurityGroupRules'],
    reason: `a refresh reads the rule (DescribeSecurityGroupRules) and revokes nothing: the read of securityGroupRuleResource in ${PROVIDER}/ec2/vpc_security_group_rule.go`,
  },
  {
    kind: 'resource',
    type: 'aws_cloudfront_distribution',
    list: 'apply',
    remove: ['cloudfront:CreateDistributionWithTags'],
    reason: `CreateDistributionWithTags is an API, not an IAM action: it is authorized as cloudfront:CreateDistribution and cloudfront:TagResource (${SAR}/list_amazoncloudfront.html)`,
  },
  {
    kind: 'resource',
    type: 'aws_cloudfront_function',
    list: 'plan',
    add: ['cloudfront:DescribeFunction', 'cloudfront:GetFunction'],
    reason: `a refresh describes the DEVELOPMENT and LIVE stages and reads the code (DescribeFunction, GetFunction): resourceFunctionRead in ${PROVIDER}/cloudfront/function.go`,
  },
  {
    kind: 'resource',
    type: 'aws_cloudfront_function',
    list: 'modify',
    add: ['cloudfront:PublishFunction', 'cloudfront:DescribeFunction', 'cloudfront:GetFunction'],
    reason: `an update publishes the new code (publish = true) and reads it back: resourceFunctionUpdate in ${PROVIDER}/cloudfront/function.go`,
  },
  {
    kind: 'resource',
    type: 'aws_iam_role',
    list: 'attributes.permissions_boundary',
    remove: ['iam:DeleteRolePermissionsBoundary'],
    reason: `the provider deletes a boundary only when the argument is removed (resourceRoleUpdate in ${PROVIDER}/iam/role.go); every platform role keeps it (PermissionsBoundary aspect) and the bootstrap denies the deletion on purpose`,
  },
];
