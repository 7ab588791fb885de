import { Construct } from 'constructs';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { WORKLOAD_PERMISSIONS_BOUNDARY, policyArn, roleArn, stateKeyPrefix } from '@platform/config';
import { ConstructPropsError } from '@platform/constructs';
import { GITHUB_OIDC_AUDIENCE } from './github-oidc-provider';
import { type PolicyStatement, policyDocument, trustRoles } from './policy';

const CLAIM = 'token.actions.githubusercontent.com';

/** Where the stacks keep their state (possibly in another account). */
export interface StateAccess {
  readonly bucketName: string;
  readonly keyPrefix: string;
}

/** Props of {@link PipelineRoles}. */
export interface PipelineRolesProps {
  readonly provider: AwsProvider;
  readonly accountId: string;
  /** ARN of the account's GitHub OIDC provider. */
  readonly oidcProviderArn: string;
  /** `owner/name` of the repository whose workflows may assume the roles. */
  readonly githubRepository: string;
  /** GitHub environments (= platform environments) deployed with the deploy role. */
  readonly environments: readonly string[];
  /** Name of the deploy role (the platform config's `deployRoleName`). */
  readonly deployRoleName: string;
  /** @default "platform-plan" */
  readonly planRoleName?: string;
  /** Branch deploys run from. @default "main" */
  readonly deployBranch?: string;
  /**
   * Also require the token's `ref` claim to be the deploy branch (an STS condition
   * key for GitHub tokens). The `sub` of a job in a GitHub environment names only the
   * environment, so without this the environment's deployment-branch rule is what
   * keeps other branches out.
   * @default true
   */
  readonly requireDeployBranchClaim?: boolean;
  readonly state: StateAccess;
  /** @default ["arn:aws:iam::aws:policy/ReadOnlyAccess"] */
  readonly planManagedPolicyArns?: readonly string[];
  /**
   * @default ["arn:aws:iam::aws:policy/PowerUserAccess"], plus an inline policy for
   * the IAM roles and policies the stacks create
   */
  readonly deployManagedPolicyArns?: readonly string[];
  /** Roles in other accounts the deploy role assumes (e.g. the DNS account's). @default [] */
  readonly deployAssumableRoleArns?: readonly string[];
  /** Roles in other accounts the plan role assumes (their read-only plan roles). @default [] */
  readonly planAssumableRoleArns?: readonly string[];
  /** @default 3600 */
  readonly maxSessionDurationSeconds?: number;
  /**
   * Name of the managed policy bounding every role the stacks create; the stacks set
   * it (`permissions_boundary`) and the deploy role can create or change roles only
   * with it.
   * @default "platform-workload-boundary"
   */
  readonly workloadBoundaryName?: string;
}

/**
 * What a workload role of the platform may ever do, whatever policies it is given:
 * the services the stacks' roles use (Lambda's table, logs, invalidations, database
 * secret and IAM auth, cache IAM auth, VPC network interfaces; S3 replication), and
 * nothing in IAM, STS or Organizations.
 */
export const WORKLOAD_BOUNDARY_ACTIONS = [
  'dynamodb:*',
  's3:*',
  'logs:CreateLogGroup',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'cloudwatch:PutMetricData',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'cloudfront:CreateInvalidation',
  'cloudfront:GetInvalidation',
  'secretsmanager:GetSecretValue',
  'secretsmanager:DescribeSecret',
  'rds-db:connect',
  'elasticache:Connect',
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:DescribeKey',
];

/**
 * The two roles the pipelines assume through GitHub OIDC in an environment account:
 *
 * - the plan role: read-only (ReadOnlyAccess), plus reading state and taking the
 *   S3 lock; trusted by any workflow of this repository (pull requests included);
 * - the deploy role: trusted only by jobs of this repository running in one of the
 *   account's GitHub environments, from the deploy branch.
 *
 * Each role may also assume itself, because the stacks' providers assume the role
 * again (`assume_role` in the synthesized config) once the pipeline holds it.
 */
export class PipelineRoles extends Construct {
  readonly planRole: IamRole;
  readonly deployRole: IamRole;
  /** The permissions boundary of every role the stacks create. */
  readonly workloadBoundary: IamPolicy;

  constructor(scope: Construct, id: string, props: PipelineRolesProps) {
    super(scope, id);
    if (!/^[\w.-]+\/[\w.-]+$/.test(props.githubRepository)) {
      throw new ConstructPropsError(this, `githubRepository must be "owner/name", got "${props.githubRepository}"`);
    }
    if (props.environments.length === 0) throw new ConstructPropsError(this, 'environments must name at least one environment');
    const planRoleName = props.planRoleName ?? 'platform-plan';
    if (planRoleName === props.deployRoleName) {
      throw new ConstructPropsError(
        this,
        `planRoleName and deployRoleName are both "${planRoleName}"; the plan role must be a different, read-only role`,
      );
    }
    const branch = props.deployBranch ?? 'main';
    const provider = props.provider;
    const planArn = roleArn(props.accountId, planRoleName);
    const deployArn = roleArn(props.accountId, props.deployRoleName);
    const repo = props.githubRepository;
    const maxSessionDuration = props.maxSessionDurationSeconds ?? 3600;

    const github = (sub: Record<string, unknown>, extra: Record<string, Record<string, unknown>> = {}): PolicyStatement => ({
      Sid: 'GithubActions',
      Effect: 'Allow',
      Principal: { Federated: props.oidcProviderArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { ...extra, StringEquals: { [`${CLAIM}:aud`]: GITHUB_OIDC_AUDIENCE, ...(extra.StringEquals ?? {}) }, ...sub },
    });

    this.planRole = new IamRole(this, 'plan-role', {
      provider,
      name: planRoleName,
      description: `Read-only Terraform plans of ${repo}`,
      maxSessionDuration,
      assumeRolePolicy: policyDocument([
        github({ StringLike: { [`${CLAIM}:sub`]: `repo:${repo}:*` } }),
        trustRoles([planArn], 'ProvidersAssumeTheRoleAgain'),
      ]),
    });
    this.deployRole = new IamRole(this, 'deploy-role', {
      provider,
      name: props.deployRoleName,
      description: `Terraform deploys of ${repo} from ${branch}`,
      maxSessionDuration,
      assumeRolePolicy: policyDocument([
        github(
          {},
          {
            StringEquals: {
              [`${CLAIM}:sub`]: props.environments.map((env) => `repo:${repo}:environment:${env}`),
              ...(props.requireDeployBranchClaim === false ? {} : { [`${CLAIM}:ref`]: `refs/heads/${branch}` }),
            },
          },
        ),
        trustRoles([deployArn], 'ProvidersAssumeTheRoleAgain'),
      ]),
    });

    for (const [i, arn] of (props.planManagedPolicyArns ?? ['arn:aws:iam::aws:policy/ReadOnlyAccess']).entries()) {
      new IamRolePolicyAttachment(this, `plan-managed-${i}`, { provider, role: this.planRole.name, policyArn: arn });
    }
    for (const [i, arn] of (props.deployManagedPolicyArns ?? ['arn:aws:iam::aws:policy/PowerUserAccess']).entries()) {
      new IamRolePolicyAttachment(this, `deploy-managed-${i}`, { provider, role: this.deployRole.name, policyArn: arn });
    }

    const bucket = `arn:aws:s3:::${props.state.bucketName}`;
    const keys = `${bucket}/${stateKeyPrefix(props.state.keyPrefix)}`;
    new IamRolePolicy(this, 'plan-policy', {
      provider,
      role: this.planRole.name,
      name: 'terraform-plan',
      policy: policyDocument([
        { Sid: 'ListState', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket },
        { Sid: 'ReadState', Effect: 'Allow', Action: 's3:GetObject', Resource: `${keys}/*` },
        { Sid: 'TakeTheLock', Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: `${keys}/*.tflock` },
        {
          Sid: 'AssumeForProviders',
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: [planArn, ...(props.planAssumableRoleArns ?? [])],
        },
      ]),
    });

    const boundaryName = props.workloadBoundaryName ?? WORKLOAD_PERMISSIONS_BOUNDARY;
    const boundaryArn = policyArn(props.accountId, boundaryName);
    this.workloadBoundary = new IamPolicy(this, 'workload-boundary', {
      provider,
      name: boundaryName,
      description: 'Upper bound of every IAM role the platform stacks create',
      policy: policyDocument([{ Sid: 'WorkloadServices', Effect: 'Allow', Action: WORKLOAD_BOUNDARY_ACTIONS, Resource: '*' }]),
    });

    const protectedArns = [planArn, deployArn, props.oidcProviderArn];
    new IamRolePolicy(this, 'deploy-policy', {
      provider,
      role: this.deployRole.name,
      name: 'terraform-deploy',
      policy: policyDocument([
        { Sid: 'ListState', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket },
        { Sid: 'ReadWriteState', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `${keys}/*` },
        {
          Sid: 'AssumeForProviders',
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: [deployArn, ...(props.deployAssumableRoleArns ?? [])],
        },
        {
          // PowerUserAccess has no IAM; the stacks create service roles and their policies.
          // Whatever grants or could widen a role's permissions needs the workload
          // boundary on that role, so the pipeline cannot create a role stronger than it.
          Sid: 'ServiceRolesWithinTheBoundary',
          Effect: 'Allow',
          Action: [
            'iam:CreateRole',
            'iam:PutRolePolicy',
            'iam:AttachRolePolicy',
            'iam:DetachRolePolicy',
            'iam:DeleteRolePolicy',
            'iam:PutRolePermissionsBoundary',
          ],
          Resource: `arn:aws:iam::${props.accountId}:role/*`,
          Condition: { StringEquals: { 'iam:PermissionsBoundary': boundaryArn } },
        },
        {
          Sid: 'ServiceRoleHousekeeping',
          Effect: 'Allow',
          Action: [
            'iam:CreatePolicy',
            'iam:CreatePolicyVersion',
            'iam:CreateServiceLinkedRole',
            'iam:DeletePolicy',
            'iam:DeletePolicyVersion',
            'iam:DeleteRole',
            'iam:Get*',
            'iam:List*',
            'iam:PassRole',
            'iam:TagPolicy',
            'iam:TagRole',
            'iam:UntagPolicy',
            'iam:UntagRole',
            'iam:UpdateAssumeRolePolicy',
            'iam:UpdateRole',
            'iam:UpdateRoleDescription',
          ],
          Resource: [`arn:aws:iam::${props.accountId}:role/*`, `arn:aws:iam::${props.accountId}:policy/*`],
        },
        {
          // Nor may it loosen the boundary itself,
          Sid: 'KeepTheBoundaryPolicy',
          Effect: 'Deny',
          Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
          Resource: boundaryArn,
        },
        {
          // or take it off a role.
          Sid: 'KeepTheBoundaryOnRoles',
          Effect: 'Deny',
          Action: 'iam:DeleteRolePermissionsBoundary',
          Resource: `arn:aws:iam::${props.accountId}:role/*`,
        },
        {
          // The pipeline must not widen its own access or the trust it depends on.
          Sid: 'NotThePipelineItself',
          Effect: 'Deny',
          Action: [
            'iam:AttachRolePolicy',
            'iam:DeleteRole',
            'iam:DeleteRolePermissionsBoundary',
            'iam:DeleteRolePolicy',
            'iam:DetachRolePolicy',
            'iam:PutRolePermissionsBoundary',
            'iam:PutRolePolicy',
            'iam:UpdateAssumeRolePolicy',
            'iam:UpdateRole',
            'iam:AddClientIDToOpenIDConnectProvider',
            'iam:DeleteOpenIDConnectProvider',
            'iam:RemoveClientIDFromOpenIDConnectProvider',
            'iam:UpdateOpenIDConnectProviderThumbprint',
          ],
          Resource: protectedArns,
        },
      ]),
    });
  }
}
