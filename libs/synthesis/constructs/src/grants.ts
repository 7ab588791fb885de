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

/**
 * Adds `statement` to `grantee`'s role and returns it: every `grant*` method returns the
 * statement it granted (as aws-cdk-lib's return their `Grant`), so a caller can show,
 * test or reuse exactly what was given.
 */
export function grant(grantee: IGrantable, statement: PolicyStatement): PolicyStatement {
  grantee.addToRolePolicy(statement);
  return statement;
}
