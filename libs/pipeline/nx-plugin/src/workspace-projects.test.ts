// The workspace's projects: each declared by one project.json in a folder that says
// when its code runs, each library reachable through one path alias, and every
// project's code seen by the type-check and the test runner.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';

const ROOT = join(__dirname, '..', '..', '..', '..');
const read = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
const projectFiles = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*project.json'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f.endsWith('project.json') && existsSync(join(ROOT, f)));
const projects = projectFiles.map((file) => ({ file, root: dirname(file), ...read(file) }));
const paths: Record<string, string[]> = read('tsconfig.base.json').compilerOptions.paths;

/** Where a project may live, and the lifecycle tag that says so. */
const LIFECYCLE_OF: [RegExp, string][] = [
  [/^libs\/synthesis\/[\w-]+$/, 'synthesis'],
  [/^libs\/pipeline\/[\w-]+$/, 'pipeline'],
  [/^libs\/local\/[\w-]+$/, 'local'],
  [/^libs\/shared\/[\w-]+$/, 'shared'],
  [/^libs\/service\/[\w-]+$/, 'runtime'],
  // A service's own libraries (libs/items, libs/orders, and what the generator makes).
  [/^libs\/(?!synthesis\/|pipeline\/|local\/|shared\/|service\/)[\w-]+\/[\w-]+$/, 'runtime'],
  [/^apps\/[\w-]+$/, 'runtime'],
  [/^stacks$/, 'synthesis'],
  [/^bootstrap$/, 'synthesis'],
  // The workspace's own checks: the tools' tests (CLI conventions, lint config, dev) and the workflows'.
  [/^tools$/, 'tooling'],
  [/^\.github$/, 'pipeline'],
];

describe('workspace projects', () => {
  it('finds the projects', () => {
    expect(projects.length).toBeGreaterThan(10);
  });

  it.each(projects.map((p) => [p.root, p]))('%s lives in a lifecycle folder and is tagged with it', (_root, project) => {
    const match = LIFECYCLE_OF.find(([pattern]) => pattern.test(project.root));
    expect(match).toBeDefined();
    expect(project.tags).toContain(`lifecycle:${match![1]}`);
  });

  it('gives every library exactly one path alias, to its src/index.ts', () => {
    for (const lib of projects.filter((p) => p.projectType === 'library')) {
      const aliases = Object.entries(paths).filter(([, [target]]) => target === `./${lib.root}/src/index.ts`);
      expect([lib.root, aliases.length]).toEqual([lib.root, 1]);
    }
  });

  it('points every alias at a file that exists, inside a library', () => {
    for (const [alias, [target]] of Object.entries(paths)) {
      expect([alias, existsSync(join(ROOT, target))]).toEqual([alias, true]);
      expect([alias, projects.some((p) => target.startsWith(`./${p.root}/`))]).toEqual([alias, true]);
    }
  });

  it('names every project once', () => {
    const names = projects.map((p) => p.name);
    expect(names.length).toBe(new Set(names).size);
    expect(read('nx.json').plugins.every((p: { options?: { stacksProject?: string } }) => p.options?.stacksProject === undefined)).toBe(true);
  });

  it('lets the type-check and Jest see the code of every project', () => {
    const include: string[] = read('tsconfig.json').include;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const roots: string[] = require(join(ROOT, 'jest.config.js')).roots.map((r: string) => r.replace('<rootDir>/', ''));
    for (const project of projects) {
      const top = project.root.split('/')[0];
      expect([project.root, include.some((glob) => glob.startsWith(`${top}/`))]).toEqual([project.root, true]);
      expect([project.root, roots.includes(top)]).toEqual([project.root, true]);
    }
  });
});
