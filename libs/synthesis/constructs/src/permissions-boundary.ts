import { Aspects, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';

/**
 * Sets a permissions boundary on every IAM role under a scope, whichever construct
 * made it, and puts every role and managed policy under the workload IAM path. The
 * deploy role may only create roles that carry the boundary, under that path, so a
 * role that misses either would fail to apply; an aspect cannot forget one.
 */
export class PermissionsBoundary implements IAspect {
  /**
   * Bounds every IAM role under `scope` by the managed policy `policyArn` and, when
   * `iamPath` is given, puts every role and managed policy under that path.
   */
  static applyTo(scope: IConstruct, policyArn: string, iamPath?: string): void {
    Aspects.of(scope).add(new PermissionsBoundary(policyArn, iamPath));
  }

  constructor(
    readonly policyArn: string,
    readonly iamPath?: string,
  ) {}

  visit(node: IConstruct): void {
    if (node instanceof IamRole) {
      node.permissionsBoundary = this.policyArn;
      if (this.iamPath) node.path = this.iamPath;
    } else if (node instanceof IamPolicy && this.iamPath) {
      node.path = this.iamPath;
    }
  }
}
