// CKV_AWS_286, checkov's "IAM policies does not allow privilege escalation", with
// checkov's semantics. checkov (checkov/terraform/checks/resource/aws/IAMPrivilegeEscalation.py,
// on aws_iam_role_policy, aws_iam_user_policy, aws_iam_group_policy and aws_iam_policy)
// asks cloudsplaining 0.7 (`PolicyDocument(policy).allows_privilege_escalation`, checkov
// pins cloudsplaining >=0.7.0,<0.8.0) whether one policy document allows every action of
// one of Rhino Security Labs' escalation methods, where an action counts as allowed when
// - an Allow statement without a Condition grants it on Resource "*", or
// - an Allow statement without a Condition grants it and the action takes no resource ARN
//   (wildcard-only in the AWS action catalogue), whatever the Resource;
// - and no Deny statement names it (whatever the Deny's Resource or Condition).
// Action wildcards expand over the catalogue; an Allow with NotAction counts only on
// Resource "*" (as every action but those). Sources:
// https://github.com/bridgecrewio/checkov/blob/main/checkov/terraform/checks/resource/aws/IAMPrivilegeEscalation.py
// https://github.com/salesforce/cloudsplaining/blob/0.7.0/cloudsplaining/scan/policy_document.py
import { actionPatternMatches, catalogueAction } from '@platform/permission-coverage/catalogue';
import type { Rule } from './rules';
import type { TfResource } from './terraform-json';

/** cloudsplaining 0.7.0's PRIVILEGE_ESCALATION_METHODS (cloudsplaining/shared/constants.py): method -> actions it needs together. */
export const PRIVILEGE_ESCALATION_METHODS: Readonly<Record<string, readonly string[]>> = {
  CreateAccessKey: ['iam:CreateAccessKey'],
  CreateLoginProfile: ['iam:CreateLoginProfile'],
  UpdateLoginProfile: ['iam:UpdateLoginProfile'],
  AddUserToGroup: ['iam:AddUserToGroup'],
  CreateNewPolicyVersion: ['iam:CreatePolicyVersion'],
  SetExistingDefaultPolicyVersion: ['iam:SetDefaultPolicyVersion'],
  AttachUserPolicy: ['iam:AttachUserPolicy'],
  AttachGroupPolicy: ['iam:AttachGroupPolicy'],
  AttachRolePolicy: ['iam:AttachRolePolicy', 'sts:AssumeRole'],
  PutUserPolicy: ['iam:PutUserPolicy'],
  PutGroupPolicy: ['iam:PutGroupPolicy'],
  PutRolePolicy: ['iam:PutRolePolicy', 'sts:AssumeRole'],
  UpdateRolePolicyToAssumeIt: ['iam:UpdateAssumeRolePolicy', 'sts:AssumeRole'],
  CreateEC2WithExistingIP: ['iam:PassRole', 'ec2:RunInstances'],
  PassExistingRoleToNewLambdaThenInvoke: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'],
  PassExistingRoleToNewLambdaThenTriggerWithNewDynamo: [
    'iam:PassRole',
    'lambda:CreateFunction',
    'lambda:CreateEventSourceMapping',
    'dynamodb:CreateTable',
    'dynamodb:PutItem',
  ],
  PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'],
  PassExistingRoleToNewGlueDevEndpoint: ['iam:PassRole', 'glue:CreateDevEndpoint'],
  PassExistingRoleToCloudFormation: ['iam:PassRole', 'cloudformation:CreateStack'],
  PassExistingRoleToNewDataPipeline: ['iam:PassRole', 'datapipeline:CreatePipeline'],
  UpdateExistingGlueDevEndpoint: ['glue:UpdateDevEndpoint'],
  EditExistingLambdaFunctionWithRole: ['lambda:UpdateFunctionCode'],
};

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, unknown>;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const names = (patterns: string[], action: string) => patterns.some((p) => actionPatternMatches(p, action));
const CANDIDATES = [...new Set(Object.values(PRIVILEGE_ESCALATION_METHODS).flat())];

function statementsOf(value: unknown): Statement[] {
  if (typeof value !== 'string') return [];
  try {
    const s = (JSON.parse(value) as { Statement?: Statement | Statement[] }).Statement;
    return s === undefined ? [] : Array.isArray(s) ? s : [s];
  } catch {
    return [];
  }
}

/** The escalation methods one policy document allows, by checkov's (cloudsplaining 0.7) reading. */
export function privilegeEscalations(policy: unknown): string[] {
  const statements = statementsOf(policy);
  const allowed = new Set<string>();
  for (const s of statements) {
    if (s.Effect !== 'Allow' || (s.Condition && Object.keys(s.Condition).length > 0)) continue;
    const onAnyResource = list(s.Resource).includes('*');
    for (const action of CANDIDATES) {
      const granted = s.Action !== undefined ? names(list(s.Action), action) : onAnyResource && !names(list(s.NotAction), action);
      if (!granted) continue;
      const known = catalogueAction(action);
      if (known && (known.wildcardOnly || onAnyResource)) allowed.add(action);
    }
  }
  for (const s of statements) {
    if (s.Effect === 'Deny') for (const action of CANDIDATES) if (names(list(s.Action), action)) allowed.delete(action);
  }
  return Object.entries(PRIVILEGE_ESCALATION_METHODS)
    .filter(([, actions]) => actions.every((a) => allowed.has(a)))
    .map(([method, actions]) => `${method} (${actions.join(' + ')})`);
}

/** The rule, registered in the pack by rules.ts. */
export const PRIVILEGE_ESCALATION_RULES: readonly Rule[] = [
  {
    id: 'CKV_AWS_286',
    severity: 'error',
    title: 'IAM policies do not allow privilege escalation (an escalation method on Resource "*" without a condition)',
    fix: 'scope the actions to named resources, add a condition (e.g. iam:PermissionsBoundary), or deny them',
    resourceTypes: ['aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy', 'aws_iam_policy'],
    check: (r: TfResource) => {
      const found = privilegeEscalations(r.values.policy);
      return found.length > 0 ? `allows privilege escalation: ${found.join(', ')}` : undefined;
    },
  },
];
