// The IAM roles the platform writes (bootstrap and platform stacks), with every policy
// that decides what they may do: inline policies, attached managed policies (the
// platform's own, or AWS's from managed-policies.ts), the permissions boundary, and the
// trust policy (what decides who may assume them).
import { MANAGED_POLICIES } from './managed-policies';
import { type Json, type StackModel, stackModel, type SynthesizedStack } from './terraform-model';

/** A policy document with where it comes from, for messages. */
export interface NamedPolicy {
  readonly name: string;
  readonly policy: Json;
}

/** One role and the policies that decide its requests. */
export interface RoleModel {
  readonly arn: string;
  readonly account: string;
  /** Stack and Terraform address that create the role. */
  readonly stack: string;
  readonly address: string;
  readonly identityPolicies: readonly NamedPolicy[];
  readonly boundary?: NamedPolicy;
  readonly trustPolicy?: Json;
  readonly maxSessionDurationSeconds: number;
}

/** A policy document written as a JSON string, with references resolved where the stack knows them. */
export function parsePolicy(model: StackModel, text: unknown): Json | undefined {
  if (typeof text !== 'string') return undefined;
  const resolved = text.replace(/\$\{[^}]+\}/g, (expr) => model.resolve(expr) ?? expr);
  try {
    return JSON.parse(resolved) as Json;
  } catch {
    return undefined;
  }
}

/** Every role of the stacks, by ARN; a role's boundary is looked up in every stack (the bootstrap creates it). */
export function readRoles(stacks: readonly SynthesizedStack[]): Map<string, RoleModel> {
  const models = stacks.map(stackModel);
  const managed = new Map<string, NamedPolicy>();
  for (const m of models) {
    for (const b of m.blocks.filter((x) => x.type === 'aws_iam_policy')) {
      const arn = m.arnOf(b.address);
      const policy = parsePolicy(m, b.values.policy);
      if (arn && policy) managed.set(arn, { name: `${m.name} ${b.address}`, policy });
    }
  }
  for (const [arn, p] of Object.entries(MANAGED_POLICIES)) managed.set(arn, { name: `${arn.split('/').pop()} ${p.version}`, policy: p.document as Json });

  const roles = new Map<string, RoleModel>();
  for (const m of models) {
    const named = (address: string) => /:role\/(.+)$/.exec(m.arnOf(address) ?? '')?.[1];
    const refOf = (value: unknown) => /^\$\{(aws_iam_role\.[\w-]+)\.(?:name|id)\}$/.exec(String(value ?? ''))?.[1];
    for (const r of m.blocks.filter((b) => b.type === 'aws_iam_role')) {
      const arn = m.arnOf(r.address);
      if (!arn) continue;
      const name = named(r.address);
      const mine = (b: { values: Json }) => refOf(b.values.role) === r.address || (name !== undefined && m.resolve(b.values.role) === name.split('/').pop());
      const inline = m.blocks
        .filter((b) => b.type === 'aws_iam_role_policy' && mine(b))
        .flatMap((b) => {
          const policy = parsePolicy(m, b.values.policy);
          return policy ? [{ name: `${m.name} ${b.address}`, policy }] : [];
        });
      const attached = m.blocks
        .filter((b) => b.type === 'aws_iam_role_policy_attachment' && mine(b))
        .map((b) => {
          const policyArn = m.resolve(b.values.policy_arn) ?? String(b.values.policy_arn);
          const policy = managed.get(policyArn);
          if (!policy) throw new Error(`${m.name} ${b.address}: attaches ${policyArn}, whose document the check does not know (add it to managed-policies.ts with its source)`);
          return policy;
        });
      const boundaryArn = m.resolve(r.values.permissions_boundary);
      const boundary = boundaryArn ? managed.get(boundaryArn) : undefined;
      if (boundaryArn && !boundary) throw new Error(`${m.name} ${r.address}: its permissions boundary ${boundaryArn} is in no stack the check read`);
      roles.set(arn, {
        arn,
        account: r.provider.account,
        stack: m.name,
        address: r.address,
        identityPolicies: [...inline, ...attached],
        ...(boundary ? { boundary } : {}),
        ...(parsePolicy(m, r.values.assume_role_policy) ? { trustPolicy: parsePolicy(m, r.values.assume_role_policy) } : {}),
        maxSessionDurationSeconds: Number(r.values.max_session_duration ?? 3600),
      });
    }
  }
  return roles;
}

/** Bucket policies by bucket name (for cross-account requests such as the state bucket's). */
export function readBucketPolicies(stacks: readonly SynthesizedStack[]): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const m of stacks.map(stackModel)) {
    for (const b of m.blocks.filter((x) => x.type === 'aws_s3_bucket_policy')) {
      const bucket = m.resolve(b.values.bucket);
      const policy = parsePolicy(m, b.values.policy);
      if (bucket && policy) out.set(bucket, policy);
    }
  }
  return out;
}
