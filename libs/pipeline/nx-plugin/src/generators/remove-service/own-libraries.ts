import type { ProjectGraph } from '@nx/devkit';

/** What {@link ownLibraries} decided about the libraries a service's app uses. */
export interface LibraryOwnership {
  /** Libraries only the app (or another of these) uses: they go with the service. */
  readonly own: string[];
  /** Libraries the app uses that another project uses too, each with those users: they stay. */
  readonly shared: { readonly name: string; readonly usedBy: string[] }[];
}

/**
 * The libraries that belong to `app` by the Nx project graph: a library whose every
 * user (a project that imports it; stacks do not count, they deploy apps) is the app or
 * a library already found to belong to it. Platform libraries (tag `scope:platform`)
 * are shared by definition, whoever uses them today.
 */
export function ownLibraries(graph: ProjectGraph, app: string): LibraryOwnership {
  const isStack = (name: string) => graph.nodes[name]?.data.tags?.includes('type:stack') ?? false;
  const usersOf = new Map<string, Set<string>>();
  for (const [source, deps] of Object.entries(graph.dependencies)) {
    if (isStack(source) || !graph.nodes[source]) continue;
    for (const d of deps) {
      if (d.target === source || !graph.nodes[d.target]) continue;
      (usersOf.get(d.target) ?? usersOf.set(d.target, new Set()).get(d.target)!).add(source);
    }
  }
  const candidates = Object.values(graph.nodes).filter((n) => n.type === 'lib' && !n.data.tags?.includes('scope:platform'));
  const owned = new Set([app]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const lib of candidates) {
      const users = [...(usersOf.get(lib.name) ?? [])];
      if (owned.has(lib.name) || users.length === 0 || !users.every((u) => owned.has(u))) continue;
      owned.add(lib.name);
      grew = true;
    }
  }
  owned.delete(app);
  const usedByApp = reachableFrom(graph, app);
  const shared = candidates
    .filter((lib) => usedByApp.has(lib.name) && !owned.has(lib.name))
    .map((lib) => ({ name: lib.name, usedBy: [...(usersOf.get(lib.name) ?? [])].filter((u) => u !== app && !owned.has(u)).sort() }));
  return { own: [...owned].sort(), shared };
}

/** Every project `from` depends on, directly or not. */
function reachableFrom(graph: ProjectGraph, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    for (const d of graph.dependencies[stack.pop()!] ?? []) {
      if (!seen.has(d.target) && graph.nodes[d.target]) {
        seen.add(d.target);
        stack.push(d.target);
      }
    }
  }
  return seen;
}
