import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { stateAccessLogBucketName } from '@platform/config';
import { REQUIRED_TERRAFORM_VERSION, S3AccessLogBucket } from '@platform/constructs';
import type { AccountBootstrap } from './bootstrap-plan';
import { CrossAccountRole } from './cross-account-role';
import { GithubOidcProvider } from './github-oidc-provider';
import { ObservabilityBootstrap } from './observability-bootstrap';
import { PipelineRoles } from './pipeline-roles';
import type { BootstrapSettings } from './settings';
import { StateBucket } from './state-bucket';

/** Where a bootstrap stack keeps its own state. */
export type BootstrapBackend =
  /** A local file: the first apply, before the state bucket exists. */
  | { readonly type: 'local'; readonly path: string }
  /** The state bucket, once it exists (`terraform init -migrate-state`). */
  | { readonly type: 's3'; readonly bucket: string; readonly region: string; readonly key: string };

/** Props of {@link BootstrapStack}. */
export interface BootstrapStackProps {
  readonly account: AccountBootstrap;
  readonly settings: BootstrapSettings;
  readonly backend: BootstrapBackend;
  /** Where the pipeline stacks keep their state (for the pipeline roles' access). */
  readonly state: { readonly bucketName: string; readonly keyPrefix: string };
}

/**
 * Everything one AWS account needs before the pipelines can run there, applied once
 * by a person with administrator credentials of that account: the state bucket (in
 * the state account), GitHub's OIDC provider and the plan and deploy roles (in an
 * environment account), roles assumed from other accounts (DNS, state).
 */
export class BootstrapStack extends TerraformStack {
  readonly stateBucket?: StateBucket;
  readonly pipelineRoles?: PipelineRoles;
  readonly observability?: ObservabilityBootstrap;

  constructor(scope: Construct, props: BootstrapStackProps) {
    const { account, settings } = props;
    super(scope, account.stackName);
    if (props.backend.type === 'local') {
      new LocalBackend(this, { path: props.backend.path });
    } else {
      const backend = new S3Backend(this, {
        bucket: props.backend.bucket,
        region: props.backend.region,
        key: props.backend.key,
        encrypt: true,
      });
      backend.addOverride('use_lockfile', true);
    }
    this.addOverride('terraform.required_version', REQUIRED_TERRAFORM_VERSION);
    // No assume_role: the bootstrap runs with the account's administrator credentials.
    const provider = new AwsProvider(this, 'aws', {
      region: account.region,
      allowedAccountIds: [account.accountId],
      defaultTags: [{ tags: { 'managed-by': 'cdktf-platform-bootstrap', stack: account.stackName } }],
    });

    if (account.stateBucket) {
      const accessLogs = new S3AccessLogBucket(this, 'state-access-logs', {
        provider,
        bucketName: stateAccessLogBucketName(account.stateBucket.bucketName),
        accountId: account.accountId,
      });
      this.stateBucket = new StateBucket(this, 'state', {
        provider,
        bucketName: account.stateBucket.bucketName,
        keyPrefix: account.stateBucket.keyPrefix,
        grants: account.stateBucket.grants,
        noncurrentVersionExpirationDays: settings.stateVersionRetentionDays,
        accessLogBucket: accessLogs,
      });
      new TerraformOutput(this, 'state_bucket', { value: this.stateBucket.bucket.bucket });
    }

    if (account.pipeline) {
      const oidc = new GithubOidcProvider(this, 'github-oidc', {
        provider,
        accountId: account.accountId,
        existingProviderArn: settings.existingOidcProviders[account.accountId],
      });
      this.pipelineRoles = new PipelineRoles(this, 'pipeline', {
        provider,
        accountId: account.accountId,
        oidcProviderArn: oidc.arn,
        githubRepository: settings.githubRepository,
        environments: account.pipeline.environments,
        deployRoleName: account.pipeline.deployRoleName,
        planRoleName: settings.planRoleName,
        deployBranch: settings.deployBranch,
        requireDeployBranchClaim: settings.requireDeployBranchClaim,
        pinJobWorkflowRef: settings.pinJobWorkflowRef,
        maxSessionDurationSeconds: settings.pipelineSessionSeconds,
        state: props.state,
        deployAssumableRoleArns: account.pipeline.deployAssumableRoleArns,
        planAssumableRoleArns: account.pipeline.planAssumableRoleArns,
        platformBucketNames: account.pipeline.platformBucketNames,
        planReadableSecretArns: account.pipeline.planReadableSecretArns,
      });
      new TerraformOutput(this, 'plan_role_arn', { value: this.pipelineRoles.planRole.arn });
      new TerraformOutput(this, 'deploy_role_arn', { value: this.pipelineRoles.deployRole.arn });
    }

    if (account.observability) {
      this.observability = new ObservabilityBootstrap(this, 'observability', {
        accountId: account.accountId,
        plan: account.observability,
        tags: { 'managed-by': 'cdktf-platform-bootstrap', stack: account.stackName },
        sinkArns: settings.monitoringSinkArns,
      });
    }

    for (const role of account.delegatedRoles) {
      new CrossAccountRole(this, `delegated-${role.roleName}`, {
        provider,
        roleName: role.roleName,
        description: role.description,
        trustedRoleArns: role.trustedRoleArns,
        managedPolicyArns: role.managedPolicyArns,
        inlinePolicyStatements: role.inlineStatements,
      });
    }
  }
}
