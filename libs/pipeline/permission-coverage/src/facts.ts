// What Terraform's AWS provider calls per resource type and data source: the facts in
// ../data/terraform-aws-permissions.json (from Pike, Apache-2.0: see ../data/NOTICE.md),
// with the corrections of provider-corrections.ts applied on top.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isReadLevel } from './catalogue';
import { PROVIDER_CORRECTIONS } from './provider-corrections';

/** One type's entry in the facts file. */
export interface TypeFacts {
  /** What a refresh calls (incomplete in the source: an empty list means unknown). */
  readonly plan: readonly string[];
  /** What a create calls, including the reads right after it. */
  readonly apply: readonly string[];
  readonly modify: readonly string[];
  readonly destroy: readonly string[];
  /** Extra actions needed only when that argument is set. */
  readonly attributes: Readonly<Record<string, readonly string[]>>;
}

/** The facts file: resource types and data sources. An empty list means "no AWS call" (aws_region). */
export interface PermissionFacts {
  readonly resource: Readonly<Record<string, TypeFacts | readonly []>>;
  readonly data: Readonly<Record<string, TypeFacts | readonly []>>;
}

/** The facts file kept beside the check. */
export const FACTS_FILE = join(__dirname, '..', 'data', 'terraform-aws-permissions.json');

let loaded: PermissionFacts | undefined;

/** The facts with the project's corrections applied. */
export function permissionFacts(): PermissionFacts {
  if (!loaded) loaded = applyCorrections(JSON.parse(readFileSync(FACTS_FILE, 'utf8')) as PermissionFacts);
  return loaded;
}

function applyCorrections(facts: PermissionFacts): PermissionFacts {
  const copy = JSON.parse(JSON.stringify(facts)) as { resource: Record<string, Record<string, unknown>>; data: Record<string, Record<string, unknown>> };
  for (const c of PROVIDER_CORRECTIONS) {
    const entry = copy[c.kind][c.type];
    if (!entry || Array.isArray(entry)) throw new Error(`provider correction for ${c.kind} ${c.type}: the facts have no such entry`);
    const [list, argument] = c.list.split('.');
    const holder = (argument ? entry[list] : entry) as Record<string, string[]> | undefined;
    const key = argument ?? list;
    if (!holder || !Array.isArray(holder[key] ?? [])) throw new Error(`provider correction for ${c.kind} ${c.type}: no list ${c.list}`);
    const lower = new Set((c.remove ?? []).map((a) => a.toLowerCase()));
    holder[key] = [...(holder[key] ?? []).filter((a) => !lower.has(a.toLowerCase())), ...(c.add ?? [])];
  }
  return copy as unknown as PermissionFacts;
}

/** What one resource or data source needs of the role that plans it and of the one that applies it. */
export interface Needs {
  /** A plan: refresh of a resource, or the read of a data source. */
  readonly plan: readonly string[];
  /** An apply: create, modify and destroy, their argument-specific actions, and the refresh before them. */
  readonly apply: readonly string[];
}

/** Keys set anywhere in a resource's arguments (Pike's attribute names are argument or block names). */
function argumentKeys(values: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(values)) values.forEach((v) => argumentKeys(v, into));
  else if (values && typeof values === 'object') {
    for (const [k, v] of Object.entries(values)) {
      if (k === '//' || v === undefined || v === null || v === false) continue;
      into.add(k);
      argumentKeys(v, into);
    }
  }
  return into;
}

const unique = (actions: readonly string[]) => [...new Map(actions.map((a) => [a.toLowerCase(), a])).values()];

/**
 * The needs of one resource (`kind` resource) or data source, or undefined when the
 * facts do not know the type. `tagged` says whether the resource gets tags (its own, or
 * the provider's default_tags). A refresh needs the `plan` list and, since the source's
 * plan lists are often empty or short, the Read- and List-level actions of its `apply`
 * list (access levels from the AWS action catalogue).
 */
export function needsOf(kind: 'resource' | 'data', type: string, values: Readonly<Record<string, unknown>>, tagged: boolean): Needs | undefined {
  const entry = permissionFacts()[kind][type];
  if (entry === undefined) return undefined;
  if (Array.isArray(entry)) return { plan: [], apply: [] };
  const raw = entry as Partial<TypeFacts>;
  // Some entries of the source leave a list out: the same as empty.
  const facts: TypeFacts = { plan: raw.plan ?? [], apply: raw.apply ?? [], modify: raw.modify ?? [], destroy: raw.destroy ?? [], attributes: raw.attributes ?? {} };
  const keys = argumentKeys(values);
  const attributes = Object.entries(facts.attributes)
    .filter(([name]) => (name === 'tags' ? tagged || keys.has('tags') : keys.has(name)))
    .flatMap(([, actions]) => actions);
  if (kind === 'data') {
    const read = unique([...facts.plan, ...facts.apply]);
    return { plan: read, apply: read };
  }
  const plan = unique([...facts.plan, ...facts.apply.filter(isReadLevel)]);
  return { plan, apply: unique([...plan, ...facts.apply, ...facts.modify, ...facts.destroy, ...attributes]) };
}
