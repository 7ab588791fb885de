import { catalogueAction, expandActionPattern } from './catalogue';
import { type CoverageInput, actionProblem, checkPermissionCoverage, formatFailure } from './coverage';
import { needsOf } from './facts';
import { stackModel } from './terraform-model';

const DEV = '111111111111';
const DNS = '222222222222';
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const trustAccount = (account: string) => policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' });

/** A bootstrap stack of `account` with roles: name -> actions allowed on "*". */
function bootstrap(account: string, roles: Record<string, string[]>, extra: Record<string, Record<string, object>> = {}) {
  const resource: Record<string, Record<string, object>> = { aws_iam_role: {}, aws_iam_role_policy: {}, ...extra };
  for (const [name, actions] of Object.entries(roles)) {
    resource.aws_iam_role[name] = { name, assume_role_policy: trustAccount(DEV) };
    resource.aws_iam_role_policy[name] = { role: `\${aws_iam_role.${name}.name}`, name, policy: policy({ Effect: 'Allow', Action: actions, Resource: '*' }) };
  }
  return { name: `bootstrap-${account}`, json: { provider: { aws: [{ region: 'eu-west-1', allowed_account_ids: [account] }] }, resource } };
}

/** A platform stack whose providers assume `deployer` (and `dns-deployer` in the DNS account for alias dns). */
function platformStack(resource: Record<string, Record<string, object>>) {
  return {
    name: 'svc-dev-global',
    environment: 'dev',
    json: {
      provider: {
        aws: [
          { alias: 'eu-west-1', region: 'eu-west-1', allowed_account_ids: [DEV], assume_role: [{ role_arn: `arn:aws:iam::${DEV}:role/deployer` }] },
          { alias: 'dns', region: 'us-east-1', allowed_account_ids: [DNS], assume_role: [{ role_arn: `arn:aws:iam::${DNS}:role/dns-deployer` }] },
        ],
      },
      resource,
    },
  };
}

const ALARM_ALL = ['cloudwatch:PutMetricAlarm', 'cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource', 'cloudwatch:DeleteAlarms', 'cloudwatch:TagResource', 'cloudwatch:UntagResource'];
const ASSUME = ['sts:AssumeRole'];

function input(resource: Record<string, Record<string, object>>, roles: { dev?: Record<string, string[]>; dns?: Record<string, string[]> } = {}): CoverageInput {
  return {
    platformStacks: [platformStack(resource)],
    bootstrapStacks: [
      bootstrap(DEV, roles.dev ?? { deployer: [...ASSUME, ...ALARM_ALL], planner: [...ASSUME, 'cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'] }),
      bootstrap(DNS, roles.dns ?? { 'dns-deployer': ALARM_ALL, planner: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'] }),
    ],
    environments: { dev: { accountId: DEV, deployRoleName: 'deployer' } },
    planRoleName: 'planner',
  };
}

const alarm = (provider = 'aws.eu-west-1') => ({ aws_cloudwatch_metric_alarm: { status: { provider, alarm_name: 'svc-dev-health' } } });

describe('checkPermissionCoverage', () => {
  it('given roles that allow every call, when checked, then nothing fails', async () => {
    const report = await checkPermissionCoverage(input({ ...alarm(), ...alarm('aws.dns') }));

    expect(report.failures.map(formatFailure)).toEqual([]);
    expect(report.requests).toBeGreaterThan(10);
  });

  it('given a deploy role without an action the resource needs, then one line names role, phase, stack, address, action and ARN', async () => {
    const deployer = [...ASSUME, ...ALARM_ALL.filter((a) => a !== 'cloudwatch:DeleteAlarms')];
    const report = await checkPermissionCoverage(input(alarm(), { dev: { deployer, planner: [...ASSUME, 'cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'] } }));

    expect(report.failures.map(formatFailure)).toEqual([
      `arn:aws:iam::${DEV}:role/deployer (apply) svc-dev-global aws_cloudwatch_metric_alarm.status: cloudwatch:DeleteAlarms on arn:aws:cloudwatch:eu-west-1:${DEV}:alarm:svc-dev-health is ImplicitlyDenied`,
    ]);
  });

  it("when a plan runs, then each provider assumes the plan role of its own role's account (the runner's redirect)", async () => {
    const report = await checkPermissionCoverage(input(alarm('aws.dns'), { dns: { 'dns-deployer': ALARM_ALL, planner: ['cloudwatch:ListTagsForResource'] } }));

    expect(report.failures.map(formatFailure)).toEqual([
      `arn:aws:iam::${DNS}:role/planner (plan) svc-dev-global aws_cloudwatch_metric_alarm.status: cloudwatch:DescribeAlarms on arn:aws:cloudwatch:us-east-1:${DNS}:alarm:svc-dev-health is ImplicitlyDenied`,
    ]);
  });

  it('given a provider role no stack creates, then the failure says so', async () => {
    const report = await checkPermissionCoverage(input(alarm('aws.dns'), { dns: { planner: ALARM_ALL } }));

    expect(report.failures.map(formatFailure)).toContain(
      `arn:aws:iam::${DNS}:role/dns-deployer (apply) svc-dev-global aws_cloudwatch_metric_alarm.status: cloudwatch:PutMetricAlarm on arn:aws:cloudwatch:us-east-1:${DNS}:alarm:svc-dev-health is not allowed: no stack the check read creates the role dns-deployer (arn:aws:iam::${DNS}:role/dns-deployer)`,
    );
  });

  it("given the state bucket in another account, then its bucket policy must grant the pipeline's session too", async () => {
    const STATE = '000000000000';
    const stateBucket = (statements: object[]) => ({
      name: 'bootstrap-state',
      json: {
        provider: { aws: [{ region: 'eu-west-1', allowed_account_ids: [STATE] }] },
        resource: { aws_s3_bucket: { state: { bucket: 'tf-state' } }, aws_s3_bucket_policy: { state: { bucket: '${aws_s3_bucket.state.bucket}', policy: policy(...statements) } } },
      },
    });
    const grant = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEV}:root` }, Action: ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: ['arn:aws:s3:::tf-state', 'arn:aws:s3:::tf-state/*'] };
    const withBackend = (bucketPolicy: object[] | undefined) => {
      const base = input({});
      const stack = platformStack({});
      (stack.json as Record<string, unknown>).terraform = { backend: { s3: { bucket: 'tf-state', key: 'dev/svc.tfstate', region: 'eu-west-1', use_lockfile: true } } };
      const roles = bootstrap(DEV, { deployer: [...ASSUME, 's3:*'], planner: [...ASSUME, 's3:*'] });
      return { ...base, platformStacks: [stack], bootstrapStacks: [roles, base.bootstrapStacks[1], ...(bucketPolicy ? [stateBucket(bucketPolicy)] : [])] };
    };

    expect((await checkPermissionCoverage(withBackend([grant]))).failures).toEqual([]);
    const denied = (await checkPermissionCoverage(withBackend([]))).failures.map(formatFailure);
    expect(denied).toContain(`arn:aws:iam::${DEV}:role/deployer (apply) svc-dev-global backend s3: s3:PutObject on arn:aws:s3:::tf-state/dev/svc.tfstate is ImplicitlyDenied`);
    const unknown = (await checkPermissionCoverage(withBackend(undefined))).failures.map(formatFailure);
    expect(unknown).toContain(
      `arn:aws:iam::${DEV}:role/planner (plan) svc-dev-global backend s3: s3:GetObject on arn:aws:s3:::tf-state/dev/svc.tfstate is not evaluated: no stack the check read creates the state bucket tf-state`,
    );
  });

  it("given a listing of the state bucket (GlobalStackOutputs' aws_s3_objects), then it is checked with its prefix and the state provider's own credentials, never the plan role's redirect", async () => {
    const STATE = '000000000000';
    const stateAccount = (grants: object[]) => ({
      name: 'bootstrap-state',
      json: {
        provider: { aws: [{ region: 'eu-west-1', allowed_account_ids: [STATE] }] },
        resource: {
          aws_s3_bucket: { state: { bucket: 'tf-state' } },
          aws_s3_bucket_policy: { state: { bucket: '${aws_s3_bucket.state.bucket}', policy: policy(...grants) } },
          aws_iam_role: { 'state-dev': { name: 'state-dev', assume_role_policy: trustAccount(DEV) } },
          aws_iam_role_policy: { 'state-dev': { role: '${aws_iam_role.state-dev.name}', name: 'state', policy: policy({ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::tf-state' }) } },
        },
      },
    });
    // The bucket admits the dev account's principals to its dev folder only.
    const devFolder = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEV}:root` }, Action: 's3:ListBucket', Resource: 'arn:aws:s3:::tf-state', Condition: { StringLike: { 's3:prefix': 'dev/*' } } };
    const listing = (prefix: string, stateProvider: object, grant: object = devFolder) => {
      const base = input({});
      const stack = platformStack({});
      (stack.json.provider.aws as object[]).push({ alias: 'state', region: 'eu-west-1', ...stateProvider });
      (stack.json as Record<string, unknown>).data = { aws_s3_objects: { global: { provider: 'aws.state', bucket: 'tf-state', prefix } } };
      const roles = bootstrap(DEV, { deployer: [...ASSUME, 's3:ListBucket'], planner: [...ASSUME, 's3:ListBucket'] });
      return { ...base, platformStacks: [stack], bootstrapStacks: [roles, base.bootstrapStacks[1], stateAccount([grant])] };
    };
    const session = { allowed_account_ids: [DEV] };

    expect((await checkPermissionCoverage(listing('dev/svc-dev-global.tfstate', session))).failures).toEqual([]);
    expect((await checkPermissionCoverage(listing('prod/svc-prod-global.tfstate', session))).failures.map(formatFailure)).toEqual([
      `arn:aws:iam::${DEV}:role/planner (plan) svc-dev-global data.aws_s3_objects.global: s3:ListBucket on arn:aws:s3:::tf-state is ImplicitlyDenied`,
      `arn:aws:iam::${DEV}:role/deployer (apply) svc-dev-global data.aws_s3_objects.global: s3:ListBucket on arn:aws:s3:::tf-state is ImplicitlyDenied`,
    ]);
    // With a state role there is no plan role in the state account: a redirect would fail.
    const stateRole = { allowed_account_ids: [STATE], assume_role: [{ role_arn: `arn:aws:iam::${STATE}:role/state-dev` }] };
    const toStateRole = { ...devFolder, Principal: { AWS: `arn:aws:iam::${STATE}:role/state-dev` } };
    expect((await checkPermissionCoverage(listing('dev/svc-dev-global.tfstate', stateRole, toStateRole))).failures.map(formatFailure)).toEqual([]);
  });

  it('given a migration, then the deploy role must connect to the writer as the database user', async () => {
    const report = await checkPermissionCoverage({ ...input({}), migrations: [{ environment: 'dev', stack: 'svc-dev-global', region: 'eu-west-1', user: 'svc' }] });

    expect(report.failures.map(formatFailure)).toEqual([
      `arn:aws:iam::${DEV}:role/deployer (migrate) svc-dev-global migration as svc: rds-db:connect on arn:aws:rds-db:eu-west-1:${DEV}:dbuser:unknown-to-synth/svc is ImplicitlyDenied`,
    ]);
  });

  it('given a stack with a resource type the facts lack, then one line names the type and where to add it', async () => {
    const report = await checkPermissionCoverage(input({ aws_made_up_thing: { x: { provider: 'aws.eu-west-1' } } }));

    expect(report.missingFacts).toEqual([
      'svc-dev-global aws_made_up_thing.x: no permission facts for resource type aws_made_up_thing; add its actions to libs/pipeline/permission-coverage/data/terraform-aws-permissions.json (from the reference list or the provider\'s source)',
    ]);
  });

  it('given a terraform_data (Terraform\'s built-in provider, no AWS call), then it needs no provider, no facts and no permission', async () => {
    const report = await checkPermissionCoverage(input({ ...alarm(), terraform_data: { first: { input: { value: '${uuid()}' }, lifecycle: { ignore_changes: ['input'] } } } }));

    expect([report.missingFacts, report.failures.map(formatFailure)]).toEqual([[], []]);
  });

  it("given a workload role granted more than its boundary allows, then the grant beyond it is reported", async () => {
    const workload = {
      aws_iam_policy: { boundary: { name: 'boundary', policy: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }) } },
      aws_iam_role: { fn: { name: 'fn', path: '/w/', permissions_boundary: `arn:aws:iam::${DEV}:policy/boundary`, assume_role_policy: trustAccount(DEV) } },
      aws_iam_role_policy: {
        fn: { role: '${aws_iam_role.fn.name}', name: 'fn', policy: policy({ Effect: 'Allow', Action: ['s3:GetObject', 'dynamodb:GetItem'], Resource: '*' }) },
      },
    };
    const base = input({});
    const report = await checkPermissionCoverage({ ...base, bootstrapStacks: [...base.bootstrapStacks, bootstrap(DEV, {}, workload)] });

    expect(report.failures.map((f) => `${f.phase} ${f.role} ${f.action}`)).toEqual([`runtime arn:aws:iam::${DEV}:role/w/fn dynamodb:GetItem`]);
  });

  it('given a policy that names an action AWS does not have, then it is flagged where it is written', async () => {
    const base = input({});
    const typo = bootstrap(DEV, {}, { aws_iam_policy: { p: { name: 'p', policy: policy({ Sid: 'Typo', Effect: 'Allow', Action: 'cloudwatch:PutMetricAlarms', Resource: '*' }) } } });
    const report = await checkPermissionCoverage({ ...base, bootstrapStacks: [...base.bootstrapStacks, typo] });

    expect(report.unknownActions).toEqual([`bootstrap-${DEV} aws_iam_policy.p policy (Typo): cloudwatch:PutMetricAlarms is not an action in the AWS catalogue`]);
  });
});

describe('the action catalogue', () => {
  it('knows real actions whatever their case, and not invented ones', () => {
    expect(catalogueAction('CloudWatch:putmetricalarm')?.id).toBe('cloudwatch:PutMetricAlarm');
    expect(actionProblem('s3:GetObjekt')).toBe('s3:GetObjekt is not an action in the AWS catalogue');
  });

  it('accepts a wildcard only when it names at least one action', () => {
    expect(expandActionPattern('route53:Get*').length).toBeGreaterThan(3);
    expect(actionProblem('route53:Get*')).toBeUndefined();
    expect(actionProblem('route53:Fetch*')).toBe('route53:Fetch* matches no action in the AWS catalogue');
  });
});

describe('needsOf', () => {
  it('derives what a refresh needs from the Read- and List-level actions of the create list when the source has no plan list', () => {
    expect(needsOf('resource', 'aws_cloudwatch_metric_alarm', {}, true)?.plan).toEqual(['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource']);
  });

  it("applies the project's corrections: a bucket's refresh reads no object", () => {
    const plan = needsOf('resource', 'aws_s3_bucket', { bucket: 'b' }, true)?.plan ?? [];

    expect(plan).toContain('s3:ListBucket');
    expect(plan).not.toContain('s3:GetObject');
  });

  it('adds the actions of an argument only when the resource sets it', () => {
    expect(needsOf('resource', 'aws_lambda_function', {}, false)?.apply).not.toContain('lambda:GetCodeSigningConfig');
    expect(needsOf('resource', 'aws_lambda_function', { code_signing_config_arn: 'x' }, false)?.apply).toContain('lambda:GetCodeSigningConfig');
  });
});

describe('stackModel', () => {
  it("resolves a global output read through GlobalStackOutputs' local to the remote state's default (a first plan's value)", () => {
    const model = stackModel({
      name: 'svc-dev-eu-west-1',
      json: {
        data: { terraform_remote_state: { g: { backend: 's3', config: { bucket: 'b', key: 'k' }, defaults: { table_name: 'svc-dev' } } } },
        locals: { outputs: '${try(data.terraform_remote_state.g[0].outputs, terraform_data.guard.input.defaults)}' },
      },
    });
    expect(model.resolve('${local.outputs.table_name}')).toBe('svc-dev');
    expect(model.resolve('${local.outputs.zone_id}')).toBeUndefined();
    expect(model.resolve('${local.other.table_name}')).toBeUndefined();
  });
});
