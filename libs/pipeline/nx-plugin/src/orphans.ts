import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type Platform, stateKeyPrefix, UserError } from '@platform/config';

/** Lists the state objects under a prefix of the state bucket, with the plan role's read access. */
export interface StateLister {
  /** Every key under `prefix`. Rejects when the listing fails; never answers "none" for a failure. */
  listKeys(bucket: string, prefix: string): Promise<string[]>;
}

/** A stack that still has state (or was in the base config) but is no longer in the config. */
export interface Orphan {
  readonly stack: string;
  readonly environment: string;
  readonly layer: 'global' | 'regional';
  /** How it was found: its state object, the config diff against the base, or both. */
  readonly foundBy: readonly ('state' | 'config diff')[];
}

/** PR label that lets the pipeline destroy the orphans of one environment: `destroy-orphans:<env>`. */
export const DESTROY_ORPHANS_LABEL_PREFIX = 'destroy-orphans:';

/** The label that allows destroying the orphans of `environment` (the only place its name is built). */
export const destroyOrphansLabel = (environment: string): string => `${DESTROY_ORPHANS_LABEL_PREFIX}${environment}`;

/**
 * What happens to the orphans of `environment`, in the words every tool uses (the
 * affected-stack CLIs, orphans, orphans:destroy, the pull-request comment, the
 * remove-service generator): only the deploy workflow destroys them, regional stacks
 * before global, once the change that removes them is merged with the label.
 */
export function orphanDestroyPath(environment: string): string {
  const label = destroyOrphansLabel(environment);
  return (
    `they stay in AWS and in the state bucket until the deploy workflow destroys them, regional stacks before global, after the pull request that removes them is merged with the label ${label} ` +
    `(once merged without it: npm run orphans:destroy -- --env ${environment} --base <a commit that still has them> --labels '["${label}"]' with the deploy role); ` +
    `npm run orphans -- --env ${environment} lists them (docs/pipelines.md, "Orphans")`
  );
}

/** One line naming the orphan stacks of an environment and what happens to them. */
export function orphanNotice(environment: string, stacks: readonly string[]): string {
  return `${stacks.length} stack${stacks.length === 1 ? '' : 's'} of ${environment} no longer in the config (orphans: ${stacks.join(', ')}): ${orphanDestroyPath(environment)}`;
}

/** What a destroy of an orphan holding data meets, and what to do first. */
export const STATEFUL_ORPHANS_NOTE =
  'Tables, buckets, databases and zones keep their deletion protection: their destroy fails with ' +
  '"deletion protection is enabled". Lift protection in a separate, reviewed change first (or keep the data: `terraform state rm` the resource), then destroy.';

/** Options of {@link findOrphans}. */
export interface FindOrphansOptions {
  /** The config of the change (head). */
  readonly platform: Platform;
  /** The config of the base commit; its stacks missing from `platform` are orphans. @default - no config diff */
  readonly base?: Platform;
  readonly environment: string;
  /** Lists state; without it only the config diff is used. @default - no state listing */
  readonly lister?: StateLister;
}

/**
 * The orphans of one environment, in destroy order: every regional stack before any
 * global stack (a regional stack reads its global stack's outputs). Found by diffing
 * the config against the base commit and, with a lister, by the state objects under
 * the state prefix whose stack the config no longer has. A failing listing is an error.
 */
export async function findOrphans(options: FindOrphansOptions): Promise<Orphan[]> {
  const { platform, base, environment } = options;
  const known = new Set([...Object.keys(platform.config.environments), ...Object.keys(base?.config.environments ?? {})]);
  if (!known.has(environment)) throw new UserError(`unknown environment "${environment}"; the config has: ${[...known].join(', ')}`);
  const current = new Set(platform.stacks.map((s) => s.name));
  const found = new Map<string, Set<'state' | 'config diff'>>();
  const add = (stack: string, how: 'state' | 'config diff') => found.set(stack, (found.get(stack) ?? new Set()).add(how));

  for (const stack of base?.stacks ?? []) {
    if (stack.environment === environment && !current.has(stack.name)) add(stack.name, 'config diff');
  }
  if (options.lister) {
    const sb = platform.config.stateBackend;
    const prefix = `${stateKeyPrefix(sb.keyPrefix)}/`;
    let keys: string[];
    try {
      keys = await options.lister.listKeys(sb.bucket, prefix);
    } catch (err) {
      throw new UserError(`listing the state under s3://${sb.bucket}/${prefix} failed, so the orphans are unknown (not "none"): ${oneLine(err)}`);
    }
    for (const key of keys) {
      const stack = stackOfStateKey(key);
      if (stack && !current.has(stack) && environmentOf(stack, known) === environment) add(stack, 'state');
    }
  }
  const orphans = [...found].map(([stack, how]) => ({ stack, environment, layer: stack.endsWith('-global') ? ('global' as const) : ('regional' as const), foundBy: [...how].sort() }));
  // Destroy order: regional stacks first, then global ones; by name within a layer.
  return orphans.sort((a, b) => (a.layer === b.layer ? a.stack.localeCompare(b.stack) : a.layer === 'regional' ? -1 : 1));
}

/** The stack a state key belongs to (`<prefix>/.../<stack>.tfstate`), or undefined for other objects. */
export function stackOfStateKey(key: string): string | undefined {
  const m = /(?:^|\/)([a-z][a-z0-9-]*)\.tfstate$/.exec(key);
  return m?.[1];
}

function environmentOf(stack: string, environments: ReadonlySet<string>): string | undefined {
  return [...environments].sort((a, b) => b.length - a.length).find((env) => new RegExp(`^[a-z][a-z0-9-]*-${env}-(?:global|[a-z]{2}(?:-[a-z]+)+-\\d)$`).test(stack));
}

/**
 * The orphans as the pull request shows them: to be destroyed, in order, the label
 * that allows it, and what happens to stateful resources (deletion protection stays
 * on, so their destroy fails until protection is lifted in a separate change).
 */
export function renderOrphans(environment: string, orphans: readonly Orphan[], labels: readonly string[] = []): { markdown: string; allowed: boolean } {
  const label = destroyOrphansLabel(environment);
  const allowed = orphans.length === 0 || labels.includes(label);
  if (orphans.length === 0) return { markdown: `No orphan stacks in ${environment}.\n`, allowed };
  const lines = [
    `### 🗑️ ${environment}: ${orphans.length} stack${orphans.length === 1 ? '' : 's'} to be destroyed (no longer in the config)`,
    '',
    ...orphans.map((o, i) => `${i + 1}. \`${o.stack}\` (${o.layer}; found by ${o.foundBy.join(' and ')})`),
    '',
    allowed
      ? `Label \`${label}\` is set: after the merge, the deploy workflow destroys them in this order (regional before global), once the ${environment} environment approves.`
      : `⛔ Not labelled: ${orphanDestroyPath(environment)}. A maintainer adds the label \`${label}\` once the removal is intended.`,
    '',
    STATEFUL_ORPHANS_NOTE,
    '',
  ];
  return { markdown: lines.join('\n'), allowed };
}

/** Lists state objects with the AWS CLI (`aws s3api list-objects-v2`), under the credentials of the environment (the plan role in CI). */
export class AwsCliStateLister implements StateLister {
  async listKeys(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const args = ['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', prefix, '--output', 'json', ...(token ? ['--starting-token', token] : [])];
      let stdout: string;
      try {
        ({ stdout } = await promisify(execFile)('aws', args, { maxBuffer: 256 << 20 }));
      } catch (err) {
        const e = err as NodeJS.ErrnoException & { stderr?: string };
        throw new Error(e.code === 'ENOENT' ? 'the aws CLI is not installed' : (e.stderr || e.message).trim(), { cause: err });
      }
      const page = JSON.parse(stdout || '{}') as { Contents?: { Key: string }[]; NextToken?: string };
      keys.push(...(page.Contents ?? []).map((c) => c.Key));
      token = page.NextToken;
    } while (token);
    return keys;
  }
}

function oneLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}
