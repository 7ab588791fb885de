/** How many resource instances a stack's Terraform JSON declares. */
export interface DeclaredResources {
  /** Instances, with `for_each` over a literal set and literal `count` expanded. */
  readonly instances: number;
  /** Addresses whose `for_each`/`count` is an expression only Terraform can evaluate. */
  readonly uncountable: readonly string[];
}

/**
 * Counts the resource instances `tf` (a synthesized cdk.tf.json) declares. A
 * `for_each` over a literal set (`${toset(["a", "b"])}`, what the stacks write for
 * keys known at synth time) counts its distinct keys and a literal `count` its
 * number: exactly what a plan from empty state must create. Anything else is listed
 * as uncountable, so the comparison with the plan fails loudly instead of guessing.
 */
export function countDeclaredResources(tf: { resource?: Record<string, Record<string, Record<string, unknown>>> }): DeclaredResources {
  let instances = 0;
  const uncountable: string[] = [];
  for (const [type, byName] of Object.entries(tf.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const n = instancesOf(body);
      if (n === undefined) uncountable.push(`${type}.${name}`);
      else instances += n;
    }
  }
  return { instances, uncountable };
}

function instancesOf(body: Record<string, unknown>): number | undefined {
  if ('count' in body) {
    const c = body.count;
    if (typeof c === 'number') return c;
    const m = typeof c === 'string' ? /^\$\{(\d+)\}$/.exec(c) : null;
    return m ? Number(m[1]) : undefined;
  }
  if ('for_each' in body) {
    const f = body.for_each;
    if (Array.isArray(f)) return new Set(f).size;
    if (f && typeof f === 'object') return Object.keys(f).length;
    const m = typeof f === 'string' ? /^\$\{toset\((\[.*\])\)\}$/s.exec(f) : null;
    if (!m) return undefined;
    try {
      const keys = JSON.parse(m[1]) as unknown[];
      return keys.every((k) => typeof k === 'string') ? new Set(keys).size : undefined;
    } catch {
      return undefined;
    }
  }
  return 1;
}
