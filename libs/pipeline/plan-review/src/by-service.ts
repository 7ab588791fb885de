import type { GuardAllowance, GuardFinding } from './guard';
import type { StackSummary } from './summarize';

/** Prefix of the PR label that allows the destructive changes of every stack of one service: `allow-destroy-service:<service>`. */
export const ALLOW_SERVICE_LABEL_PREFIX = 'allow-destroy-service:';

/** Which service a stack belongs to and who owns it, from the platform config. */
export interface ServiceDirectory {
  /** The service of a stack; undefined when unknown (e.g. a stack of a service no longer in the config). */
  serviceOf(stack: string): string | undefined;
  /** Owners to mention (`@org/team`, `@user`); empty when none. */
  ownersOf(service: string): readonly string[];
}

/**
 * A directory from the services' names and owners. A stack belongs to the service
 * whose name, followed by `-`, is the longest prefix of the stack name (so a removed
 * stack still finds its service while the service is in the base config).
 */
export function serviceDirectory(services: readonly { readonly name: string; readonly owners?: readonly string[] }[], fallbackOwners: readonly string[] = []): ServiceDirectory {
  const byLength = [...services].sort((a, b) => b.name.length - a.name.length);
  return {
    serviceOf: (stack) => byLength.find((s) => stack.startsWith(`${s.name}-`))?.name,
    ownersOf: (service) => {
      const owners = services.find((s) => s.name === service)?.owners ?? [];
      return owners.length > 0 ? owners : fallbackOwners;
    },
  };
}

/** The allowance of `allow-destroy-service:<service>` labels: every stack of those services. */
export function serviceAllowanceFromLabels(labels: readonly string[], stacks: readonly string[], directory: ServiceDirectory): GuardAllowance {
  const services = new Set(labels.filter((l) => l.startsWith(ALLOW_SERVICE_LABEL_PREFIX)).map((l) => l.slice(ALLOW_SERVICE_LABEL_PREFIX.length).trim()));
  return { patterns: stacks.filter((stack) => services.has(directory.serviceOf(stack) ?? '')) };
}

/**
 * The "by service" section of the plan comment: per service with changes, its owners
 * mentioned (GitHub notifies them), its changed stacks, and the label that allows its
 * blocked changes.
 */
export function renderByService(summaries: readonly StackSummary[], findings: readonly GuardFinding[], directory: ServiceDirectory): string[] {
  const groups = new Map<string, StackSummary[]>();
  for (const summary of summaries.filter((s) => s.hasChanges)) {
    const service = directory.serviceOf(summary.stack) ?? '(no service)';
    groups.set(service, [...(groups.get(service) ?? []), summary]);
  }
  if (groups.size === 0) return [];
  const out = ['### Changes by service', ''];
  for (const [service, stacks] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const owners = directory.ownersOf(service);
    const blocked = findings.some((f) => !f.allowed && directory.serviceOf(f.stack) === service);
    const counts = stacks.reduce((n, s) => n + s.counts.create + s.counts.update + s.counts.replace + s.counts.delete, 0);
    out.push(
      `- **${service}**${owners.length > 0 ? ` (${owners.join(' ')})` : ''}: ${stacks.length} stack${stacks.length === 1 ? '' : 's'}, ${counts} resource change${counts === 1 ? '' : 's'}` +
        `${blocked ? ` · ⛔ to allow: label \`${ALLOW_SERVICE_LABEL_PREFIX}${service}\`` : ''}`,
    );
    out.push(`  ${stacks.map((s) => `\`${s.stack}\``).join(', ')}`);
  }
  out.push('');
  return out;
}
