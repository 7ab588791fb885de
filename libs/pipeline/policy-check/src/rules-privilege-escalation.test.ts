import { ruleById } from './rules';
import { privilegeEscalations } from './rules-privilege-escalation';
import { stackFromJson } from './terraform-json';

const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (Action: string | string[], Resource: string | string[] = '*', extra: object = {}) => ({ Effect: 'Allow', Action, Resource, ...extra });

describe('CKV_AWS_286 (privilege escalation), with checkov and cloudsplaining 0.7 semantics', () => {
  it("flags checkov's own failing example: iam:UpdateLoginProfile on *", () => {
    expect(privilegeEscalations(policy(allow('iam:UpdateLoginProfile')))).toEqual(['UpdateLoginProfile (iam:UpdateLoginProfile)']);
  });

  it("passes checkov's own passing example: lambda:CreateFunction on a named resource", () => {
    expect(privilegeEscalations(policy(allow('lambda:CreateFunction', 's3')))).toEqual([]);
  });

  it('flags a method only when the policy allows all of its actions: PutRolePolicy needs sts:AssumeRole too', () => {
    expect(privilegeEscalations(policy(allow('iam:PutRolePolicy')))).toEqual([]);
    expect(privilegeEscalations(policy(allow(['iam:PutRolePolicy', 'sts:AssumeRole'])))).toEqual(['PutRolePolicy (iam:PutRolePolicy + sts:AssumeRole)']);
  });

  it('expands action wildcards, case-insensitively', () => {
    expect(privilegeEscalations(policy(allow('IAM:Create*')))).toEqual(['CreateAccessKey (iam:CreateAccessKey)', 'CreateLoginProfile (iam:CreateLoginProfile)', 'CreateNewPolicyVersion (iam:CreatePolicyVersion)']);
  });

  it('does not count an action scoped to named resources, or granted under a condition', () => {
    expect(privilegeEscalations(policy(allow('iam:CreatePolicyVersion', 'arn:aws:iam::111111111111:policy/platform-workload/*')))).toEqual([]);
    expect(privilegeEscalations(policy(allow('iam:CreatePolicyVersion', '*', { Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } })))).toEqual([]);
  });

  it('counts an action that takes no resource ARN whatever the Resource says', () => {
    // datapipeline:CreatePipeline is wildcard-only in the AWS action catalogue; iam:PassRole is not.
    expect(privilegeEscalations(policy(allow('datapipeline:CreatePipeline', 'arn:aws:datapipeline:eu-west-1:1:pipeline/x'), allow('iam:PassRole')))).toEqual([
      'PassExistingRoleToNewDataPipeline (iam:PassRole + datapipeline:CreatePipeline)',
    ]);
  });

  it('lets a Deny naming the action take it out, whatever its resource', () => {
    expect(privilegeEscalations(policy(allow('iam:CreatePolicyVersion'), { Effect: 'Deny', Action: 'iam:CreatePolicyVersion', Resource: 'arn:aws:iam::1:policy/x' }))).toEqual([]);
  });

  it('reads NotAction on Resource "*" as every action but those', () => {
    expect(privilegeEscalations(policy({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' }))).toContain(
      'EditExistingLambdaFunctionWithRole (lambda:UpdateFunctionCode)',
    );
  });

  it('is in the rule pack, on the IAM policy resources checkov checks, failing with the methods found', () => {
    const rule = ruleById('CKV_AWS_286')!;
    const stack = stackFromJson('s', 'bootstrap', { resource: { aws_iam_role_policy: { p: { name: 'p', role: 'r', policy: policy(allow('iam:SetDefaultPolicyVersion')) } } } });

    expect(rule.resourceTypes).toEqual(['aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy', 'aws_iam_policy']);
    expect(rule.check(stack.resources[0], { resources: () => [], attachedTo: () => [] })).toBe(
      'allows privilege escalation: SetExistingDefaultPolicyVersion (iam:SetDefaultPolicyVersion)',
    );
  });
});
