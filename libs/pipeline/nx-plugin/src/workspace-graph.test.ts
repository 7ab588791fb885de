// The real workspace's Nx project graph (computed by nx from this repository, as the
// pipelines see it): a change to one service's code plans and deploys that service's
// stacks, never another service's. The stand-in workspace of affected.test.ts cannot
// see this: it has the plugin's projects but not the imports of the real sources.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlatform } from '@platform/config';
import { nxBin } from './affected-stacks';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..', '..', '..');
const NX_ENV = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
const nx = (args: string[]) => execFileSync(process.execPath, [nxBin(ROOT), ...args], { cwd: ROOT, encoding: 'utf8', env: NX_ENV, maxBuffer: 64 << 20 });

interface GraphNode {
  readonly name: string;
  readonly data: { readonly root: string; readonly tags?: string[] };
}
interface Graph {
  readonly nodes: Record<string, GraphNode>;
  readonly dependencies: Record<string, { target: string; type: string }[]>;
}

const platform = loadPlatform(join(ROOT, 'config', 'platform.json'));
let graph: Graph;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'workspace-graph-'));
  try {
    nx(['graph', `--file=${join(dir, 'graph.json')}`]);
    graph = (JSON.parse(readFileSync(join(dir, 'graph.json'), 'utf8')) as { graph: Graph }).graph;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** What `nx show projects --affected` answers when `file` changes. */
function affectedBy(file: string): string[] {
  const out = nx(['show', 'projects', '--affected', `--files=${file}`, '--json']);
  return (JSON.parse(out.slice(out.indexOf('['))) as string[]).sort();
}

const tagsOf = (project: string) => graph.nodes[project]?.data.tags ?? [];
const isStack = (project: string) => tagsOf(project).includes('type:stack');
/** The service's own projects: its app and stacks (`service:<name>`) and its libraries (`scope:<name>`). */
const ownedBy = (service: string, project: string) => tagsOf(project).some((t) => t === `service:${service}` || t === `scope:${service}`);
const regionalStacksOf = (service: string) => platform.stacks.filter((s) => s.service === service && s.layer === 'regional').map((s) => s.name).sort();

describe('the real workspace graph', () => {
  it('finds every service’s app as a project', () => {
    for (const service of platform.services) expect([service.app, graph.nodes[service.app]?.data.root]).toEqual([service.app, `apps/${service.app}`]);
  });

  it('lets nothing but a stack depend on an app (dev tooling and other services reach no app)', () => {
    const apps = new Set(Object.values(graph.nodes).filter((n) => n.data.tags?.includes('type:app')).map((n) => n.name));
    const dependents = Object.entries(graph.dependencies).flatMap(([from, deps]) =>
      deps.filter((d) => apps.has(d.target) && !isStack(from)).map((d) => `${from} -> ${d.target} (${d.type})`),
    );
    expect(dependents).toEqual([]);
  });

  // `nx affected -t test` runs a test only through the project that owns its file: a test
  // outside every project root (tools/ and .github/ had none) never runs in a pull request.
  it('puts every test file of the repository in some project, so nx affected -t test can run it', () => {
    const roots = Object.values(graph.nodes).map((n) => n.data.root).filter((r) => r && r !== '.');
    const tests = execFileSync('git', ['ls-files', '*.test.ts', '*.spec.ts'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(tests.length).toBeGreaterThan(50);
    expect(tests.filter((file) => !roots.some((root) => file.startsWith(`${root}/`)))).toEqual([]);
  });

  it.each(platform.services.map((s) => [s.name, s.app]))('a change in the app of %s (%s) affects only that service’s projects and exactly its regional stacks', (service, app) => {
    const affected = affectedBy(`apps/${app}/src/main.ts`);

    expect(affected.filter(isStack)).toEqual(regionalStacksOf(service));
    expect(affected.filter((p) => !isStack(p) && !ownedBy(service, p))).toEqual([]);
    expect(affected).toContain(app);
  });
});

describe('a change in a service’s library', () => {
  // Libraries are found from the committed project files (tag scope:<service>), so the
  // table of cases exists before the graph is computed.
  const libs = execFileSync('git', ['ls-files', 'libs/*/project.json', 'libs/*/*/project.json'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((file) => ({ file, project: JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { name: string; sourceRoot: string; tags?: string[] } }))
    .flatMap(({ project }) => {
      const service = platform.services.find((s) => project.tags?.includes(`scope:${s.name}`));
      return service ? [[project.name, service.name, `${project.sourceRoot}/index.ts`] as const] : [];
    });

  it.each(libs)('%s (service %s) affects only its service’s projects and regional stacks', (_lib, service, file) => {
    const affected = affectedBy(file);

    expect(affected.filter(isStack).filter((s) => !regionalStacksOf(service).includes(s))).toEqual([]);
    expect(affected.filter((p) => !isStack(p) && !ownedBy(service, p))).toEqual([]);
  });
});
