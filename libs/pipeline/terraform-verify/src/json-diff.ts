/**
 * Every path at which two JSON values differ, as `a.b[2].c` (a key present on one
 * side only is a difference at that key). For checking that verification mode
 * changes nothing but what it is meant to.
 */
export function jsonDiffPaths(a: unknown, b: unknown, at = ''): string[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) out.push(`${at}[${i}]`);
      else out.push(...jsonDiffPaths(a[i], b[i], `${at}[${i}]`));
    }
    return out;
  }
  if (isObject(a) && isObject(b)) {
    const out: string[] = [];
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const p = at ? `${at}.${key}` : key;
      if (!(key in a) || !(key in b)) out.push(p);
      else out.push(...jsonDiffPaths(a[key], b[key], p));
    }
    return out;
  }
  return Object.is(a, b) ? [] : [at];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
