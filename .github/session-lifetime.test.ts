// Issue 22 #8: no AWS session may end before the job that uses it. A job's OIDC session
// (configure-aws-credentials, AssumeRoleWithWebIdentity) is the base credential every
// Terraform provider re-assumes its role from: the provider's assume_role session is
// role chaining, capped at one hour, but the provider refreshes it from the base
// credentials (aws-sdk-go-base wraps each stscreds.AssumeRoleProvider in an
// aws.CredentialsCache whose STS client signs with the base credentials:
// https://github.com/hashicorp/aws-sdk-go-base/blob/main/credentials.go), so the base
// session is what must last. configure-aws-credentials asks for one hour under OIDC
// unless role-duration-seconds says otherwise
// (https://github.com/aws-actions/configure-aws-credentials/blob/main/action.yml), and STS
// refuses more than the role's max_session_duration
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-settings.html).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadBootstrapSettings } from '@platform/bootstrap';

const DIR = join(__dirname, 'workflows');
const SETTINGS = join(__dirname, '..', 'bootstrap', 'bootstrap.json');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  'timeout-minutes'?: number;
  steps?: Step[];
}

/** Steps that apply or destroy Terraform stacks: the deploy wave's apply and rollback, destroy.yml, the orphans. */
const APPLIES = /rollout:shard -- (apply|rollback)\b|nx run-many -t (deploy|destroy)\b|orphans:destroy\b/;

const sessions = readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .flatMap((file) =>
    Object.entries((parse(readFileSync(join(DIR, file), 'utf8')) as { jobs: Record<string, Job> }).jobs).flatMap(([id, job]) => {
      const login = (job.steps ?? []).find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@') && s.with?.['role-to-assume']);
      if (!login) return [];
      return [
        {
          job: `${file} ${id}`,
          seconds: login.with?.['role-duration-seconds'] as number | undefined,
          timeoutSeconds: (job['timeout-minutes'] ?? 360) * 60,
          applies: (job.steps ?? []).some((s) => APPLIES.test(s.run ?? '')),
        },
      ];
    }),
  );

const roleSeconds = loadBootstrapSettings(SETTINGS).pipelineSessionSeconds;

describe('AWS session lifetime of the workflows (bootstrap.json pipelineSessionSeconds)', () => {
  it('finds the jobs that assume a role, among them the ones that apply or destroy', () => {
    expect(sessions.filter((s) => s.applies).map((s) => s.job)).toEqual([
      'deploy-wave.yml apply',
      'deploy-wave.yml rollback',
      'deploy.yml destroy-orphans',
      'destroy.yml destroy',
    ]);
  });

  it.each(sessions.map((s) => [s.job, s] as const))('%s asks for its session length explicitly, never more than the roles allow', (_job, s) => {
    expect(s.seconds).toEqual(expect.any(Number));
    expect(s.seconds).toBeLessThanOrEqual(roleSeconds);
  });

  it.each(sessions.map((s) => [s.job, s] as const))('%s has a session that outlives the job (timeout-minutes)', (_job, s) => {
    expect(s.seconds).toBeGreaterThanOrEqual(s.timeoutSeconds);
  });

  it.each(sessions.filter((s) => s.applies).map((s) => [s.job, s] as const))(
    "%s, which applies or destroys, takes the roles' whole session (an Aurora or ElastiCache global create alone can outlast an hour)",
    (_job, s) => {
      expect(s.seconds).toBe(roleSeconds);
    },
  );
});
