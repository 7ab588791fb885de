import { Construct } from 'constructs';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  WORKLOAD_IAM_PATH,
  WORKLOAD_PERMISSIONS_BOUNDARY,
  awsManagedPolicyArn,
  bucketArn,
  environmentStatePrefix,
  policyArn,
  roleArn,
  stateBucketArn,
} from '@platform/config';
import { ConstructPropsError, suppressPolicyRule } from '@platform/constructs';
import { GITHUB_OIDC_AUDIENCE } from './github-oidc-provider';
import { type PolicyStatement, policyDocument, trustRoles } from './policy';

const CLAIM = 'token.actions.githubusercontent.com';

/** Where the stacks keep their state (possibly in another account). */
export interface StateAccess {
  readonly bucketName: string;
  readonly keyPrefix: string;
}

/** Services the deploy role may pass workload roles to (`iam:PassedToService`). */
export const WORKLOAD_ROLE_SERVICES = ['lambda.amazonaws.com', 's3.amazonaws.com'];

/**
 * What `terraform plan` of the platform stacks reads: the control planes of the
 * services the stacks use (Describe/Get/List), never their data (see
 * {@link PLAN_DATA_PLANE_DENIED_ACTIONS}).
 */
export const PLAN_CONTROL_PLANE_ACTIONS = [
  'acm:Describe*',
  'acm:Get*',
  'acm:List*',
  'apigateway:GET',
  'application-autoscaling:Describe*',
  'cloudfront:Describe*',
  'cloudfront:Get*',
  'cloudfront:List*',
  'cloudwatch:Describe*',
  'cloudwatch:GetDashboard',
  'cloudwatch:List*',
  'cognito-idp:Describe*',
  'cognito-idp:GetUserPoolMfaConfig',
  'dynamodb:Describe*',
  'dynamodb:List*',
  'ec2:Describe*',
  'elasticache:Describe*',
  'elasticache:List*',
  'iam:Get*',
  'iam:List*',
  'kms:Describe*',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:List*',
  'lambda:Get*',
  'lambda:List*',
  'logs:Describe*',
  'logs:ListTagsForResource',
  'logs:ListTagsLogGroup',
  'rds:Describe*',
  'rds:List*',
  'route53:Get*',
  'route53:List*',
  's3:GetAccelerateConfiguration',
  's3:GetBucket*',
  's3:GetEncryptionConfiguration',
  's3:GetLifecycleConfiguration',
  's3:GetReplicationConfiguration',
  's3:ListAllMyBuckets',
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetResourcePolicy',
  'secretsmanager:ListSecrets',
  'sns:Get*',
  'sns:List*',
  'sts:GetCallerIdentity',
  'tag:GetResources',
  'wafv2:Get*',
  'wafv2:List*',
  'xray:Get*',
];

/**
 * Data-plane reads the plan role is denied, whatever else grants them. Secret values
 * and decryption are denied by their own statements, which leave out the secrets the
 * plans read through data sources ({@link PipelineRolesProps.planReadableSecretArns}).
 */
export const PLAN_DATA_PLANE_DENIED_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:PartiQLSelect',
  'dynamodb:Query',
  'dynamodb:Scan',
  'ssm:GetParameter*',
  'elasticache:Connect',
  'rds-db:connect',
  'rds-data:*',
];

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
  /** Where the state lives; the roles reach only `<keyPrefix>/<env>/` of their {@link environments}. */
  readonly state: StateAccess;
  /**
   * Managed policies of the plan role, on top of its inline control-plane read policy.
   * @default [] (no ReadOnlyAccess: it reads every object, item and secret)
   */
  readonly planManagedPolicyArns?: readonly string[];
  /**
   * Also pin the plan role's trust on the token's `job_workflow_ref` claim (the
   * pull-request and drift workflows of the repository). Enable only once STS
   * evaluates that claim for GitHub tokens in your partition: an unknown claim makes
   * the condition fail, and the plans with it.
   * @default false
   */
  readonly pinJobWorkflowRef?: boolean;
  /**
   * @default - the AWS managed policy PowerUserAccess, plus an inline policy for
   * the IAM roles and policies the stacks create
   */
  readonly deployManagedPolicyArns?: readonly string[];
  /** Roles in other accounts the deploy role assumes (e.g. the DNS account's). @default [] */
  readonly deployAssumableRoleArns?: readonly string[];
  /** Roles in other accounts the plan role assumes (their read-only plan roles). @default [] */
  readonly planAssumableRoleArns?: readonly string[];
  /**
   * The buckets the platform stacks create in this account. A bucket's refresh starts
   * with HeadBucket, which S3 authorizes as s3:ListBucket on the bucket
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html), so the plan
   * role may list these (never read their objects).
   * @default []
   */
  readonly platformBucketNames?: readonly string[];
  /**
   * Secrets the plans read through data sources (the services' origin secrets, ARN
   * patterns). The plan role may read these values and no other secret's.
   * @default []
   */
  readonly planReadableSecretArns?: readonly string[];
  /**
   * Longest session of either role (IAM allows 1 to 12 hours). A workflow job's OIDC
   * session must outlast its longest apply: the providers' chained sessions (at most one
   * hour each) are re-assumed from it. The bootstrap passes `pipelineSessionSeconds`.
   * @default 3600
   */
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
 * - the plan role: control-plane reads of the services the stacks use, an explicit
 *   deny on data-plane reads, and its environments' state (read, plus the S3 lock);
 *   trusted only by pull requests and the deploy branch of this repository;
 * - the deploy role: trusted only by jobs of this repository running in one of the
 *   account's GitHub environments, from the deploy branch. It may create, change and
 *   pass roles only under the workload IAM path and with the workload boundary, and
 *   may assume no role but its own and the cross-account roles it is given.
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
    const r = resolveRoles(this, props);
    const provider = props.provider;
    const state = stateAccess(props);

    this.planRole = new IamRole(this, 'plan-role', {
      provider,
      name: r.planRoleName,
      description: `Read-only Terraform plans of ${r.repo}`,
      maxSessionDuration: r.maxSessionDuration,
      assumeRolePolicy: policyDocument(planTrust(props, r)),
    });
    this.deployRole = new IamRole(this, 'deploy-role', {
      provider,
      name: props.deployRoleName,
      description: `Terraform deploys of ${r.repo} from ${r.branch}`,
      maxSessionDuration: r.maxSessionDuration,
      assumeRolePolicy: policyDocument(deployTrust(props, r)),
    });
    this.attachManagedPolicies(props);

    new IamRolePolicy(this, 'plan-policy', {
      provider,
      role: this.planRole.name,
      name: 'terraform-plan',
      policy: policyDocument(planPolicy(props, r, state)),
    });

    const boundaryName = props.workloadBoundaryName ?? WORKLOAD_PERMISSIONS_BOUNDARY;
    this.workloadBoundary = new IamPolicy(this, 'workload-boundary', {
      provider,
      name: boundaryName,
      description: 'Upper bound of every IAM role the platform stacks create',
      policy: policyDocument([{ Sid: 'WorkloadServices', Effect: 'Allow', Action: WORKLOAD_BOUNDARY_ACTIONS, Resource: '*' }]),
    });
    const boundaryReason = 'a permissions boundary caps what workload roles may be granted; it grants nothing itself';
    suppressPolicyRule(this.workloadBoundary, 'CKV_AWS_355', boundaryReason);
    suppressPolicyRule(this.workloadBoundary, 'PLT_IAM_1', boundaryReason);

    new IamRolePolicy(this, 'deploy-policy', {
      provider,
      role: this.deployRole.name,
      name: 'terraform-deploy',
      policy: policyDocument(deployPolicy(props, r, state, policyArn(props.accountId, boundaryName))),
    });
  }

  /** The managed policies of both roles (the deploy role's PowerUserAccess by default). */
  private attachManagedPolicies(props: PipelineRolesProps): void {
    const provider = props.provider;
    for (const [i, arn] of (props.planManagedPolicyArns ?? []).entries()) {
      new IamRolePolicyAttachment(this, `plan-managed-${i}`, { provider, role: this.planRole.name, policyArn: arn });
    }
    for (const [i, arn] of (props.deployManagedPolicyArns ?? [awsManagedPolicyArn('PowerUserAccess')]).entries()) {
      const attachment = new IamRolePolicyAttachment(this, `deploy-managed-${i}`, { provider, role: this.deployRole.name, policyArn: arn });
      if (arn.endsWith('/PowerUserAccess')) {
        suppressPolicyRule(
          attachment,
          'PLT_IAM_5',
          'the deploy role applies every service resource type; its inline policy denies IAM outside the workload path, other roles and objects outside state',
        );
      }
    }
  }
}

/** The props of {@link PipelineRoles} checked, with their defaults and the roles' ARNs. */
interface ResolvedRoles {
  readonly repo: string;
  readonly branch: string;
  readonly planRoleName: string;
  readonly planArn: string;
  readonly deployArn: string;
  readonly maxSessionDuration: number;
}

function resolveRoles(scope: Construct, props: PipelineRolesProps): ResolvedRoles {
  if (!/^[\w.-]+\/[\w.-]+$/.test(props.githubRepository)) {
    throw new ConstructPropsError(scope, `githubRepository must be "owner/name", got "${props.githubRepository}"`);
  }
  if (props.environments.length === 0) throw new ConstructPropsError(scope, 'environments must name at least one environment');
  const planRoleName = props.planRoleName ?? 'platform-plan';
  if (planRoleName === props.deployRoleName) {
    throw new ConstructPropsError(
      scope,
      `planRoleName and deployRoleName are both "${planRoleName}"; the plan role must be a different, read-only role`,
    );
  }
  const maxSessionDuration = props.maxSessionDurationSeconds ?? 3600;
  if (!Number.isInteger(maxSessionDuration) || maxSessionDuration < 3600 || maxSessionDuration > 43200) {
    throw new ConstructPropsError(scope, `maxSessionDurationSeconds must be a whole number from 3600 to 43200 (IAM's 1 to 12 hours), got ${maxSessionDuration}`);
  }
  return {
    repo: props.githubRepository,
    branch: props.deployBranch ?? 'main',
    planRoleName,
    planArn: roleArn(props.accountId, planRoleName),
    deployArn: roleArn(props.accountId, props.deployRoleName),
    maxSessionDuration,
  };
}

/** Trust of GitHub Actions' OIDC tokens for this audience, narrowed by `sub` and `extra` conditions. */
function githubTrust(props: PipelineRolesProps, sub: Record<string, unknown>, extra: Record<string, Record<string, unknown>> = {}): PolicyStatement {
  return {
    Sid: 'GithubActions',
    Effect: 'Allow',
    Principal: { Federated: props.oidcProviderArn },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { ...extra, StringEquals: { [`${CLAIM}:aud`]: GITHUB_OIDC_AUDIENCE, ...(extra.StringEquals ?? {}) }, ...sub },
  };
}

/** The plan role's trust: pull requests and the deploy branch of the repository, and the role itself. */
function planTrust(props: PipelineRolesProps, { repo, branch, planArn }: ResolvedRoles): PolicyStatement[] {
  return [
    githubTrust(
      props,
      props.pinJobWorkflowRef
        ? {
            StringLike: {
              [`${CLAIM}:job_workflow_ref`]: [`${repo}/.github/workflows/pull-request.yml@refs/pull/*`, `${repo}/.github/workflows/*.yml@refs/heads/${branch}`],
            },
          }
        : {},
      // Pull requests (into any branch) and the deploy branch; never an arbitrary pushed branch or tag.
      { StringEquals: { [`${CLAIM}:sub`]: [`repo:${repo}:pull_request`, `repo:${repo}:ref:refs/heads/${branch}`] } },
    ),
    trustRoles([planArn], 'ProvidersAssumeTheRoleAgain'),
  ];
}

/** The deploy role's trust: jobs in the account's GitHub environments, from the deploy branch, and the role itself. */
function deployTrust(props: PipelineRolesProps, { repo, branch, deployArn }: ResolvedRoles): PolicyStatement[] {
  return [
    githubTrust(
      props,
      {},
      {
        StringEquals: {
          [`${CLAIM}:sub`]: props.environments.map((env) => `repo:${repo}:environment:${env}`),
          ...(props.requireDeployBranchClaim === false ? {} : { [`${CLAIM}:ref`]: `refs/heads/${branch}` }),
        },
      },
    ),
    trustRoles([deployArn], 'ProvidersAssumeTheRoleAgain'),
  ];
}

/** The state bucket as both roles see it: only the folders of this account's environments. */
interface StateScope {
  readonly bucket: string;
  readonly folders: readonly string[];
  readonly objects: readonly string[];
  readonly listOwnFolders: PolicyStatement;
}

function stateAccess(props: PipelineRolesProps): StateScope {
  const bucket = stateBucketArn(props.state.bucketName);
  // Only the folders of this account's environments: <keyPrefix>/<env>/.
  const folders = props.environments.map((env) => environmentStatePrefix(props.state.keyPrefix, env));
  return {
    bucket,
    folders,
    objects: folders.map((f) => stateBucketArn(props.state.bucketName, `${f}/*`)),
    listOwnFolders: {
      Sid: 'ListState',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucket,
      Condition: { StringLike: { 's3:prefix': folders.flatMap((f) => [f, `${f}/*`]) } },
    },
  };
}

/** PowerUserAccess (or any managed policy) grants sts:*; an admin role of the account that trusts the account root must stay out of reach. */
function denyOtherRoles(roles: readonly string[]): PolicyStatement {
  return { Sid: 'NoOtherRoles', Effect: 'Deny', Action: 'sts:AssumeRole', NotResource: roles };
}

/**
 * The one kind of secret a plan reads is the origin secret, through the global stack's
 * data source (every plan after the first deploy refreshes it). Its value is no more
 * than the plan role reads anyway: CloudFront's origin custom header
 * (cloudfront:GetDistributionConfig), the functions' environment
 * (lambda:GetFunctionConfiguration) and the global stack's state all hold it. Every
 * other secret stays denied, and so does decrypting anything but these secrets
 * (Secrets Manager decrypts with the caller's identity and the secret's ARN in the
 * encryption context:
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
 */
function secretDenies(readableSecrets: readonly string[]): PolicyStatement[] {
  return readableSecrets.length === 0
    ? [{ Sid: 'NoSecrets', Effect: 'Deny', Action: ['secretsmanager:GetSecretValue', 'kms:Decrypt'], Resource: '*' }]
    : [
        { Sid: 'NoOtherSecrets', Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', NotResource: [...readableSecrets] },
        {
          Sid: 'NoDecryptButThoseSecrets',
          Effect: 'Deny',
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringNotLike: { 'kms:EncryptionContext:SecretARN': [...readableSecrets] } },
        },
      ];
}

/** The plan role's inline policy: control-plane reads, its state and lock, and denies on data. */
function planPolicy(props: PipelineRolesProps, { planArn }: ResolvedRoles, state: StateScope): PolicyStatement[] {
  const planRoles = [planArn, ...(props.planAssumableRoleArns ?? [])];
  const platformBuckets = (props.platformBucketNames ?? []).map((b) => bucketArn(b));
  const readableSecrets = [...(props.planReadableSecretArns ?? [])];
  return [
    { Sid: 'ReadControlPlanes', Effect: 'Allow', Action: PLAN_CONTROL_PLANE_ACTIONS, Resource: '*' },
    state.listOwnFolders,
    ...(platformBuckets.length > 0 ? [{ Sid: 'ListPlatformBuckets', Effect: 'Allow' as const, Action: 's3:ListBucket', Resource: platformBuckets }] : []),
    ...(readableSecrets.length > 0 ? [{ Sid: 'ReadOriginSecrets', Effect: 'Allow' as const, Action: 'secretsmanager:GetSecretValue', Resource: readableSecrets }] : []),
    { Sid: 'ReadState', Effect: 'Allow', Action: 's3:GetObject', Resource: [...state.objects] },
    { Sid: 'TakeTheLock', Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: state.folders.map((f) => `${state.bucket}/${f}/*.tflock`) },
    { Sid: 'AssumeForProviders', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: planRoles },
    { Sid: 'NoDataPlaneReads', Effect: 'Deny', Action: PLAN_DATA_PLANE_DENIED_ACTIONS, Resource: '*' },
    ...secretDenies(readableSecrets),
    // Objects are data too, except this environment's state.
    { Sid: 'NoObjectReadsOutsideState', Effect: 'Deny', Action: ['s3:GetObject', 's3:GetObjectVersion'], NotResource: [...state.objects] },
    denyOtherRoles(planRoles),
  ];
}

/**
 * The deploy role's inline policy: its state, IAM only for workload roles and policies
 * under the workload path and boundary, and denies that keep the pipeline, the boundary
 * and objects outside state out of reach.
 */
function deployPolicy(props: PipelineRolesProps, { planArn, deployArn }: ResolvedRoles, state: StateScope, boundaryArn: string): PolicyStatement[] {
  const protectedArns = [planArn, deployArn, props.oidcProviderArn];
  const workloadRoles = roleArn(props.accountId, `${WORKLOAD_IAM_PATH}*`);
  const workloadPolicies = policyArn(props.accountId, `${WORKLOAD_IAM_PATH}*`);
  const deployRoles = [deployArn, ...(props.deployAssumableRoleArns ?? [])];
  return [
    state.listOwnFolders,
    { Sid: 'ReadWriteState', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: [...state.objects] },
    { Sid: 'AssumeForProviders', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: deployRoles },
    denyOtherRoles(deployRoles),
    {
      // PowerUserAccess reaches every bucket; the stacks never read or write objects,
      // so objects are out of reach except this account's environments' state.
      Sid: 'NoObjectsOutsideState',
      Effect: 'Deny',
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      NotResource: [...state.objects],
    },
    {
      // PowerUserAccess has no IAM; the stacks create service roles and their policies.
      // Whatever grants or could widen a role's permissions needs the workload
      // boundary on that role, and every such role lives under the workload path.
      Sid: 'WorkloadRolesWithinTheBoundary',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:PutRolePolicy',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:PutRolePermissionsBoundary',
      ],
      Resource: workloadRoles,
      Condition: { StringEquals: { 'iam:PermissionsBoundary': boundaryArn } },
    },
    {
      Sid: 'WorkloadRoleHousekeeping',
      Effect: 'Allow',
      Action: [
        'iam:DeleteRole',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
      ],
      Resource: workloadRoles,
    },
    {
      Sid: 'WorkloadPolicies',
      Effect: 'Allow',
      Action: [
        'iam:CreatePolicy',
        'iam:CreatePolicyVersion',
        'iam:DeletePolicy',
        'iam:DeletePolicyVersion',
        'iam:SetDefaultPolicyVersion',
        'iam:TagPolicy',
        'iam:UntagPolicy',
      ],
      Resource: workloadPolicies,
    },
    {
      // Only workload roles, and only to the services that run them.
      Sid: 'PassWorkloadRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: workloadRoles,
      Condition: { StringEquals: { 'iam:PassedToService': WORKLOAD_ROLE_SERVICES } },
    },
    { Sid: 'ReadIam', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
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
      Resource: roleArn(props.accountId, '*'),
    },
    {
      // Whatever a managed policy grants (PowerUserAccess allows service-linked
      // roles), no IAM write outside the workload path.
      Sid: 'NoIamWritesOutsideTheWorkloadPath',
      Effect: 'Deny',
      Action: [
        'iam:AttachRolePolicy',
        'iam:CreatePolicy',
        'iam:CreatePolicyVersion',
        'iam:CreateRole',
        'iam:DeleteRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PassRole',
        'iam:PutRolePermissionsBoundary',
        'iam:PutRolePolicy',
        'iam:SetDefaultPolicyVersion',
        'iam:UpdateAssumeRolePolicy',
        'iam:UpdateRole',
      ],
      NotResource: [workloadRoles, workloadPolicies],
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
  ];
}
