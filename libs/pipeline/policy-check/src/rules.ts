import { UNRESERVED_CONCURRENCY_TAG, awsManagedPolicyArn } from '@platform/config';
import { type StackKind, type TfResource, referencedNames } from './terraform-json';
import { APPLY_TIME_RULES } from './rules-apply-time';
import { PRIVILEGE_ESCALATION_RULES } from './rules-privilege-escalation';

/** How bad a finding is: `error` fails the check unless suppressed; `warning` is reported. */
export type Severity = 'error' | 'warning';

/** What a rule sees besides the resource: the other resources of its stack. */
export interface RuleContext {
  /** Resources of `type` in the same stack. */
  resources(type: string): readonly TfResource[];
  /** Resources of `type` in the same stack whose `attribute` names `target` (by reference or by its `bucket`/`name`). */
  attachedTo(target: TfResource, type: string, attribute: string): readonly TfResource[];
}

/** One check of the rule pack. */
export interface Rule {
  /** checkov's ID where checkov has the same check (so people can look it up), else `PLT_*`. */
  readonly id: string;
  readonly severity: Severity;
  /** What must hold, in one line. */
  readonly title: string;
  /** How to fix a failure, in one line. */
  readonly fix: string;
  /** Resource types the rule looks at (`*`: every type). */
  readonly resourceTypes: readonly string[];
  /** Only stacks of this program. @default - both */
  readonly stackKind?: StackKind;
  /** The failure, in a few words, or undefined when the resource passes. */
  check(resource: TfResource, ctx: RuleContext): string | undefined;
}

// ---------------------------------------------------------------------------
// Helpers over IAM / S3 / KMS policy JSON

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The statements of a policy document held as a JSON string; [] when it is not literal JSON. */
export function statementsOf(value: unknown): Statement[] {
  if (typeof value !== 'string') return [];
  try {
    return list((JSON.parse(value) as { Statement?: Statement | Statement[] }).Statement);
  } catch {
    return [];
  }
}

/** Actions that take no resource ARN in IAM, so `Resource: "*"` is the only way to grant them. */
export const RESOURCELESS_ACTIONS = new Set([
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'cloudwatch:PutMetricData',
  'route53:CreateHealthCheck',
  'route53:CreateHostedZone',
  'sts:GetCallerIdentity',
]);

const READ_ONLY = /^[\w-]+:(Describe|Get|List|Head|BatchGet|View|Search|Lookup)[\w*]*$|^apigateway:GET$/;
const statementsOfPolicy = (r: TfResource) => statementsOf(r.values.policy ?? r.values.assume_role_policy);
const IAM_POLICIES = ['aws_iam_role_policy', 'aws_iam_policy'];
const BROAD_MANAGED_POLICIES = [
  'AdministratorAccess',
  'PowerUserAccess',
  'ReadOnlyAccess',
  'IAMFullAccess',
  'AmazonRoute53FullAccess',
  'AmazonS3FullAccess',
  'AmazonDynamoDBFullAccess',
].map((name) => awsManagedPolicyArn(name));
/** The IAM path of every workload role and policy (@platform/config WORKLOAD_IAM_PATH). */
const WORKLOAD_PATH = '/platform-workload/';

function bucketCheck(type: string, test: (attached: readonly TfResource[]) => string | undefined) {
  return (r: TfResource, ctx: RuleContext) => test(ctx.attachedTo(r, type, 'bucket'));
}

const truthy = (v: unknown) => v === true || v === 'true';
const block = (v: unknown): Record<string, unknown> | undefined => (Array.isArray(v) ? v[0] : v) as Record<string, unknown> | undefined;

// ---------------------------------------------------------------------------

/** The platform's rule pack, every rule with its ID, severity, one-line explanation and fix. */
export const RULES: readonly Rule[] = [
  // S3
  {
    id: 'CKV_AWS_19',
    severity: 'error',
    title: 'S3 buckets are encrypted at rest',
    fix: 'add an aws_s3_bucket_server_side_encryption_configuration (the constructs do)',
    resourceTypes: ['aws_s3_bucket'],
    check: bucketCheck('aws_s3_bucket_server_side_encryption_configuration', (a) => (a.length === 0 ? 'no encryption configuration' : undefined)),
  },
  {
    id: 'CKV_AWS_21',
    severity: 'error',
    title: 'S3 buckets are versioned (log buckets included)',
    fix: 'add an aws_s3_bucket_versioning with status Enabled',
    resourceTypes: ['aws_s3_bucket'],
    check: bucketCheck('aws_s3_bucket_versioning', (a) =>
      a.some((v) => block(v.values.versioning_configuration)?.status === 'Enabled') ? undefined : 'versioning is not enabled',
    ),
  },
  {
    id: 'CKV_AWS_18',
    severity: 'error',
    title: 'S3 buckets log their access (server access logging)',
    fix: "log into the region's S3AccessLogBucket (logBucket(...))",
    resourceTypes: ['aws_s3_bucket'],
    check: bucketCheck('aws_s3_bucket_logging', (a) => (a.length === 0 ? 'no server access logging' : undefined)),
  },
  {
    id: 'CKV2_AWS_6',
    severity: 'error',
    title: 'S3 buckets block every kind of public access',
    fix: 'add an aws_s3_bucket_public_access_block with all four settings true',
    resourceTypes: ['aws_s3_bucket'],
    check: bucketCheck('aws_s3_bucket_public_access_block', (a) =>
      a.some((p) => ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].every((k) => truthy(p.values[k])))
        ? undefined
        : 'public access is not fully blocked',
    ),
  },
  {
    id: 'CKV2_AWS_65',
    severity: 'error',
    title: 'S3 buckets have ACLs disabled (BucketOwnerEnforced)',
    fix: 'add an aws_s3_bucket_ownership_controls with object_ownership BucketOwnerEnforced',
    resourceTypes: ['aws_s3_bucket'],
    check: bucketCheck('aws_s3_bucket_ownership_controls', (a) =>
      a.some((o) => block(o.values.rule)?.object_ownership === 'BucketOwnerEnforced') ? undefined : 'ACLs are not disabled',
    ),
  },
  {
    id: 'PLT_S3_1',
    severity: 'error',
    title: 'S3 bucket policies deny requests without TLS (aws:SecureTransport false)',
    fix: 'give the bucket a TlsOnlyBucketPolicy (or tlsOnlyStatements in its policy)',
    resourceTypes: ['aws_s3_bucket'],
    check: bucketCheck('aws_s3_bucket_policy', (a) =>
      a.some((p) =>
        statementsOf(p.values.policy).some(
          (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition ?? {}).includes('"aws:SecureTransport":"false"') && list(s.Action).includes('s3:*'),
        ),
      )
        ? undefined
        : 'no bucket policy denying insecure transport',
    ),
  },
  // IAM
  {
    id: 'CKV_AWS_63',
    severity: 'error',
    title: 'IAM policies never allow "*" as an action',
    fix: 'name the actions',
    resourceTypes: IAM_POLICIES,
    check: (r) => (statementsOfPolicy(r).some((s) => s.Effect === 'Allow' && list(s.Action).includes('*')) ? 'allows Action "*"' : undefined),
  },
  {
    id: 'CKV_AWS_355',
    severity: 'error',
    title: 'IAM policies allow write actions only on named resources',
    fix: 'scope Resource to the ARNs the role needs (only actions without resource-level permissions may use "*")',
    resourceTypes: IAM_POLICIES,
    check: (r) => {
      const bad = statementsOfPolicy(r)
        .filter((s) => s.Effect === 'Allow' && list(s.Resource).includes('*'))
        .flatMap((s) => list(s.Action))
        .filter((a) => !READ_ONLY.test(a) && !RESOURCELESS_ACTIONS.has(a));
      return bad.length > 0 ? `allows ${bad.slice(0, 4).join(', ')}${bad.length > 4 ? ', ...' : ''} on "*"` : undefined;
    },
  },
  {
    id: 'PLT_IAM_1',
    severity: 'warning',
    title: 'IAM policies avoid service-wide wildcards (service:*)',
    fix: 'list the actions the role uses',
    resourceTypes: IAM_POLICIES,
    check: (r) => {
      const wild = statementsOfPolicy(r)
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) => list(s.Action))
        .filter((a) => /^[\w-]+:\*$/.test(a));
      return wild.length > 0 ? `allows ${wild.join(', ')}` : undefined;
    },
  },
  {
    id: 'PLT_IAM_2',
    severity: 'error',
    title: 'Workload roles carry the permissions boundary and live under the workload IAM path',
    fix: 'create roles in a PlatformStack with permissionsBoundaryArn and iamPath (the aspect sets both)',
    resourceTypes: ['aws_iam_role', 'aws_iam_policy'],
    stackKind: 'platform',
    check: (r) => {
      if (r.values.path !== WORKLOAD_PATH) return `path is ${JSON.stringify(r.values.path ?? '/')}, not ${WORKLOAD_PATH}`;
      if (r.type === 'aws_iam_role' && !r.values.permissions_boundary) return 'no permissions boundary';
      return undefined;
    },
  },
  {
    id: 'PLT_IAM_3',
    severity: 'error',
    title: 'Workload roles trust AWS services only, never an account or "*"',
    fix: 'trust a service principal; cross-account access belongs to the bootstrap',
    resourceTypes: ['aws_iam_role'],
    stackKind: 'platform',
    check: (r) => {
      for (const s of statementsOf(r.values.assume_role_policy)) {
        const p = s.Principal as Record<string, unknown> | string | undefined;
        if (p === '*' || (typeof p === 'object' && p !== null && Object.keys(p).some((k) => k !== 'Service'))) {
          return `trusts ${JSON.stringify(p)}`;
        }
      }
      return undefined;
    },
  },
  {
    id: 'PLT_IAM_4',
    severity: 'error',
    title: 'Roles trusted by an AWS service other than Lambda are bound to the account (aws:SourceAccount)',
    fix: 'add Condition StringEquals aws:SourceAccount (confused deputy)',
    resourceTypes: ['aws_iam_role'],
    check: (r) => {
      for (const s of statementsOf(r.values.assume_role_policy)) {
        const services = list((s.Principal as { Service?: string | string[] } | undefined)?.Service);
        const needs = services.filter((svc) => svc !== 'lambda.amazonaws.com');
        if (needs.length > 0 && !/aws:Source(Account|Arn)/.test(JSON.stringify(s.Condition ?? {}))) return `${needs.join(', ')} without aws:SourceAccount`;
      }
      return undefined;
    },
  },
  {
    id: 'CKV_AWS_358',
    severity: 'error',
    title: "GitHub OIDC trust names the repository's pull requests, branches or environments, never every ref",
    fix: 'condition token.actions.githubusercontent.com:sub on exact subjects (StringEquals)',
    resourceTypes: ['aws_iam_role'],
    check: (r) => {
      for (const s of statementsOf(r.values.assume_role_policy)) {
        if (!JSON.stringify(s.Principal ?? '').includes('oidc-provider') && !JSON.stringify(s.Principal ?? '').includes('openid_connect')) continue;
        const subs = Object.values(s.Condition ?? {}).flatMap((c) => list(c['token.actions.githubusercontent.com:sub'] as string | string[]));
        if (subs.length === 0) return 'no sub condition';
        const wide = subs.filter((v) => /:\*$|^\*$|^repo:[^:]*\*/.test(String(v)));
        if (wide.length > 0) return `sub ${wide.join(', ')} matches every ref`;
      }
      return undefined;
    },
  },
  {
    id: 'PLT_IAM_5',
    severity: 'error',
    title: 'No broad AWS managed policy (AdministratorAccess, PowerUserAccess, ReadOnlyAccess, *FullAccess) on a role',
    fix: 'write an inline policy with the actions and resources the role needs',
    resourceTypes: ['aws_iam_role_policy_attachment'],
    check: (r) => (BROAD_MANAGED_POLICIES.includes(String(r.values.policy_arn)) ? `attaches ${String(r.values.policy_arn).split('/').pop()}` : undefined),
  },
  ...PRIVILEGE_ESCALATION_RULES,
  // Logs
  {
    id: 'CKV_AWS_338',
    severity: 'error',
    title: 'CloudWatch log groups are kept at least one year',
    fix: 'set retention_in_days >= 365 (config lambda.logRetentionDays)',
    resourceTypes: ['aws_cloudwatch_log_group'],
    check: (r) => (r.values.retention_in_days !== undefined && Number(r.values.retention_in_days) < 365 ? `kept ${String(r.values.retention_in_days)} days` : undefined),
  },
  {
    id: 'CKV_AWS_158',
    severity: 'error',
    title: 'CloudWatch log groups are encrypted with a customer-managed KMS key',
    fix: "set kms_key_id to the region's log key (RegionalKmsKey with logs)",
    resourceTypes: ['aws_cloudwatch_log_group'],
    check: (r) => (r.values.kms_key_id ? undefined : 'no kms_key_id'),
  },
  // Lambda
  // The project's reading of checkov's rule (docs/security.md, "Lambda concurrency"): a
  // reservation is a decision the config makes per service and environment, not a number
  // every function must carry. A fresh account's quota can be 10 and Lambda keeps 100
  // unreserved, so a default reservation fails PutFunctionConcurrency there, and where it
  // succeeds it caps the function's throughput. A function passes with a reservation, or
  // with the tag the platform writes when the config reserves none.
  {
    id: 'CKV_AWS_115',
    severity: 'error',
    title: 'Lambda functions carry their concurrency decision: a reservation, or the tag that they share the unreserved pool',
    fix: `set reserved_concurrent_executions (config lambda.reservedConcurrency), or tag ${UNRESERVED_CONCURRENCY_TAG.key} = ${UNRESERVED_CONCURRENCY_TAG.value} (RegionalApi does when none is reserved)`,
    resourceTypes: ['aws_lambda_function'],
    check: (r) => {
      const reserved = r.values.reserved_concurrent_executions;
      if (reserved !== undefined && Number(reserved) >= 1) return undefined;
      const tags = (r.values.tags ?? {}) as Record<string, unknown>;
      return tags[UNRESERVED_CONCURRENCY_TAG.key] === UNRESERVED_CONCURRENCY_TAG.value ? undefined : 'no reserved concurrency and no unreserved decision tag';
    },
  },
  {
    id: 'CKV_AWS_50',
    severity: 'error',
    title: 'Lambda functions trace with X-Ray (active tracing)',
    fix: 'set tracing_config.mode = Active',
    resourceTypes: ['aws_lambda_function'],
    check: (r) => (block(r.values.tracing_config)?.mode === 'Active' ? undefined : 'tracing is not Active'),
  },
  // API Gateway
  {
    id: 'CKV_AWS_76',
    severity: 'error',
    title: 'API Gateway stages write access logs (JSON with the request id)',
    fix: 'set access_log_settings with a log group destination and a JSON format including $context.requestId',
    resourceTypes: ['aws_apigatewayv2_stage', 'aws_api_gateway_stage'],
    check: (r) => {
      const settings = block(r.values.access_log_settings);
      if (!settings?.destination_arn) return 'no access logs';
      return String(settings.format ?? '').includes('$context.requestId') ? undefined : 'access log format lacks $context.requestId';
    },
  },
  {
    id: 'CKV_AWS_309',
    severity: 'warning',
    title: 'API Gateway routes require authorization',
    fix: 'attach an authorizer to the route (JWT authorizer, issue 13)',
    resourceTypes: ['aws_apigatewayv2_route'],
    check: (r) => (!r.values.authorization_type || r.values.authorization_type === 'NONE' ? 'route has no authorization' : undefined),
  },
  // DynamoDB
  {
    id: 'CKV_AWS_28',
    severity: 'error',
    title: 'DynamoDB tables and every replica have point-in-time recovery',
    fix: 'enable point_in_time_recovery on the table and each replica',
    resourceTypes: ['aws_dynamodb_table'],
    check: (r) => {
      if (!truthy(block(r.values.point_in_time_recovery)?.enabled)) return 'PITR off on the table';
      const off = list(r.values.replica as Record<string, unknown>[]).filter((x) => !truthy(x.point_in_time_recovery));
      return off.length > 0 ? `PITR off on replica ${off.map((x) => String(x.region_name)).join(', ')}` : undefined;
    },
  },
  {
    id: 'CKV_AWS_119',
    severity: 'error',
    title: 'DynamoDB tables and every replica are encrypted with a customer-managed KMS key',
    fix: "pass the region's data key (kmsKeyArn per region) to GlobalTable",
    resourceTypes: ['aws_dynamodb_table'],
    check: (r) => {
      const sse = block(r.values.server_side_encryption);
      if (!truthy(sse?.enabled) || !sse?.kms_key_arn) return 'table not encrypted with a CMK';
      const missing = list(r.values.replica as Record<string, unknown>[]).filter((x) => !x.kms_key_arn);
      return missing.length > 0 ? `replica ${missing.map((x) => String(x.region_name)).join(', ')} without a CMK` : undefined;
    },
  },
  // ElastiCache
  {
    id: 'CKV_AWS_29',
    severity: 'error',
    title: 'ElastiCache replication groups are encrypted at rest',
    fix: 'set at_rest_encryption_enabled',
    resourceTypes: ['aws_elasticache_replication_group'],
    check: (r) => (truthy(r.values.at_rest_encryption_enabled) || r.values.global_replication_group_id ? undefined : 'not encrypted at rest'),
  },
  {
    id: 'CKV_AWS_30',
    severity: 'error',
    title: 'ElastiCache replication groups encrypt in transit',
    fix: 'set transit_encryption_enabled',
    resourceTypes: ['aws_elasticache_replication_group'],
    check: (r) => (truthy(r.values.transit_encryption_enabled) || r.values.global_replication_group_id ? undefined : 'no encryption in transit'),
  },
  {
    id: 'CKV_AWS_191',
    severity: 'error',
    title: 'ElastiCache replication groups use a customer-managed KMS key',
    fix: "set kms_key_id to the region's data key",
    resourceTypes: ['aws_elasticache_replication_group'],
    check: (r) => (r.values.kms_key_id ? undefined : 'no kms_key_id'),
  },
  // RDS
  {
    id: 'CKV_AWS_327',
    severity: 'error',
    title: 'Aurora clusters are encrypted with a customer-managed KMS key',
    fix: 'set storage_encrypted and kms_key_id',
    resourceTypes: ['aws_rds_cluster'],
    check: (r) => (truthy(r.values.storage_encrypted) && r.values.kms_key_id ? undefined : 'not encrypted with a CMK'),
  },
  {
    id: 'CKV_AWS_139',
    severity: 'error',
    title: 'Aurora clusters have deletion protection',
    fix: 'set deletion_protection',
    resourceTypes: ['aws_rds_cluster'],
    check: (r) => (truthy(r.values.deletion_protection) ? undefined : 'no deletion protection'),
  },
  {
    id: 'CKV_AWS_162',
    severity: 'error',
    title: 'Aurora clusters use IAM database authentication',
    fix: 'set iam_database_authentication_enabled',
    resourceTypes: ['aws_rds_cluster'],
    check: (r) => (truthy(r.values.iam_database_authentication_enabled) ? undefined : 'no IAM authentication'),
  },
  {
    id: 'CKV_AWS_354',
    severity: 'error',
    title: 'Performance Insights data is encrypted with a customer-managed KMS key',
    fix: "set performance_insights_kms_key_id to the region's data key",
    resourceTypes: ['aws_rds_cluster_instance'],
    check: (r) => (!truthy(r.values.performance_insights_enabled) || r.values.performance_insights_kms_key_id ? undefined : 'no performance_insights_kms_key_id'),
  },
  // KMS
  {
    id: 'CKV_AWS_7',
    severity: 'error',
    title: 'KMS keys rotate',
    fix: 'set enable_key_rotation',
    resourceTypes: ['aws_kms_key'],
    check: (r) => (truthy(r.values.enable_key_rotation) ? undefined : 'rotation off'),
  },
  {
    id: 'CKV_AWS_33',
    severity: 'error',
    title: 'KMS key policies never allow "*" without conditions',
    fix: 'condition a "*" principal on kms:CallerAccount and kms:ViaService, or name the principals',
    resourceTypes: ['aws_kms_key'],
    check: (r) =>
      statementsOf(r.values.policy).some(
        (s) => s.Effect === 'Allow' && (s.Principal === '*' || JSON.stringify(s.Principal) === '{"AWS":"*"}') && !s.Condition,
      )
        ? 'allows "*" without a condition'
        : undefined,
  },
  // Network
  {
    id: 'PLT_EC2_1',
    severity: 'error',
    title: 'Security groups never admit the whole internet (0.0.0.0/0 or ::/0)',
    fix: 'reference the client security group (referenced_security_group_id) instead of a CIDR',
    resourceTypes: ['aws_vpc_security_group_ingress_rule', 'aws_security_group'],
    check: (r) => {
      const rules = r.type === 'aws_security_group' ? list(r.values.ingress as Record<string, unknown>[]) : [r.values];
      const open = rules.some((x) => x.cidr_ipv4 === '0.0.0.0/0' || x.cidr_ipv6 === '::/0' || list(x.cidr_blocks as string[]).includes('0.0.0.0/0'));
      return open ? 'ingress open to the internet' : undefined;
    },
  },
  // Messaging (alarm topics)
  {
    id: 'CKV_AWS_26',
    severity: 'warning',
    title: 'SNS topics are encrypted (KMS)',
    fix: 'set kms_master_key_id',
    resourceTypes: ['aws_sns_topic'],
    check: (r) => (r.values.kms_master_key_id ? undefined : 'no kms_master_key_id'),
  },
  // CloudFront
  {
    id: 'CKV_AWS_86',
    severity: 'error',
    title: 'CloudFront distributions write access logs',
    fix: 'set logging_config to the log bucket',
    resourceTypes: ['aws_cloudfront_distribution'],
    check: (r) => (block(r.values.logging_config)?.bucket ? undefined : 'no access logs'),
  },
  {
    id: 'CKV_AWS_174',
    severity: 'error',
    title: 'CloudFront distributions require TLS 1.2 or later from viewers',
    fix: 'set viewer_certificate.minimum_protocol_version to TLSv1.2_2021',
    resourceTypes: ['aws_cloudfront_distribution'],
    check: (r) => (/^TLSv1\.2_/.test(String(block(r.values.viewer_certificate)?.minimum_protocol_version ?? '')) ? undefined : 'TLS older than 1.2 allowed'),
  },
  {
    id: 'CKV_AWS_34',
    severity: 'error',
    title: 'CloudFront distributions never serve plain HTTP',
    fix: 'set viewer_protocol_policy to redirect-to-https or https-only',
    resourceTypes: ['aws_cloudfront_distribution'],
    check: (r) => (block(r.values.default_cache_behavior)?.viewer_protocol_policy === 'allow-all' ? 'serves HTTP' : undefined),
  },
  {
    id: 'CKV_AWS_68',
    severity: 'warning',
    title: 'CloudFront distributions sit behind AWS WAF',
    fix: 'set web_acl_id (WAF on CloudFront, issue 13)',
    resourceTypes: ['aws_cloudfront_distribution'],
    check: (r) => (r.values.web_acl_id ? undefined : 'no WAF web ACL'),
  },
  ...APPLY_TIME_RULES,
];

/** The rule of `id`, or undefined. */
export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

export { referencedNames };
