// The layers of the workspace as @nx/enforce-module-boundaries constraints, written once
// here: eslint.config.mjs applies them and tools/lint/layers.test.ts keeps every tag of every
// project covered. docs/architecture.md ("Layers: what may import what") explains them.
import { createHash } from 'node:crypto';
import { createProjectGraphAsync } from '@nx/devkit';

/**
 * What a project may import, by the tags of the imported project. Every constraint whose
 * source tag a project has applies, so a project answers to both its `type:` and its
 * `lifecycle:` row.
 */
export const LAYER_CONSTRAINTS = [
  // type: the composition roots (apps, the two cdktf programs, tools/ and .github/) are
  // imported by nobody; libraries (type:lib, and type:tooling for the pipeline's) by anyone.
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:tooling'] },
  { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:lib', 'type:tooling'] },
  { sourceTag: 'type:stacks-program', onlyDependOnLibsWithTags: ['type:lib', 'type:tooling'] },
  { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['type:lib', 'type:tooling', 'type:stacks-program'] },
  // The stacks the Nx plugin infers from the config: Terraform JSON, no code of their own.
  { sourceTag: 'type:stack', onlyDependOnLibsWithTags: [] },
  // lifecycle: when the code runs. Lower layers never reach up.
  { sourceTag: 'lifecycle:shared', onlyDependOnLibsWithTags: ['lifecycle:shared'] },
  { sourceTag: 'lifecycle:synthesis', onlyDependOnLibsWithTags: ['lifecycle:synthesis', 'lifecycle:shared'] },
  {
    sourceTag: 'lifecycle:runtime',
    onlyDependOnLibsWithTags: ['lifecycle:runtime', 'lifecycle:synthesis', 'lifecycle:shared'],
    // Lambda code reads the config's import-free entry points; cdktf stays out of the bundle.
    bannedExternalImports: ['cdktf', 'cdktf/*', '@cdktf/*', 'constructs'],
  },
  { sourceTag: 'lifecycle:pipeline', onlyDependOnLibsWithTags: ['lifecycle:pipeline', 'lifecycle:synthesis', 'lifecycle:shared'] },
  { sourceTag: 'lifecycle:local', onlyDependOnLibsWithTags: ['lifecycle:local', 'lifecycle:runtime', 'lifecycle:synthesis', 'lifecycle:shared'] },
  { sourceTag: 'lifecycle:tooling', onlyDependOnLibsWithTags: ['*'] },
];

/**
 * What tests, their helpers and benchmarks may use on top of their project's layer: the
 * local servers that run the code under test (DynamoDB Local, PostgreSQL, the HTTP adapter,
 * the topology), and for the programs the pipeline's checks of what they synthesize.
 */
const TEST_EXTRAS = {
  'lifecycle:runtime': ['lifecycle:local'],
  'lifecycle:synthesis': ['lifecycle:local', 'lifecycle:pipeline'],
};

/** {@link LAYER_CONSTRAINTS} with {@link TEST_EXTRAS}: for tests, test helpers and benchmarks. */
export const TEST_CONSTRAINTS = LAYER_CONSTRAINTS.map((c) =>
  TEST_EXTRAS[c.sourceTag] ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, ...TEST_EXTRAS[c.sourceTag]] } : c,
);

/** Files that get {@link TEST_CONSTRAINTS}. */
export const TEST_FILES = ['**/*.test.ts', '**/*.spec.ts', '**/testing/**', '**/bench/**', 'stacks/test-workspace.ts'];

/**
 * The Nx plugin's generators write runtime code, and take what they write from the runtime
 * itself (the records table's first migration): the one place a pipeline library may import
 * a runtime library. The edge is no back-arrow in time (a generator runs before the code it
 * writes), and it keeps one copy of that SQL.
 */
export const GENERATOR_CONSTRAINTS = LAYER_CONSTRAINTS.map((c) =>
  c.sourceTag === 'lifecycle:pipeline' ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'lifecycle:runtime'] } : c,
);

/** Files that get {@link GENERATOR_CONSTRAINTS}. */
export const GENERATOR_FILES = ['libs/pipeline/nx-plugin/src/generators/**'];

/**
 * The two cdktf programs are Nx applications, which the rule lets nobody import. The
 * composition roots that check or run them (tools/, .github/, the stacks program's own
 * tests of the bootstrap) import them through these aliases, allowed in those files only.
 */
export const PROGRAM_ALIASES = ['@platform/stacks', '@platform/bootstrap'];

/** Files that may import {@link PROGRAM_ALIASES}. */
export const COMPOSITION_ROOT_FILES = ['tools/**', '.github/**', 'stacks/**/*.test.ts'];

/**
 * Computes the Nx project graph, which the rule reads from Nx's cache: without it the rule
 * would skip every file with only a warning (plain `eslint`, a fresh clone, CI). Returns a
 * digest of what the rule's verdicts depend on besides the file itself (every project's
 * root and tags, every dependency between projects): put into the config, it makes
 * `eslint --cache` lint again every file when the graph changed, not only the edited one.
 */
export async function ensureProjectGraph() {
  const graph = await createProjectGraphAsync({ exitOnError: true });
  const projects = Object.values(graph.nodes).map((n) => [n.name, n.data.root, n.data.tags ?? []]);
  const dependencies = Object.entries(graph.dependencies).map(([from, deps]) => [from, deps.map((d) => `${d.target}:${d.type}`).sort()]);
  return createHash('sha256').update(JSON.stringify([projects.sort(), dependencies.sort()])).digest('hex');
}
