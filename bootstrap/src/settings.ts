import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, formatArn, formatPath } from '@platform/config';

const accountId = z.string().regex(/^\d{12}$/, { error: 'AWS account id must be exactly 12 digits' });
const roleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, { error: 'IAM role name must be 1-64 characters of letters, digits and +=,.@_-' });

/** Settings of the bootstrap stacks that the platform config does not hold. */
export const bootstrapSettingsSchema = z.strictObject({
  $schema: z.string().optional(),
  /** `owner/name` of this repository on GitHub; only its workflows may assume the pipeline roles. */
  githubRepository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, { error: 'githubRepository must be "owner/name", e.g. "acme/platform"' }),
  /** Read-only role of the pull-request plans and drift checks. @default "platform-plan" */
  planRoleName: roleName.default('platform-plan'),
  /** Branch deploys run from. @default "main" */
  deployBranch: z.string().min(1).default('main'),
  /**
   * Require the OIDC token's `ref` claim to be the deploy branch in the deploy role's
   * trust (an STS condition key for GitHub tokens). @default true
   */
  requireDeployBranchClaim: z.boolean().default(true),
  /**
   * Also pin the plan role's trust on the token's `job_workflow_ref` claim (the
   * pull-request and deploy-branch workflows of this repository). Turn on once STS
   * evaluates that claim for your tokens: an unknown claim fails the condition. @default false
   */
  pinJobWorkflowRef: z.boolean().default(false),
  /**
   * Accounts that already have GitHub's OIDC provider (one per account is allowed):
   * account id -> provider ARN. @default {}
   */
  existingOidcProviders: z.record(accountId, z.string()).default({}),
  /**
   * Longest AWS session of a pipeline job, in seconds: the plan and deploy roles'
   * max_session_duration, and the role-duration-seconds the workflow jobs that apply or
   * destroy ask configure-aws-credentials for (.github/session-lifetime.test.ts keeps
   * them equal). The job's OIDC session is the base every Terraform provider re-assumes
   * its role from each time that chained session (at most one hour) expires, so it must
   * outlast the longest apply; an Aurora global database or ElastiCache global datastore
   * create alone can take longer than an hour. 1 to 12 hours:
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-settings.html
   * @default 21600 (6 hours: GitHub's limit for a hosted job,
   * https://docs.github.com/en/actions/reference/actions-limits)
   */
  pipelineSessionSeconds: z
    .number()
    .int()
    .min(3600, { error: 'pipelineSessionSeconds must be at least 3600 (IAM: a role session lasts 1 to 12 hours)' })
    .max(43200, { error: 'pipelineSessionSeconds must be at most 43200 (IAM: a role session lasts 1 to 12 hours)' })
    .default(21600),
  /** Days an overwritten state version is kept. @default 90 */
  stateVersionRetentionDays: z.number().int().min(1).default(90),
  /**
   * ARNs of the central monitoring account's OAM sinks by region (its bootstrap outputs
   * them); environment accounts link to them. @default {}
   */
  monitoringSinkArns: z
    .record(z.string(), z.string().regex(/^arn:aws[\w-]*:oam:[a-z0-9-]+:\d{12}:sink\/[\w-]+$/, { error: `an OAM sink ARN looks like ${formatArn({ service: 'oam', region: 'eu-west-1', account: '123456789012', resource: 'sink/<id>' })}` }))
    .default({}),
});

export type BootstrapSettings = z.output<typeof bootstrapSettingsSchema>;

/** Reads and validates the bootstrap settings. Throws ConfigError listing every problem. */
export function loadBootstrapSettings(file: string): BootstrapSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the settings: ${(err as Error).message}` }]);
  }
  const parsed = bootstrapSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      file,
      parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    );
  }
  return parsed.data;
}
