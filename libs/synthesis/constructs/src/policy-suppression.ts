import type { TerraformResource } from 'cdktf';
import { ConstructPropsError } from './validation';

const suppressed = new WeakMap<TerraformResource, { rule: string; reason: string }[]>();

/**
 * Marks a finding of the policy rule pack (libs/pipeline/policy-check) on `resource` as
 * deliberate, where the resource is defined, with one line of reason. The rule pack
 * lists it with the reason and fails on a rule it does not know. Written into the
 * resource's `//` comment, which Terraform ignores.
 */
export function suppressPolicyRule(resource: TerraformResource, rule: string, reason: string): void {
  if (!/^[A-Z0-9_]+$/.test(rule)) throw new ConstructPropsError(resource, `policy rule id "${rule}" must look like CKV_AWS_18 or PLT_S3_1`);
  if (reason.trim().length < 10) throw new ConstructPropsError(resource, `suppressing ${rule} needs a reason of at least 10 characters`);
  const list = suppressed.get(resource) ?? [];
  list.push({ rule, reason: reason.trim() });
  suppressed.set(resource, list);
  resource.addOverride('//.policy_suppressions', [...list]);
}
