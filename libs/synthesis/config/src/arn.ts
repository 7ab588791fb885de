// The one place the platform writes and reads ARNs, in the spirit of aws-cdk-lib's
// Stack.formatArn / Arn.split. Every ARN starts `arn:<partition>:`, and the partition
// follows the region: `aws-cn` in China, `aws-us-gov` in GovCloud, `aws` elsewhere
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
import { otherPartition } from './aws-regions';

/**
 * The partition of ARNs that name no region (IAM, S3 buckets, Route53, CloudFront):
 * the platform config accepts regions of the `aws` partition only (schema.ts), so
 * every environment is in it.
 */
export const PLATFORM_PARTITION = 'aws';

/** The partition of `region`: `aws-cn` for cn-north-1, `aws-us-gov` for us-gov-west-1, `aws` for the commercial regions. */
export function partitionOf(region: string): string {
  return otherPartition(region) ?? 'aws';
}

/** The parts of an ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export interface ArnComponents {
  /** The service namespace, e.g. `s3`, `iam`, `dynamodb`. */
  readonly service: string;
  /** The region, or empty for a global resource. @default '' */
  readonly region?: string;
  /** The account id, or empty (S3 buckets, AWS managed policies use `aws`). @default '' */
  readonly account?: string;
  /** Everything after the account: `role/<name>`, `table/<name>`, `replicationgroup:<id>`, `<bucket>/<key>`. */
  readonly resource: string;
  /** @default - the partition of `region`, or {@link PLATFORM_PARTITION} when there is no region */
  readonly partition?: string;
}

/** Writes an ARN; the partition follows the region unless given. */
export function formatArn(c: ArnComponents): string {
  const region = c.region ?? '';
  const partition = c.partition ?? (region ? partitionOf(region) : PLATFORM_PARTITION);
  return `arn:${partition}:${c.service}:${region}:${c.account ?? ''}:${c.resource}`;
}

/** Reads an ARN of any partition into its parts, or undefined when `arn` is not one. */
export function parseArn(arn: string): Required<ArnComponents> | undefined {
  const match = /^arn:(aws[a-z-]*):([^:]+):([^:]*):([^:]*):(.+)$/.exec(arn);
  if (!match) return undefined;
  const [, partition, service, region, account, resource] = match;
  return { partition, service, region, account, resource };
}

/** `arn:<partition>:iam::<account>:role/<name>` (the name may carry a path: `/workloads/x`). */
export function roleArn(accountId: string, roleName: string, partition = PLATFORM_PARTITION): string {
  return formatArn({ partition, service: 'iam', account: accountId, resource: `role/${roleName.replace(/^\//, '')}` });
}

/** `arn:<partition>:iam::<account>:policy/<name>`. */
export function policyArn(accountId: string, policyName: string, partition = PLATFORM_PARTITION): string {
  return formatArn({ partition, service: 'iam', account: accountId, resource: `policy/${policyName.replace(/^\//, '')}` });
}

/** An AWS managed policy: `arn:<partition>:iam::aws:policy/<name>`. */
export function awsManagedPolicyArn(policyName: string, partition = PLATFORM_PARTITION): string {
  return formatArn({ partition, service: 'iam', account: 'aws', resource: `policy/${policyName}` });
}

/** `arn:<partition>:iam::<account>:root`: the account as a principal, so IAM policies there decide. */
export function accountRootArn(accountId: string, partition = PLATFORM_PARTITION): string {
  return formatArn({ partition, service: 'iam', account: accountId, resource: 'root' });
}

/** `arn:<partition>:s3:::<bucket>`; `/<key pattern>` when given. */
export function bucketArn(bucketName: string, keyPattern?: string, partition = PLATFORM_PARTITION): string {
  return formatArn({ partition, service: 's3', resource: keyPattern === undefined ? bucketName : `${bucketName}/${keyPattern}` });
}
