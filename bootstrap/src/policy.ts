import { accountRootArn, parseArn } from '@platform/config';

/** An IAM policy statement, in IAM's JSON shape. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  /** Every resource but these (used in deny statements). */
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** A policy document as the JSON string IAM and S3 take. */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** The account id of a role ARN. */
export function accountOf(arn: string): string {
  const parts = parseArn(arn);
  if (parts?.service !== 'iam' || !/^\d{12}$/.test(parts.account)) throw new Error(`not an IAM ARN: ${arn}`);
  return parts.account;
}

/**
 * Lets the given roles (in any account) assume a role, with the accounts as
 * principals and the role ARNs as a condition: unlike role ARNs as principals, this
 * is valid before the roles exist, and survives their re-creation.
 */
export function trustRoles(roleArns: readonly string[], sid: string): PolicyStatement {
  const accounts = [...new Set(roleArns.map(accountOf))].sort();
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { AWS: accounts.map((a) => accountRootArn(a)) },
    Action: 'sts:AssumeRole',
    Condition: { ArnEquals: { 'aws:PrincipalArn': [...roleArns].sort() } },
  };
}
