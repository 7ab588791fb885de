import { Aspects, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';

/**
 * Sets a permissions boundary on every IAM role under a scope, whichever construct
 * made it. The deploy role may only create roles that carry the boundary, so a role
 * that misses it would fail to apply; an aspect cannot forget one.
 */
export class PermissionsBoundary implements IAspect {
  /** Bounds every IAM role under `scope` by the managed policy `policyArn`. */
  static applyTo(scope: IConstruct, policyArn: string): void {
    Aspects.of(scope).add(new PermissionsBoundary(policyArn));
  }

  constructor(readonly policyArn: string) {}

  visit(node: IConstruct): void {
    if (node instanceof IamRole) node.permissionsBoundary = this.policyArn;
  }
}
