import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ConstructPropsError } from '@platform/constructs';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { type PolicyStatement, policyDocument, trustRoles } from './policy';

/** Props of {@link CrossAccountRole}. */
export interface CrossAccountRoleProps {
  readonly provider: AwsProvider;
  readonly roleName: string;
  readonly description: string;
  /** Roles (in other accounts) that may assume this one. */
  readonly trustedRoleArns: readonly string[];
  readonly managedPolicyArns: readonly string[];
  /** Statements of an inline policy. @default - none */
  readonly inlinePolicyStatements?: readonly PolicyStatement[];
}

/**
 * A role the pipeline roles of other accounts assume, e.g. in a DNS account that
 * owns an environment's hosted zone.
 */
export class CrossAccountRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: CrossAccountRoleProps) {
    super(scope, id);
    if (props.trustedRoleArns.length === 0) throw new ConstructPropsError(this, 'trustedRoleArns must name at least one role');
    this.role = new IamRole(this, 'role', {
      provider: props.provider,
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: policyDocument([trustRoles(props.trustedRoleArns, 'PipelineRoles')]),
    });
    for (const [i, arn] of props.managedPolicyArns.entries()) {
      new IamRolePolicyAttachment(this, `managed-${i}`, { provider: props.provider, role: this.role.name, policyArn: arn });
    }
    if (props.inlinePolicyStatements?.length) {
      new IamRolePolicy(this, 'inline', {
        provider: props.provider,
        role: this.role.name,
        name: props.roleName,
        policy: policyDocument(props.inlinePolicyStatements),
      });
    }
  }
}
