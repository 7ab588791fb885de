/** One statement of an IAM policy. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
}

/**
 * Something whose IAM role can be given permissions, as in aws-cdk-lib: constructs
 * that own a resource offer `grant*(grantee)` methods that add the statements, so
 * callers never build an ARN or a statement for someone else's resource.
 */
export interface IGrantable {
  /** The region the grantee runs in, when it has one; grants per region check it. */
  readonly region?: string;
  addToRolePolicy(statement: PolicyStatement): void;
}
