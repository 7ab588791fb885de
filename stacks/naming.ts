import type { Platform, StackSpec } from '@platform/config';

/** Names of the AWS resources of one service in one environment, derived in one place. */
export function resourceNames(platform: Platform, spec: StackSpec) {
  const base = `${spec.service}-${spec.environment}`;
  return {
    tableName: base,
    functionName: base,
    apiRoleName: (region: string) => `${base}-${region}-api`,
    replicationRoleName: `${base}-s3-replication`,
  };
}

/** `arn:aws:iam::<account>:role/<name>`. */
export function roleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/** The S3 backend settings of a stack. */
export function stateBackendFor(platform: Platform, spec: StackSpec) {
  const sb = platform.config.stateBackend;
  return {
    bucket: sb.bucket,
    region: sb.region,
    key: spec.stateKey,
    ...(sb.roleName ? { roleArn: roleArn(sb.accountId, sb.roleName) } : {}),
  };
}

/** Tags every resource of the stack carries. */
export function defaultTags(spec: StackSpec): Record<string, string> {
  return {
    service: spec.service,
    environment: spec.environment,
    layer: spec.layer,
    'managed-by': 'cdktf-platform',
    stack: spec.name,
  };
}

/** Terraform output names shared by the global stack (writer) and the regional stacks (readers). */
export const GLOBAL_OUTPUTS = {
  tableName: 'table_name',
  tableArn: 'table_arn',
  tableStreamArn: 'table_stream_arn',
  bucketName: (region: string) => `bucket_name_${region.replace(/-/g, '_')}`,
} as const;
