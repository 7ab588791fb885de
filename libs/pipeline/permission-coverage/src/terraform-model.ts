// What the check reads from a synthesized stack's Terraform JSON: providers and the
// roles they assume, the backend and remote state, resources and data sources, and the
// literal values references resolve to (names, ARNs), so requests carry real ARN shapes.
import { catalogueResourceType } from './catalogue';

/** Terraform JSON as cdktf writes it: any shape, read defensively. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized Terraform JSON has no static type
export type Json = Record<string, any>;

/** A synthesized stack, as cdktf writes it. */
export interface SynthesizedStack {
  readonly name: string;
  readonly json: Json;
}

/** An AWS provider block: its region, account and the role it assumes (if any). */
export interface ProviderModel {
  /** `aws` or `aws.<alias>`: how resources name it. */
  readonly ref: string;
  readonly region: string;
  readonly account: string;
  readonly roleArn?: string;
}

/** The S3 backend or a terraform_remote_state's S3 config. */
export interface S3StateModel {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  readonly roleArn?: string;
  readonly lockfile: boolean;
}

/** A resource or data source of a stack. */
export interface BlockModel {
  readonly kind: 'resource' | 'data';
  readonly type: string;
  readonly name: string;
  /** Terraform address: `type.name` or `data.type.name`. */
  readonly address: string;
  readonly values: Json;
  readonly provider: ProviderModel;
}

/** The parts of a stack the check evaluates. */
export interface StackModel {
  readonly name: string;
  readonly providers: readonly ProviderModel[];
  readonly backend?: S3StateModel;
  readonly remoteStates: readonly { readonly address: string; readonly state: S3StateModel; readonly defaults: Json }[];
  readonly blocks: readonly BlockModel[];
  /** Literal value of an expression, or undefined when only Terraform knows it. */
  resolve(value: unknown): string | undefined;
  /** The ARN of a resource of this stack, when its name shape is known. */
  arnOf(address: string): string | undefined;
}

const accountOfArn = (arn: string) => /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];

function s3State(config: Json | undefined): S3StateModel | undefined {
  if (!config?.bucket || !config.key) return undefined;
  const role = Array.isArray(config.assume_role) ? config.assume_role[0] : config.assume_role;
  return {
    bucket: String(config.bucket),
    key: String(config.key),
    region: String(config.region ?? ''),
    ...(role?.role_arn ? { roleArn: String(role.role_arn) } : {}),
    lockfile: config.use_lockfile === true,
  };
}

/** Reads one stack's JSON into the model. */
export function stackModel(stack: SynthesizedStack): StackModel {
  const json = stack.json;
  const providers: ProviderModel[] = (json.provider?.aws ?? []).map((p: Json) => {
    const role = p.assume_role?.[0]?.role_arn as string | undefined;
    const account = (p.allowed_account_ids?.[0] as string | undefined) ?? (role ? accountOfArn(role) : undefined);
    if (!account) throw new Error(`${stack.name}: provider aws${p.alias ? `.${p.alias}` : ''} names no account (allowed_account_ids or assume_role)`);
    return { ref: p.alias ? `aws.${p.alias}` : 'aws', region: String(p.region), account, ...(role ? { roleArn: role } : {}) };
  });
  const providerOf = (values: Json): ProviderModel => {
    const ref = (values.provider as string | undefined) ?? 'aws';
    const p = providers.find((x) => x.ref === ref);
    if (!p) throw new Error(`${stack.name}: no provider ${ref}`);
    return p;
  };
  const blocks: BlockModel[] = [];
  for (const kind of ['resource', 'data'] as const) {
    for (const [type, byName] of Object.entries((json[kind] ?? {}) as Record<string, Record<string, Json>>)) {
      // Terraform's built-in provider (terraform_remote_state, modelled as state access
      // below; terraform_data) makes no AWS call of its own.
      if (type.startsWith('terraform_')) continue;
      for (const [name, values] of Object.entries(byName)) {
        blocks.push({ kind, type, name, address: kind === 'data' ? `data.${type}.${name}` : `${type}.${name}`, values, provider: providerOf(values) });
      }
    }
  }
  const remoteStates = Object.entries((json.data?.terraform_remote_state ?? {}) as Record<string, Json>).flatMap(([name, r]) => {
    const state = r.backend === 's3' ? s3State(r.config) : undefined;
    return state ? [{ address: `data.terraform_remote_state.${name}`, state, defaults: (r.defaults ?? {}) as Json }] : [];
  });
  const byAddress = new Map(blocks.map((b) => [b.address, b]));

  const model: StackModel = {
    name: stack.name,
    providers,
    ...(json.terraform?.backend?.s3 ? { backend: s3State(json.terraform.backend.s3) } : {}),
    remoteStates,
    blocks,
    resolve(value: unknown): string | undefined {
      if (typeof value === 'number') return String(value);
      if (typeof value !== 'string') return undefined;
      // GlobalStackOutputs reads an output as `local.<outputs>.<name>`, the local being
      // `try(<remote state>[0].outputs, <defaults>)`: the remote state's default, as below.
      const local = /^\$\{local\.([\w-]+)\.([\w-]+)\}$/.exec(value);
      if (local) {
        const source = /^\$\{try\((data\.terraform_remote_state\.[\w-]+)\[0\]\.outputs,/.exec(String(json.locals?.[local[1]] ?? ''))?.[1];
        const v = remoteStates.find((s) => s.address === source)?.defaults[local[2]];
        return typeof v === 'string' ? v : undefined;
      }
      const ref = /^\$\{((?:data\.)?[\w-]+\.[\w-]+)\.([\w.-]+)\}$/.exec(value);
      if (!ref) return value.includes('${') ? undefined : value;
      const [, address, attr] = ref;
      const remote = remoteStates.find((s) => s.address === address);
      if (remote) {
        const out = /^outputs\.([\w-]+)$/.exec(attr);
        const v = out ? remote.defaults[out[1]] : undefined;
        return typeof v === 'string' ? v : undefined;
      }
      const block = byAddress.get(address);
      if (!block) return undefined;
      if (attr === 'arn' || (attr === 'id' && ID_IS_ARN.has(block.type))) return model.arnOf(address);
      const own = block.values[attr];
      if (own !== undefined) return model.resolve(own);
      return NAME_ATTRIBUTES[block.type]?.[attr]?.(block.values, model);
    },
    arnOf(address: string): string | undefined {
      const block = byAddress.get(address);
      if (!block) return undefined;
      const shape = ARN_SHAPES[block.type];
      if (!shape) return undefined;
      return arnFromPattern(shape.service, shape.resourceType, block.provider, shape.variables(block.values, model));
    },
  };
  return model;
}

/** An ARN from the catalogue's pattern of a resource type; variables not given become `unknown`. */
export function arnFromPattern(service: string, resourceType: string, provider: Pick<ProviderModel, 'region' | 'account'>, variables: Record<string, string | undefined>): string | undefined {
  const type = catalogueResourceType(service, resourceType);
  if (!type) return undefined;
  return type.arn.replace(/\$\{(\w+)\}/g, (_, v: string) => {
    if (v === 'Partition') return 'aws';
    if (v === 'Region') return provider.region;
    if (v === 'Account') return provider.account;
    return variables[v] ?? UNKNOWN;
  });
}

/** Stands for a part of an ARN only AWS knows (an id it assigns): matches `*` in a policy, never a name. */
export const UNKNOWN = 'unknown-to-synth';

/** Types whose `id` attribute is their ARN. */
const ID_IS_ARN = new Set(['aws_secretsmanager_secret', 'aws_iam_policy']);

/** Attributes whose value is another argument (e.g. an S3 bucket's `id` is its name). */
const NAME_ATTRIBUTES: Record<string, Record<string, (v: Json, m: StackModel) => string | undefined>> = {
  aws_s3_bucket: { id: (v, m) => m.resolve(v.bucket) },
  aws_iam_role: { id: (v, m) => m.resolve(v.name) },
  aws_cloudwatch_log_group: { id: (v, m) => m.resolve(v.name) },
  aws_dynamodb_table: { id: (v, m) => m.resolve(v.name) },
  aws_lambda_function: { id: (v, m) => m.resolve(v.function_name) },
};

interface ArnShape {
  /** Service prefix and resource type key in the AWS action catalogue. */
  readonly service: string;
  readonly resourceType: string;
  /** The ARN pattern's variables this resource knows at synth time. */
  variables(values: Json, model: StackModel): Record<string, string | undefined>;
}

const roleNameWithPath = (v: Json, m: StackModel) => {
  const name = m.resolve(v.name);
  return name === undefined ? undefined : `${String(m.resolve(v.path) ?? '/').replace(/^\//, '')}${name}`;
};
/** The role a role-scoped resource names (`role` is the role's name, often a reference). */
const roleOf = (v: Json, m: StackModel) => {
  const ref = /^\$\{(aws_iam_role\.[\w-]+)\.(?:name|id)\}$/.exec(String(v.role ?? ''));
  if (ref) return /:role\/(.+)$/.exec(m.arnOf(ref[1]) ?? '')?.[1];
  return m.resolve(v.role);
};
const bucket = (v: Json, m: StackModel) => ({ BucketName: m.resolve(v.bucket) });
// Secrets Manager appends a hyphen and six random characters to a secret's name in its ARN:
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources
const SECRET_SUFFIX = '-AbCdEf';

/** How each resource type the platform uses shows up in IAM: its catalogue resource type and the names it fills. */
export const ARN_SHAPES: Readonly<Record<string, ArnShape>> = {
  aws_s3_bucket: { service: 's3', resourceType: 'bucket', variables: bucket },
  aws_s3_bucket_lifecycle_configuration: { service: 's3', resourceType: 'bucket', variables: bucket },
  aws_s3_bucket_logging: { service: 's3', resourceType: 'bucket', variables: bucket },
  aws_s3_bucket_ownership_controls: { service: 's3', resourceType: 'bucket', variables: bucket },
  aws_s3_bucket_policy: { service: 's3', resourceType: 'bucket', variables: bucket },
  aws_s3_objects: { service: 's3', resourceType: 'bucket', variables: bucket },
  aws_s3_bucket_public_access_block: { service: 's3', resourceType: 'bucket', variables: bucket },
  aws_s3_bucket_replication_configuration: { service: 's3', resourceType: 'bucket', variables: bucket },
  aws_s3_bucket_server_side_encryption_configuration: { service: 's3', resourceType: 'bucket', variables: bucket },
  aws_s3_bucket_versioning: { service: 's3', resourceType: 'bucket', variables: bucket },
  aws_dynamodb_table: { service: 'dynamodb', resourceType: 'table', variables: (v, m) => ({ TableName: m.resolve(v.name) }) },
  aws_cloudwatch_metric_alarm: { service: 'cloudwatch', resourceType: 'alarm', variables: (v, m) => ({ AlarmName: m.resolve(v.alarm_name) }) },
  aws_cloudwatch_composite_alarm: { service: 'cloudwatch', resourceType: 'alarm', variables: (v, m) => ({ AlarmName: m.resolve(v.alarm_name) }) },
  aws_cloudwatch_dashboard: { service: 'cloudwatch', resourceType: 'dashboard', variables: (v, m) => ({ DashboardName: m.resolve(v.dashboard_name) }) },
  aws_cloudwatch_log_group: { service: 'logs', resourceType: 'log-group', variables: (v, m) => ({ LogGroupName: m.resolve(v.name) }) },
  aws_cloudwatch_log_subscription_filter: { service: 'logs', resourceType: 'log-group', variables: (v, m) => ({ LogGroupName: m.resolve(v.log_group_name) }) },
  aws_lambda_function: { service: 'lambda', resourceType: 'function', variables: (v, m) => ({ FunctionName: m.resolve(v.function_name) }) },
  aws_lambda_permission: { service: 'lambda', resourceType: 'function', variables: (v, m) => ({ FunctionName: m.resolve(v.function_name) }) },
  aws_iam_role: { service: 'iam', resourceType: 'role', variables: (v, m) => ({ RoleNameWithPath: roleNameWithPath(v, m) }) },
  aws_iam_policy: {
    service: 'iam',
    resourceType: 'policy',
    variables: (v, m) => ({ PolicyNameWithPath: m.resolve(v.name) === undefined ? undefined : `${String(m.resolve(v.path) ?? '/').replace(/^\//, '')}${m.resolve(v.name)}` }),
  },
  aws_iam_openid_connect_provider: {
    service: 'iam',
    resourceType: 'oidc-provider',
    variables: (v, m) => ({ OidcProviderName: m.resolve(v.url)?.replace(/^https:\/\//, '') }),
  },
  aws_iam_role_policy: { service: 'iam', resourceType: 'role', variables: (v, m) => ({ RoleNameWithPath: roleOf(v, m) }) },
  aws_iam_role_policy_attachment: { service: 'iam', resourceType: 'role', variables: (v, m) => ({ RoleNameWithPath: roleOf(v, m) }) },
  aws_secretsmanager_secret: {
    service: 'secretsmanager',
    resourceType: 'Secret',
    variables: (v, m) => ({ SecretId: m.resolve(v.name) === undefined ? undefined : `${m.resolve(v.name)}${SECRET_SUFFIX}` }),
  },
  aws_secretsmanager_secret_version: {
    service: 'secretsmanager',
    resourceType: 'Secret',
    variables: (v, m) => ({ SecretId: /:secret:(.+)$/.exec(m.resolve(v.secret_id) ?? '')?.[1] }),
  },
  aws_kms_key: { service: 'kms', resourceType: 'key', variables: () => ({}) },
  aws_kms_alias: { service: 'kms', resourceType: 'alias', variables: (v, m) => ({ Alias: m.resolve(v.name)?.replace(/^alias\//, '') }) },
  aws_route53_zone: { service: 'route53', resourceType: 'hostedzone', variables: () => ({}) },
  aws_route53_record: { service: 'route53', resourceType: 'hostedzone', variables: () => ({}) },
  aws_route53_health_check: { service: 'route53', resourceType: 'healthcheck', variables: () => ({}) },
  aws_elasticache_replication_group: {
    service: 'elasticache',
    resourceType: 'replicationgroup',
    variables: (v, m) => ({ ReplicationGroupId: m.resolve(v.replication_group_id) }),
  },
  aws_elasticache_global_replication_group: { service: 'elasticache', resourceType: 'globalreplicationgroup', variables: () => ({}) },
  aws_elasticache_user: { service: 'elasticache', resourceType: 'user', variables: (v, m) => ({ UserId: m.resolve(v.user_id) }) },
  aws_elasticache_user_group: { service: 'elasticache', resourceType: 'usergroup', variables: (v, m) => ({ UserGroupId: m.resolve(v.user_group_id) }) },
  aws_elasticache_subnet_group: { service: 'elasticache', resourceType: 'subnetgroup', variables: (v, m) => ({ CacheSubnetGroupName: m.resolve(v.name) }) },
  aws_rds_cluster: { service: 'rds', resourceType: 'cluster', variables: (v, m) => ({ DbClusterInstanceName: m.resolve(v.cluster_identifier) }) },
  aws_rds_cluster_instance: { service: 'rds', resourceType: 'db', variables: (v, m) => ({ DbInstanceName: m.resolve(v.identifier) }) },
  aws_rds_global_cluster: { service: 'rds', resourceType: 'global-cluster', variables: (v, m) => ({ GlobalCluster: m.resolve(v.global_cluster_identifier) }) },
  aws_db_subnet_group: { service: 'rds', resourceType: 'subgrp', variables: (v, m) => ({ SubnetGroupName: m.resolve(v.name) }) },
  aws_cognito_user_pool: { service: 'cognito-idp', resourceType: 'userpool', variables: () => ({}) },
  aws_cognito_user_pool_client: { service: 'cognito-idp', resourceType: 'userpool', variables: () => ({}) },
  aws_cognito_user_pool_domain: { service: 'cognito-idp', resourceType: 'userpool', variables: () => ({}) },
  aws_cognito_resource_server: { service: 'cognito-idp', resourceType: 'userpool', variables: () => ({}) },
  aws_wafv2_web_acl: {
    service: 'wafv2',
    resourceType: 'webacl',
    variables: (v, m) => ({ Scope: m.resolve(v.scope) === 'CLOUDFRONT' ? 'global' : 'regional', Name: m.resolve(v.name) }),
  },
  aws_cloudfront_distribution: { service: 'cloudfront', resourceType: 'distribution', variables: () => ({}) },
  aws_cloudfront_cache_policy: { service: 'cloudfront', resourceType: 'cache-policy', variables: () => ({}) },
  aws_cloudfront_function: { service: 'cloudfront', resourceType: 'function', variables: (v, m) => ({ Name: m.resolve(v.name) }) },
  aws_cloudfront_response_headers_policy: { service: 'cloudfront', resourceType: 'response-headers-policy', variables: () => ({}) },
  aws_acm_certificate: { service: 'acm', resourceType: 'certificate', variables: () => ({}) },
  aws_acm_certificate_validation: { service: 'acm', resourceType: 'certificate', variables: () => ({}) },
  aws_security_group: { service: 'ec2', resourceType: 'security-group', variables: () => ({}) },
  aws_vpc_security_group_egress_rule: { service: 'ec2', resourceType: 'security-group', variables: () => ({}) },
  aws_vpc_security_group_ingress_rule: { service: 'ec2', resourceType: 'security-group', variables: () => ({}) },
};
