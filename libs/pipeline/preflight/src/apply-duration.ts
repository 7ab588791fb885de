// How long an apply of a stack may run before Terraform gives up, from the resource types
// it creates: the longest chain of dependent creates, each at its provider default create
// timeout (an upper bound, what the provider is willing to wait). A pipeline session
// shorter than that can expire mid-apply (issue 22 #8); the preflight compares it with the
// deploy role's MaxSessionDuration.
import type { SynthesizedStack } from '@platform/permission-coverage';

const DOCS = 'https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources';

/**
 * Default create timeouts, in minutes, of the hashicorp/aws provider (5.100.0, the version
 * verify:terraform plans with) for the resource types that wait on AWS for long; other
 * creates are API calls that return within seconds and count as 0.
 */
export const CREATE_TIMEOUT_MINUTES: Readonly<Record<string, { readonly minutes: number; readonly source: string }>> = {
  aws_acm_certificate_validation: { minutes: 75, source: `${DOCS}/acm_certificate_validation#timeouts` },
  // No timeouts block: the provider waits for the distribution to deploy (wait_for_deployment,
  // default true) for a fixed 90 minutes (waitDistributionDeployed in
  // internal/service/cloudfront/distribution.go).
  aws_cloudfront_distribution: { minutes: 90, source: 'https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/cloudfront/distribution.go' },
  aws_dynamodb_table: { minutes: 30, source: `${DOCS}/dynamodb_table#timeouts` },
  aws_elasticache_global_replication_group: { minutes: 60, source: `${DOCS}/elasticache_global_replication_group#timeouts` },
  aws_elasticache_replication_group: { minutes: 60, source: `${DOCS}/elasticache_replication_group#timeouts` },
  aws_rds_cluster: { minutes: 120, source: `${DOCS}/rds_cluster#timeouts` },
  aws_rds_cluster_instance: { minutes: 90, source: `${DOCS}/rds_cluster_instance#timeouts` },
  aws_rds_global_cluster: { minutes: 30, source: `${DOCS}/rds_global_cluster#timeouts` },
};

/** The longest chain of waits in one stack. */
export interface ApplyDuration {
  readonly stack: string;
  readonly minutes: number;
  /** The resource types along the chain, first created first, with their timeouts. */
  readonly chain: readonly { readonly type: string; readonly minutes: number }[];
}

type Json = Record<string, unknown>;

const REFERENCE = /\$\{(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)/g;

/** The longest chain of default create timeouts through the stack's dependencies (references and depends_on). */
export function applyDuration(stack: SynthesizedStack): ApplyDuration {
  const blocks = new Map<string, { type: string; values: Json }>();
  for (const [kind, prefix] of [['resource', ''], ['data', 'data.']] as const) {
    for (const [type, byName] of Object.entries((stack.json[kind] ?? {}) as Record<string, Record<string, Json>>)) {
      for (const [name, values] of Object.entries(byName)) blocks.set(`${prefix}${type}.${name}`, { type: `${prefix}${type}`, values });
    }
  }
  const dependencies = (values: Json): string[] => {
    const { '//': _comment, depends_on: dependsOn, ...rest } = values;
    const found = new Set<string>((dependsOn as string[] | undefined) ?? []);
    for (const m of JSON.stringify(rest).matchAll(REFERENCE)) found.add(`${m[1] ?? ''}${m[2]}.${m[3]}`);
    return [...found].filter((address) => blocks.has(address));
  };
  const memo = new Map<string, ApplyDuration['chain']>();
  const minutesOf = (chain: ApplyDuration['chain']) => chain.reduce((sum, step) => sum + step.minutes, 0);
  const longest = (address: string, visiting: Set<string>): ApplyDuration['chain'] => {
    const known = memo.get(address);
    if (known) return known;
    if (visiting.has(address)) return []; // Terraform refuses cycles; never expected in synthesized JSON
    visiting.add(address);
    const block = blocks.get(address)!;
    let before: ApplyDuration['chain'] = [];
    for (const dependency of dependencies(block.values)) {
      const chain = longest(dependency, visiting);
      if (minutesOf(chain) > minutesOf(before)) before = chain;
    }
    const own = CREATE_TIMEOUT_MINUTES[block.type];
    const chain = own ? [...before, { type: block.type, minutes: own.minutes }] : before;
    memo.set(address, chain);
    visiting.delete(address);
    return chain;
  };
  let best: ApplyDuration['chain'] = [];
  for (const address of blocks.keys()) {
    const chain = longest(address, new Set());
    if (minutesOf(chain) > minutesOf(best)) best = chain;
  }
  return { stack: stack.name, minutes: minutesOf(best), chain: best };
}

/** The stack whose apply may run longest, of `stacks`; undefined when there are none. */
export function longestApply(stacks: readonly SynthesizedStack[]): ApplyDuration | undefined {
  return stacks.map(applyDuration).reduce<ApplyDuration | undefined>((best, d) => (!best || d.minutes > best.minutes ? d : best), undefined);
}

/** `7 h 30 min`, `45 min`, `2 h`. */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes % 60);
  return [h ? `${h} h` : '', m || !h ? `${m} min` : ''].filter(Boolean).join(' ');
}
