import { removedNestedParts } from './nested-stateful';
import type { PlanJson, ResourceChange } from './plan-json';

/** What a plan does to one resource instance. */
export type ChangeKind = 'create' | 'update' | 'replace' | 'delete' | 'forget' | 'no-op' | 'read';

/** One resource instance the plan changes. */
export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly kind: ChangeKind;
  /** For a replace: `delete-first` (`["delete","create"]`) or `create-first` (`["create","delete"]`). */
  readonly order?: 'delete-first' | 'create-first';
  /** Attributes that force a replacement, as `a.b[0]`. */
  readonly replacePaths: string[];
  /** Terraform's reason, e.g. `replace_because_cannot_update`. */
  readonly reason?: string;
  /** Set for a deposed object (left by a failed create_before_destroy). */
  readonly deposed?: string;
  readonly importing: boolean;
  /** The address before a move (`moved` block), when the resource was moved. */
  readonly previousAddress?: string;
  /** Nested stateful parts an update removes, e.g. `replica[eu-west-1]` of a global table. */
  readonly removedNested: string[];
}

/** The review of one stack's plan. */
export interface StackSummary {
  readonly stack: string;
  readonly counts: Readonly<Record<'create' | 'update' | 'replace' | 'delete' | 'forget' | 'import', number>>;
  /** Every change other than no-op and reads, in plan order. */
  readonly changes: PlannedChange[];
  /** Outputs the plan changes. */
  readonly outputChanges: string[];
  /** True when the plan does anything (resources or outputs). */
  readonly hasChanges: boolean;
  /** Terraform could not finish the plan (`errored: true`): the plan is partial. */
  readonly errored: boolean;
  /** What changed outside Terraform since the last apply (`resource_drift`). */
  readonly drift: PlannedChange[];
  /** Resources whose address changes (`moved` blocks), with or without other changes. */
  readonly moves: PlannedChange[];
}

/** Classifies one `change.actions` array. */
export function changeKind(actions: readonly string[]): { kind: ChangeKind; order?: PlannedChange['order'] } {
  const key = actions.join(',');
  switch (key) {
    case 'create':
    case 'update':
    case 'delete':
    case 'read':
    case 'no-op':
    case 'forget':
      return { kind: key };
    case 'delete,create':
      return { kind: 'replace', order: 'delete-first' };
    case 'create,delete':
      return { kind: 'replace', order: 'create-first' };
    default:
      // Combinations newer Terraform versions may add (e.g. create+forget): err on
      // the side of a destructive reading when anything is deleted.
      if (actions.includes('delete')) return { kind: actions.includes('create') ? 'replace' : 'delete' };
      if (actions.includes('create')) return { kind: 'create' };
      return { kind: 'update' };
  }
}

/** Counts and lists what a stack's plan does. */
export function summarizePlan(stack: string, plan: PlanJson): StackSummary {
  const counts = { create: 0, update: 0, replace: 0, delete: 0, forget: 0, import: 0 };
  const changes: PlannedChange[] = [];
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === 'data') continue;
    const { kind, order } = changeKind(rc.change.actions);
    const importing = rc.change.importing !== undefined;
    if (importing) counts.import++;
    if (kind === 'no-op' || kind === 'read') {
      if (importing || rc.previous_address) changes.push(toChange(rc, kind, order, importing));
      continue;
    }
    counts[kind]++;
    changes.push(toChange(rc, kind, order, importing));
  }
  const outputChanges = Object.entries(plan.output_changes ?? {})
    .filter(([, c]) => c.actions.some((a) => a !== 'no-op'))
    .map(([name]) => name);
  const drift = (plan.resource_drift ?? [])
    .filter((rc) => rc.mode !== 'data')
    .map((rc) => {
      const { kind, order } = changeKind(rc.change.actions);
      return toChange(rc, kind, order, false);
    })
    .filter((c) => c.kind !== 'no-op' && c.kind !== 'read');
  const moves = changes.filter((c) => c.previousAddress !== undefined);
  return {
    stack,
    counts,
    changes,
    outputChanges,
    hasChanges: changes.length > 0 || outputChanges.length > 0,
    errored: plan.errored === true,
    drift,
    moves,
  };
}

function toChange(rc: ResourceChange, kind: ChangeKind, order: PlannedChange['order'], importing: boolean): PlannedChange {
  return {
    address: rc.address,
    type: rc.type,
    kind,
    ...(order ? { order } : {}),
    replacePaths: (rc.change.replace_paths ?? []).map(formatPath),
    ...(rc.action_reason ? { reason: rc.action_reason } : {}),
    ...(rc.deposed ? { deposed: rc.deposed } : {}),
    importing,
    ...(rc.previous_address && rc.previous_address !== rc.address ? { previousAddress: rc.previous_address } : {}),
    removedNested: kind === 'update' ? removedNestedParts(rc.type, rc.change.before, rc.change.after) : [],
  };
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
