// The AWS managed policies the bootstrap attaches, as AWS publishes them: facts the
// check evaluates like the platform's own policies. When AWS publishes a new version,
// update the document and its version here.
import { awsManagedPolicyArn } from '@platform/config';

/** An AWS managed policy: its ARN, the version copied and where it was read. */
export interface ManagedPolicy {
  readonly arn: string;
  readonly version: string;
  readonly source: string;
  readonly document: { readonly Version: string; readonly Statement: readonly unknown[] };
}

/** The managed policies the platform attaches, by ARN. */
export const MANAGED_POLICIES: Readonly<Record<string, ManagedPolicy>> = {
  [awsManagedPolicyArn('PowerUserAccess')]: {
    arn: awsManagedPolicyArn('PowerUserAccess'),
    version: 'v12 (edited 2026-02-12)',
    source: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/PowerUserAccess.html',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
        {
          Effect: 'Allow',
          Action: [
            'account:GetAccountInformation',
            'account:GetGovCloudAccountInformation',
            'account:GetPrimaryEmail',
            'account:ListRegions',
            'iam:CreateServiceLinkedRole',
            'iam:DeleteServiceLinkedRole',
            'iam:ListRoles',
            'organizations:DescribeEffectivePolicy',
            'organizations:DescribeOrganization',
          ],
          Resource: '*',
        },
      ],
    },
  },
  [awsManagedPolicyArn('AmazonRoute53ReadOnlyAccess')]: {
    arn: awsManagedPolicyArn('AmazonRoute53ReadOnlyAccess'),
    version: 'v2 (edited 2016-11-15)',
    source: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonRoute53ReadOnlyAccess.html',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['route53:Get*', 'route53:List*', 'route53:TestDNSAnswer'], Resource: ['*'] }],
    },
  },
};
