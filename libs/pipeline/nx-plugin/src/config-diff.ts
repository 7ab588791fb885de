import type { Platform, StackSpec } from '@platform/config';
import { stackConfigFields } from './stack-projects';

/** Stacks whose inputs from the platform config differ between two versions of it. */
export interface StackConfigDiff {
  /** Stacks in both versions whose part of the config changed. */
  readonly changed: string[];
  /** Stacks only in the new version (a new service, environment or region). */
  readonly added: string[];
  /**
   * Stacks only in the old version. They are no Nx projects any more, so nothing
   * plans or destroys them: destroy them before removing them from the config.
   */
  readonly removed: string[];
}

/**
 * Compares the stacks of two versions of the platform config, stack by stack, on
 * the stack's own spec and the config fields it is built from (resolved, so that
 * spelling out a default is no change). `before` undefined (no config, or an
 * invalid one) makes every stack "added".
 */
export function diffStackConfigs(before: Platform | undefined, after: Platform): StackConfigDiff {
  const old = new Map((before?.stacks ?? []).map((s) => [s.name, fingerprint(before!, s)]));
  const changed: string[] = [];
  const added: string[] = [];
  for (const stack of after.stacks) {
    const was = old.get(stack.name);
    if (was === undefined) added.push(stack.name);
    else if (was !== fingerprint(after, stack)) changed.push(stack.name);
  }
  const now = new Set(after.stacks.map((s) => s.name));
  const removed = [...old.keys()].filter((name) => !now.has(name));
  return { changed, added, removed };
}

/**
 * Keys of the environment and service sections that no stack is built from: they steer
 * the pipeline (rollout waves) or the review (owners), so changing them affects no stack.
 */
const NOT_SYNTHESIZED: Readonly<Record<string, readonly string[]>> = { environments: ['rollout'], services: ['owners'] };

/** A stable string of everything in the config that the stack is built from. */
export function fingerprint(platform: Platform, stack: StackSpec): string {
  const fields = stackConfigFields(stack).map((path) => {
    const value = valueAt(platform.config, path);
    const skip = NOT_SYNTHESIZED[path.split('.')[0]];
    if (!skip || !value || typeof value !== 'object') return [path, value];
    return [path, Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([key]) => !skip.includes(key)))];
  });
  return stableStringify({ stack, fields });
}

function valueAt(root: unknown, dotted: string): unknown {
  let cur: unknown = root;
  for (const key of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
