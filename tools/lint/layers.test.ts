// The layers are enforced by @nx/enforce-module-boundaries (tools/lint/layers.mjs): a
// back-arrow fails lint with the rule's message, and no project carries a layer tag that
// no constraint names (a new tag would otherwise escape the rules).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { nxBin } from '@platform/nx-plugin/tooling';

jest.setTimeout(180_000);

const ROOT = path.join(__dirname, '..', '..');
const NX_ENV = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };

interface LintCase {
  readonly file: string;
  readonly code: string;
}
interface LintMessage {
  readonly ruleId: string | null;
  readonly message: string;
}

/**
 * Lints each case as if it were its file, with the workspace's eslint.config.mjs, in one
 * child process (ESLint imports its config as an ES module, which Jest cannot; and the
 * config computes the Nx project graph once per process).
 */
function lintAll(cases: readonly LintCase[]): LintMessage[][] {
  const script = `
    const { ESLint } = require('eslint');
    const eslint = new ESLint({ cwd: process.cwd() });
    const cases = JSON.parse(process.env.CASES);
    Promise.all(cases.map((c) => eslint.lintText(c.code, { filePath: require('node:path').join(process.cwd(), c.file) })))
      .then((results) => process.stdout.write(JSON.stringify(results.map(([r]) => r.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }))))));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...NX_ENV, CASES: JSON.stringify(cases) } }));
}

const RULE = '@nx/enforce-module-boundaries';
const CASES = {
  localImportsPipeline: { file: 'libs/local/topology/src/example.ts', code: "import { planRollout } from '@platform/rollout';\nexport const p = planRollout;\n" },
  sharedImportsSynthesis: { file: 'libs/shared/cli/src/example.ts', code: "import { SERVICE_TABLE } from '@platform/table-definition';\nexport const t = SERVICE_TABLE;\n" },
  libImportsProgram: { file: 'libs/pipeline/terraform-verify/src/example.ts', code: "import { synthPlatform } from '@platform/stacks';\nexport const s = synthPlatform;\n" },
  libImportsApp: { file: 'libs/local/topology/src/example.ts', code: "import { handler } from '../../../../apps/items-api/src/main';\nexport const h = handler;\n" },
  runtimeImportsCdktf: { file: 'libs/service/runtime/src/example.ts', code: "import { App } from 'cdktf';\nexport const a = App;\n" },
  toolsImportsPrograms: {
    file: 'tools/example.ts',
    code: "import { synthBootstrap } from '@platform/bootstrap';\nimport { synthPlatform } from '@platform/stacks';\nimport { planRollout } from '@platform/rollout';\nexport const x = [synthBootstrap, synthPlatform, planRollout];\n",
  },
  appTestStartsLocalServers: { file: 'apps/items-api/src/example.test.ts', code: "import { DynamoDbLocal } from '@platform/dynamodb-local';\nexport const d = DynamoDbLocal;\n" },
  appImportsLocalServers: { file: 'apps/items-api/src/example.ts', code: "import { DynamoDbLocal } from '@platform/dynamodb-local';\nexport const d = DynamoDbLocal;\n" },
} satisfies Record<string, LintCase>;

let messages: Record<keyof typeof CASES, LintMessage[]>;

beforeAll(() => {
  const names = Object.keys(CASES) as (keyof typeof CASES)[];
  const results = lintAll(names.map((n) => CASES[n]));
  messages = Object.fromEntries(names.map((n, i) => [n, results[i]!.filter((m) => m.ruleId === RULE)])) as typeof messages;
});

describe('a back-arrow between layers', () => {
  it('fails lint when a local library imports a pipeline library, naming the tags it may use', () => {
    expect(messages.localImportsPipeline.map((m) => m.message)).toEqual([
      'A project tagged with "lifecycle:local" can only depend on libs tagged with "lifecycle:local", "lifecycle:runtime", "lifecycle:synthesis", "lifecycle:shared"',
    ]);
  });

  it('fails lint when the shared layer imports a synthesis library', () => {
    expect(messages.sharedImportsSynthesis.map((m) => m.message)).toEqual(['A project tagged with "lifecycle:shared" can only depend on libs tagged with "lifecycle:shared"']);
  });

  // The rule reports a cycle before anything else: a library the program depends on that
  // imports the program closes one.
  it('fails lint when a library imports a cdktf program or an app (composition roots)', () => {
    expect(messages.libImportsProgram.map((m) => m.message)).toEqual([expect.stringMatching(/^(Imports of apps are forbidden|Circular dependency between "platform-terraform-verify" and "platform-stacks")/)]);
    expect(messages.libImportsApp.map((m) => m.message)).toEqual([expect.stringMatching(/^(Projects cannot be imported by a relative or absolute path|Imports of apps are forbidden)/)]);
  });

  it('fails lint when runtime code imports cdktf', () => {
    expect(messages.runtimeImportsCdktf.map((m) => m.message)).toEqual([expect.stringContaining('lifecycle:runtime" is not allowed to import "cdktf"')]);
  });

  it('fails lint when an app imports a local server, which its tests may start', () => {
    expect(messages.appImportsLocalServers.length).toBe(1);
    expect(messages.appTestStartsLocalServers).toEqual([]);
  });
});

describe('a composition root', () => {
  it('may import both cdktf programs and any library', () => {
    expect(messages.toolsImportsPrograms).toEqual([]);
  });
});

describe('the tags', () => {
  let constraints: { sourceTag: string }[][];
  let projects: { name: string; root: string; tags: string[] }[];

  beforeAll(() => {
    const script = `Promise.all([import('./tools/lint/layers.mjs')]).then(([m]) =>
      process.stdout.write(JSON.stringify([m.LAYER_CONSTRAINTS, m.TEST_CONSTRAINTS, m.GENERATOR_CONSTRAINTS])));`;
    constraints = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: NX_ENV }));
    const dir = mkdtempSync(path.join(tmpdir(), 'layers-graph-'));
    try {
      execFileSync(process.execPath, [nxBin(ROOT), 'graph', `--file=${path.join(dir, 'graph.json')}`], { cwd: ROOT, env: NX_ENV, stdio: 'ignore' });
      const graph = JSON.parse(readFileSync(path.join(dir, 'graph.json'), 'utf8')) as { graph: { nodes: Record<string, { name: string; data: { root: string; tags?: string[] } }> } };
      projects = Object.values(graph.graph.nodes).map((n) => ({ name: n.name, root: n.data.root, tags: n.data.tags ?? [] }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('of every project include one type: tag, and one lifecycle: tag for every project with code of its own', () => {
    const count = (p: { tags: string[] }, prefix: string) => p.tags.filter((t) => t.startsWith(prefix)).length;
    expect(projects.length).toBeGreaterThan(20);
    expect(projects.filter((p) => count(p, 'type:') !== 1).map((p) => p.name)).toEqual([]);
    // The stacks the Nx plugin infers live in cdktf.out/, which holds no code to lint.
    expect(projects.filter((p) => !p.root.startsWith('cdktf.out/') && count(p, 'lifecycle:') !== 1).map((p) => p.name)).toEqual([]);
  });

  it('in use (every type: and lifecycle: tag of every project) each have a constraint, in every set of constraints', () => {
    const inUse = [...new Set(projects.flatMap((p) => p.tags).filter((t) => t.startsWith('type:') || t.startsWith('lifecycle:')))].sort();
    expect(inUse.length).toBeGreaterThan(8);
    for (const set of constraints) expect(inUse.filter((tag) => !set.some((c) => c.sourceTag === tag))).toEqual([]);
  });
});
