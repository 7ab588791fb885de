// Permission coverage: for every role the platform creates and every stack that role
// plans or applies, the actions Terraform's AWS provider calls for each resource and
// data source, evaluated against the role's synthesized policies (boundary, trust and
// resource policies included) by a real IAM policy evaluator, with the ARNs the
// resources will have. Who assumes what comes from the synthesized JSON: the providers'
// assume_role (redirected to the plan role for plans, exactly as the runner does), the
// backend's and the remote states' own assume_role, else the pipeline's session.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { accountRootArn, formatArn, parseArn, roleArn, stateBucketArn } from '@platform/config';
import { providerRoleOverride } from '@platform/terraform-runner';
import { type CatalogueAction, catalogueAction, catalogueResourceType, expandActionPattern } from './catalogue';
import { needsOf, permissionFacts } from './facts';
import { type RoleModel, parsePolicy, readBucketPolicies, readRoles } from './roles';
import { type BlockModel, type Json, type StackModel, type SynthesizedStack, ARN_SHAPES, arnFromPattern, stackModel } from './terraform-model';

/** A platform stack and the environment whose pipeline session plans and applies it. */
export interface PlatformStackInput extends SynthesizedStack {
  readonly environment: string;
}

/** A schema migration the deploy pipeline runs (today with the environment's deploy role). */
export interface MigrationInput {
  readonly environment: string;
  /** The global stack whose output names the writer (`terraform output` reads its state). */
  readonly stack: string;
  /** The primary region, where the writer is. */
  readonly region: string;
  /** The database user the migration logs in as (IAM authentication). */
  readonly user: string;
}

/** What the check reads. */
export interface CoverageInput {
  readonly platformStacks: readonly PlatformStackInput[];
  /** The bootstrap stacks: they create the pipeline, DNS and state roles and the state bucket. */
  readonly bootstrapStacks: readonly SynthesizedStack[];
  /** Per environment, the pipeline's OIDC session: the deploy role, and the account whose plan role plans. */
  readonly environments: Readonly<Record<string, { readonly accountId: string; readonly deployRoleName: string }>>;
  /** The plan role's name (bootstrap settings `planRoleName`, the workflows' PLATFORM_PROVIDER_ROLE_NAME). */
  readonly planRoleName: string;
  readonly migrations?: readonly MigrationInput[];
}

/** `plan`: a plan or refresh (pull requests, drift); `apply`: the deploy jobs' plan and apply; `runtime`: a workload role's own grants. */
export type Phase = 'plan' | 'apply' | 'migrate' | 'runtime';

/** One request a role must be allowed and is not. */
export interface CoverageFailure {
  readonly role: string;
  readonly phase: Phase;
  readonly stack: string;
  readonly address: string;
  readonly action: string;
  readonly arn: string;
  /** `ImplicitlyDenied`, `ExplicitlyDenied`, or why the evaluator refused the request. */
  readonly decision: string;
}

/** The check's result. */
export interface CoverageReport {
  readonly failures: readonly CoverageFailure[];
  /** A stack uses a type the facts do not know: one line each. */
  readonly missingFacts: readonly string[];
  /** Actions that do not exist in the AWS action catalogue (policies and facts): one line each. */
  readonly unknownActions: readonly string[];
  /** Requests checked, and distinct simulations run. */
  readonly requests: number;
  readonly simulations: number;
}

/** One line of a failure: role, phase, stack, resource address, action and ARN. */
export function formatFailure(f: CoverageFailure): string {
  return `${f.role} (${f.phase}) ${f.stack} ${f.address}: ${f.action} on ${f.arn} is ${f.decision}`;
}

interface Request extends Omit<CoverageFailure, 'decision'> {
  readonly context: Record<string, string | string[]>;
  readonly resourcePolicy?: Json;
  /** Evaluate only the role's boundary (a workload role's grant is effective only within it). */
  readonly boundaryOnly?: boolean;
  /** Why the request cannot be evaluated at all (it then fails with this). */
  readonly refusal?: string;
}

const roleName = (arn: string) => arn.split('/').pop()!;
const accountOf = (arn: string) => {
  const account = parseArn(arn)?.account;
  return account && /^\d{12}$/.test(account) ? account : undefined;
};
/** The bucket an S3 bucket or object ARN names (`arn:<partition>:s3:::<bucket>[/<key>]`). */
const bucketOf = (arn: string) => {
  const p = parseArn(arn);
  return p?.service === 's3' && p.region === '' && p.account === '' ? p.resource.split('/')[0] : undefined;
};

/** Services that take a role passed to them, by the resource type that passes it (`iam:PassedToService`). */
const PASSED_TO_SERVICE: Record<string, string> = {
  aws_lambda_function: 'lambda.amazonaws.com',
  aws_s3_bucket_replication_configuration: 's3.amazonaws.com',
};

// ACM's validation record for a name is `_<token>.<name>`:
// https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
const ACM_VALIDATION_PREFIX = '_token';

/** The record names a Route53 record writes, lower case and without the trailing dot, as IAM's condition key normalizes them. */
function recordNames(model: StackModel, block: BlockModel): string[] | undefined {
  const name = model.resolve(block.values.name);
  const norm = (n: string) => n.toLowerCase().replace(/\.$/, '');
  if (name) return [norm(name)];
  const keys = /^\$\{toset\((\[.*\])\)\}$/.exec(String(block.values.for_each ?? ''))?.[1];
  if (keys && /\.resource_record_name\}$/.test(String(block.values.name))) {
    return (JSON.parse(keys) as string[]).map((k) => norm(`${ACM_VALIDATION_PREFIX}.${k}`));
  }
  return undefined;
}

/** Keys an action's request may carry (its own and its resource types'), lower case. */
function allowedKeys(action: CatalogueAction): Set<string> {
  const keys = new Set(action.conditionKeys.map((k) => k.toLowerCase()));
  for (const t of action.resourceTypes) for (const k of catalogueResourceType(action.service, t.name)?.conditionKeys ?? []) keys.add(k.toLowerCase());
  return keys;
}

/** The resources of the stack a block refers to (`${type.name.attr}`). */
function referencedBlocks(model: StackModel, block: BlockModel): BlockModel[] {
  const text = JSON.stringify(block.values);
  const addresses = new Set([...text.matchAll(/\$\{((?:data\.)?aws_[\w-]+\.[\w-]+)\./g)].map((m) => m[1]));
  return model.blocks.filter((b) => addresses.has(b.address));
}

interface Target {
  readonly arn: string;
  readonly context: Record<string, string | string[]>;
  readonly resourcePolicy?: Json;
}

/** The ARNs (one per resource type IAM authorizes the action against) and context of one action on one block. */
function targetsOf(model: StackModel, block: BlockModel, action: CatalogueAction, bucketPolicies: Map<string, Json>): Target[] {
  const context: Record<string, string | string[]> = {};
  const allowed = allowedKeys(action);
  const set = (key: string, value: string | string[] | undefined) => {
    if (value !== undefined && allowed.has(key.toLowerCase())) context[key] = value;
  };
  const shape = ARN_SHAPES[block.type];
  const referenced = referencedBlocks(model, block);
  const role = block.type === 'aws_iam_role' ? block : referenced.find((b) => b.type === 'aws_iam_role');
  set('iam:PermissionsBoundary', role ? model.resolve(role.values.permissions_boundary) : undefined);
  set('iam:PassedToService', PASSED_TO_SERVICE[block.type]);
  if (block.type === 'aws_route53_record') {
    set('route53:ChangeResourceRecordSetsNormalizedRecordNames', recordNames(model, block));
    const type = model.resolve(block.values.type);
    set('route53:ChangeResourceRecordSetsRecordTypes', type ? [type] : undefined);
  }
  // A listing is a ListObjectsV2 with that prefix (what a bucket policy or a role may condition on).
  if (block.type === 'aws_s3_objects') set('s3:prefix', model.resolve(block.values.prefix));
  if (action.service === 'kms' && shape && shape.service !== 'kms') set('kms:ViaService', `${shape.service}.${block.provider.region}.amazonaws.com`);
  if (action.wildcardOnly) return [{ arn: '*', context }];

  const typeName = (t: { name: string }) => t.name.toLowerCase();
  const ours = shape && shape.service === action.service ? action.resourceTypes.find((t) => typeName(t) === shape.resourceType.toLowerCase()) : undefined;
  const required = action.resourceTypes.filter((t) => t.required);
  const types = ours ? [ours, ...required.filter((t) => t !== ours)] : required.length > 0 ? required : [action.resourceTypes[0]];
  return types.flatMap((t) => {
    // Another resource of the stack that is of this type (the role a function passes, the key a table uses).
    const other = ours === t ? undefined : referenced.find((b) => ARN_SHAPES[b.type]?.service === action.service && ARN_SHAPES[b.type].resourceType.toLowerCase() === typeName(t));
    const arn =
      (other ? model.arnOf(other.address) : undefined) ??
      arnFromPattern(action.service, t.name, block.provider, ours === t && shape ? shape.variables(block.values, model) : {});
    if (!arn) return [];
    let resourcePolicy: Json | undefined;
    const key = other?.type === 'aws_kms_key' ? other : ours === t && block.type === 'aws_kms_key' ? block : undefined;
    if (key) resourcePolicy = keyPolicy(model, key);
    const bucket = bucketOf(arn);
    if (bucket && bucketPolicies.has(bucket)) resourcePolicy = bucketPolicies.get(bucket);
    return [{ arn, context, ...(resourcePolicy ? { resourcePolicy } : {}) }];
  });
}

/**
 * A key's policy; without a `policy` argument KMS gives the key its default policy, which
 * lets the account's IAM policies decide:
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
function keyPolicy(model: StackModel, key: BlockModel): Json | undefined {
  if (key.values.policy !== undefined) return parsePolicy(model, key.values.policy);
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: accountRootArn(key.provider.account) }, Action: 'kms:*', Resource: '*' }],
  };
}

/**
 * Runs the check. Requests are evaluated once per distinct (role, action, ARN, context,
 * resource policy); each failure is reported once per stack and resource that needs it.
 */
export async function checkPermissionCoverage(input: CoverageInput): Promise<CoverageReport> {
  const allStacks = [...input.bootstrapStacks, ...input.platformStacks];
  const roles = readRoles(allStacks);
  const bucketPolicies = readBucketPolicies(allStacks);
  const bucketAccounts = new Map<string, string>();
  for (const m of allStacks.map(stackModel)) {
    for (const b of m.blocks.filter((x) => x.type === 'aws_s3_bucket')) {
      const name = m.resolve(b.values.bucket);
      if (name) bucketAccounts.set(name, b.provider.account);
    }
  }
  const requests: Request[] = [];
  const missingFacts = new Set<string>();
  const unknownActions = new Set<string>(catalogueProblems(allStacks));

  const assume = (from: string, to: string, phase: Phase, stack: string, address: string) =>
    requests.push({ role: from, phase, stack, address, action: 'sts:AssumeRole', arn: to, context: {}, resourcePolicy: roles.get(to)?.trustPolicy });
  /** `read`: terraform_remote_state, `terraform output`; `lock`: a plan (it takes the lock); `write`: an apply. */
  const stateAccess = (who: string, phase: Phase, stack: string, address: string, state: NonNullable<StackModel['backend']>, mode: 'read' | 'lock' | 'write') => {
    // https://developer.hashicorp.com/terraform/language/backend/s3#permissions-required
    const bucket = stateBucketArn(state.bucket);
    const policy = bucketPolicies.get(state.bucket);
    // Whose bucket it is decides whether its policy must grant the request too (cross-account).
    const refusal = bucketAccounts.has(state.bucket) ? undefined : `not evaluated: no stack the check read creates the state bucket ${state.bucket}`;
    const req = (action: string, arn: string, context: Record<string, string> = {}) =>
      requests.push({ role: who, phase, stack, address, action, arn, context, ...(policy ? { resourcePolicy: policy } : {}), ...(refusal ? { refusal } : {}) });
    req('s3:ListBucket', bucket, { 's3:prefix': state.key });
    req('s3:GetObject', `${bucket}/${state.key}`);
    if (mode === 'write') req('s3:PutObject', `${bucket}/${state.key}`);
    if (mode !== 'read' && state.lockfile) for (const a of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) req(a, `${bucket}/${state.key}.tflock`);
  };

  for (const stack of input.platformStacks) {
    const model = stackModel(stack);
    const env = input.environments[stack.environment];
    if (!env) throw new Error(`${stack.name}: environment ${stack.environment} is not in the input`);
    const planOverride = providerRoleOverride(stack.name, stack.json, input.planRoleName).provider.aws as { alias?: string; assume_role: { role_arn: string }[] }[];
    for (const phase of ['plan', 'apply'] as const) {
      const base = roleArn(env.accountId, phase === 'plan' ? input.planRoleName : env.deployRoleName);
      const providerRole = (ref: string) => {
        const own = model.providers.find((p) => p.ref === ref)?.roleArn ?? base;
        // The runner leaves the state-bucket provider out of the plan override: it keeps its own role (or the session).
        if (phase === 'plan') return planOverride.find((p) => (p.alias ? `aws.${p.alias}` : 'aws') === ref)?.assume_role[0].role_arn ?? own;
        return own;
      };
      for (const p of model.providers) if (p.roleArn) assume(base, providerRole(p.ref), phase, stack.name, `provider ${p.ref}`);
      if (model.backend) {
        const who = model.backend.roleArn ?? base;
        if (model.backend.roleArn) assume(base, who, phase, stack.name, 'backend s3');
        stateAccess(who, phase, stack.name, 'backend s3', model.backend, phase === 'plan' ? 'lock' : 'write');
      }
      for (const rs of model.remoteStates) {
        const who = rs.state.roleArn ?? base;
        if (rs.state.roleArn) assume(base, who, phase, stack.name, rs.address);
        stateAccess(who, phase, stack.name, rs.address, rs.state, 'read');
      }
      for (const block of model.blocks) {
        // Every provider of the platform sets default_tags, so every taggable resource is tagged.
        const needs = needsOf(block.kind, block.type, block.values, true);
        if (!needs) {
          missingFacts.add(
            `${stack.name} ${block.address}: no permission facts for ${block.kind === 'data' ? 'data source' : 'resource type'} ${block.type}; add its actions to libs/pipeline/permission-coverage/data/terraform-aws-permissions.json (from the reference list or the provider's source)`,
          );
          continue;
        }
        const role = providerRole(block.provider.ref);
        for (const name of needs[phase]) {
          const action = catalogueAction(name);
          if (!action) {
            unknownActions.add(`facts ${block.kind} ${block.type}: ${name} is not an action in the AWS catalogue`);
            continue;
          }
          for (const t of targetsOf(model, block, action, bucketPolicies)) {
            requests.push({ role, phase, stack: stack.name, address: block.address, action: action.id, ...t });
          }
        }
      }
    }
  }

  for (const m of input.migrations ?? []) {
    const env = input.environments[m.environment];
    const stack = input.platformStacks.find((s) => s.name === m.stack);
    if (!env || !stack) throw new Error(`migration of ${m.stack}: no such stack or environment in the input`);
    const model = stackModel(stack);
    const deploy = roleArn(env.accountId, env.deployRoleName);
    const address = `migration as ${m.user}`;
    if (model.backend) {
      const who = model.backend.roleArn ?? deploy;
      if (model.backend.roleArn) assume(deploy, who, 'migrate', m.stack, address);
      stateAccess(who, 'migrate', m.stack, address, model.backend, 'read');
    }
    const arn = arnFromPattern('rds-db', 'db-user', { region: m.region, account: env.accountId }, { DbUserName: m.user });
    requests.push({ role: deploy, phase: 'migrate', stack: m.stack, address, action: 'rds-db:connect', arn: arn!, context: {} });
  }

  // Workload roles: every action their policies grant must also be within their boundary.
  for (const role of roles.values()) {
    if (!role.boundary) continue;
    for (const p of role.identityPolicies) {
      for (const s of [p.policy.Statement ?? []].flat() as Json[]) {
        if (s.Effect !== 'Allow') continue;
        for (const pattern of [s.Action ?? []].flat() as string[]) {
          for (const name of pattern.includes('*') ? expandActionPattern(pattern) : [pattern]) {
            const action = catalogueAction(name);
            if (!action) continue;
            const type = action.resourceTypes.find((t) => t.required) ?? action.resourceTypes[0];
            const region = parseArn(String([s.Resource].flat()[0] ?? ''))?.region || 'us-east-1';
            const arn = type ? arnFromPattern(action.service, type.name, { region, account: role.account }, {}) : '*';
            requests.push({ role: role.arn, phase: 'runtime', stack: role.stack, address: role.address, action: action.id, arn: arn ?? '*', context: {}, boundaryOnly: true });
          }
        }
      }
    }
  }

  const decisions = new Map<string, Promise<string>>();
  const failures: CoverageFailure[] = [];
  const seen = new Set<string>();
  for (const r of requests) {
    const key = JSON.stringify([r.role, r.action, r.arn, r.context, r.boundaryOnly ?? false, r.resourcePolicy ?? null, r.refusal ?? null]);
    if (!decisions.has(key)) decisions.set(key, decide(roles.get(r.role), r, bucketAccounts));
    const decision = await decisions.get(key)!;
    if (decision === 'Allowed') continue;
    const f: CoverageFailure = { role: r.role, phase: r.phase, stack: r.stack, address: r.address, action: r.action, arn: r.arn, decision };
    const line = formatFailure(f);
    if (!seen.has(line)) {
      seen.add(line);
      failures.push(f);
    }
  }
  return { failures, missingFacts: [...missingFacts].sort(), unknownActions: [...unknownActions].sort(), requests: requests.length, simulations: decisions.size };
}

async function decide(role: RoleModel | undefined, r: Request, bucketAccounts: Map<string, string>): Promise<string> {
  if (r.refusal) return r.refusal;
  if (!role) return `not allowed: no stack the check read creates the role ${roleName(r.role)} (${r.role})`;
  const bucket = bucketOf(r.arn);
  return evaluateRequest({
    roleArn: role.arn,
    identityPolicies: r.boundaryOnly
      ? [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: r.action, Resource: '*' }] }]
      : role.identityPolicies.map((p) => p.policy),
    ...(role.boundary ? { boundary: role.boundary.policy } : {}),
    ...(r.resourcePolicy ? { resourcePolicy: r.resourcePolicy } : {}),
    action: r.action,
    resource: r.arn,
    resourceAccount: accountOf(r.arn) ?? (bucket ? bucketAccounts.get(bucket) : undefined) ?? role.account,
    context: r.context,
  });
}

/** One request of a role's session, for {@link evaluateRequest}. */
export interface EvaluationRequest {
  /** The role whose session makes the request (a role ARN: service `iam`, resource `role/<path><name>`). */
  readonly roleArn: string;
  readonly identityPolicies: readonly Json[];
  readonly boundary?: Json;
  /** The resource's policy (bucket, key, or the trust policy of a role being assumed). */
  readonly resourcePolicy?: Json;
  readonly action: string;
  readonly resource: string;
  /** @default - the account of the resource's ARN, else the role's */
  readonly resourceAccount?: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
}

/**
 * AWS's decision on one request, by @cloud-copilot/iam-simulate: `Allowed`,
 * `ExplicitlyDenied`, `ImplicitlyDenied`, or why the request could not be evaluated.
 * The global keys a real session carries (principal ARN and account, TLS) are set.
 */
export async function evaluateRequest(r: EvaluationRequest): Promise<string> {
  const role = parseArn(r.roleArn);
  const account = role?.service === 'iam' && role.resource.startsWith('role/') && /^\d{12}$/.test(role.account) ? role.account : undefined;
  if (!role || !account) throw new Error(`not a role ARN: ${r.roleArn}`);
  const result = await runSimulation(
    {
      identityPolicies: r.identityPolicies.map((policy, i) => ({ name: `policy-${i + 1}`, policy })),
      ...(r.boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: r.boundary }] } : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(r.resourcePolicy ? { resourcePolicy: r.resourcePolicy } : {}),
      request: {
        principal: formatArn({ partition: role.partition, service: 'sts', account, resource: `assumed-role/${roleName(r.roleArn)}/permission-coverage` }),
        action: r.action,
        resource: { resource: r.resource, accountId: r.resourceAccount ?? accountOf(r.resource) ?? account },
        contextVariables: { 'aws:SecureTransport': 'true', 'aws:PrincipalArn': r.roleArn, 'aws:PrincipalAccount': account, ...r.context },
      },
    },
    {},
  );
  if (result.resultType === 'error') return `not evaluated (${JSON.stringify(result.errors)})`;
  return result.overallResult;
}

/**
 * Actions in the policies the stacks write, and in the facts, that AWS does not have:
 * an exact name must exist in the catalogue, a wildcard must name at least one action.
 */
export function catalogueProblems(stacks: readonly SynthesizedStack[]): string[] {
  const problems: string[] = [];
  for (const stack of stacks) {
    const model = stackModel(stack);
    for (const block of model.blocks) {
      for (const [attribute, value] of Object.entries(block.values)) {
        const policy = parsePolicy(model, value);
        if (!policy?.Statement) continue;
        for (const s of [policy.Statement].flat() as Json[]) {
          for (const pattern of [s.Action ?? [], s.NotAction ?? []].flat() as string[]) {
            const problem = actionProblem(pattern);
            if (problem) problems.push(`${stack.name} ${block.address} ${attribute}${s.Sid ? ` (${s.Sid})` : ''}: ${problem}`);
          }
        }
      }
    }
  }
  const facts = permissionFacts();
  for (const kind of ['resource', 'data'] as const) {
    for (const [type, entry] of Object.entries(facts[kind])) {
      if (Array.isArray(entry)) continue;
      const lists = entry as unknown as Record<string, string[] | Record<string, string[]>>;
      const actions = [...Object.entries(lists).flatMap(([k, v]) => (k === 'attributes' ? Object.values(v as Record<string, string[]>).flat() : (v as string[])))];
      for (const a of actions) if (!catalogueAction(a)) problems.push(`facts ${kind} ${type}: ${a} is not an action in the AWS catalogue`);
    }
  }
  return problems;
}

/** Why a policy's action entry names no AWS action, or undefined when it does. */
export function actionProblem(pattern: string): string | undefined {
  if (pattern === '*') return undefined;
  if (pattern.includes('${')) return undefined;
  if (/[*?]/.test(pattern)) return expandActionPattern(pattern).length > 0 ? undefined : `${pattern} matches no action in the AWS catalogue`;
  return catalogueAction(pattern) ? undefined : `${pattern} is not an action in the AWS catalogue`;
}
