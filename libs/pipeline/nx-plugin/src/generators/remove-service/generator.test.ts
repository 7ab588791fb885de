import type { ProjectGraph, Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parsePlatformJson } from '@platform/config';
import { platformFixture, withService } from '@platform/config/testing';
import { CODEOWNERS_PATH, renderCodeowners } from '../../codeowners';
import { removeServiceGenerator } from './generator';
import { ownLibraries } from './own-libraries';

type Node = { name: string; root: string; type: 'app' | 'lib'; tags: string[]; uses?: string[] };

/** A project graph of `nodes`, as Nx computes it (dependencies from each node's `uses`). */
function graphOf(nodes: Node[]): ProjectGraph {
  return {
    nodes: Object.fromEntries(nodes.map((n) => [n.name, { name: n.name, type: n.type, data: { root: n.root, tags: n.tags } }])),
    dependencies: Object.fromEntries(nodes.map((n) => [n.name, (n.uses ?? []).map((target) => ({ source: n.name, target, type: 'static' }))])),
  };
}

const PROJECTS: Node[] = [
  { name: 'items-api', root: 'apps/items-api', type: 'app', tags: ['type:app', 'service:items'], uses: ['service-runtime'] },
  { name: 'ledger-api', root: 'apps/ledger-api', type: 'app', tags: ['type:app', 'service:ledger'], uses: ['ledger-data-access', 'ledger-money', 'shared-money', 'service-runtime'] },
  { name: 'ledger-data-access', root: 'libs/ledger/data-access', type: 'lib', tags: ['type:lib', 'scope:ledger'], uses: ['ledger-money', 'service-runtime'] },
  // Used only by the ledger's app and library: goes with it.
  { name: 'ledger-money', root: 'libs/ledger/money', type: 'lib', tags: ['type:lib', 'scope:ledger'] },
  // Used by the ledger and by items: stays.
  { name: 'shared-money', root: 'libs/shared-money/lib', type: 'lib', tags: ['type:lib', 'scope:ledger'] },
  { name: 'items-helper', root: 'libs/items/helper', type: 'lib', tags: ['type:lib', 'scope:items'], uses: ['shared-money'] },
  // A platform library only the ledger uses today is still the platform's.
  { name: 'service-runtime', root: 'libs/service/runtime', type: 'lib', tags: ['type:lib', 'scope:platform'] },
  { name: 'ledger-prod-eu-west-1', root: 'cdktf.out/stacks/ledger-prod-eu-west-1', type: 'app', tags: ['type:stack'], uses: ['ledger-api'] },
];
PROJECTS.find((p) => p.name === 'items-api')!.uses!.push('items-helper');

const config = withService(platformFixture(), 'ledger', { app: 'ledger-api', owners: ['@acme/ledger'] });
const configText = `${JSON.stringify(config, null, 2)}\n`;

function workspace(): Tree {
  const tree = createTreeWithEmptyWorkspace();
  tree.write('config/platform.json', configText);
  tree.write(CODEOWNERS_PATH, renderCodeowners(parsePlatformJson(configText, 'config/platform.json')));
  for (const p of PROJECTS.filter((n) => !n.tags.includes('type:stack'))) tree.write(`${p.root}/project.json`, '{}');
  tree.write('tsconfig.base.json', `${JSON.stringify({ compilerOptions: { paths: { '@ledger/data-access': ['./libs/ledger/data-access/src/index.ts'], '@ledger/money': ['./libs/ledger/money/src/index.ts'], '@platform/service-runtime': ['./libs/service/runtime/src/index.ts'] } } }, null, 2)}\n`);
  tree.write('docs/ledger.md', '# Ledger\n');
  tree.write('docs/services.md', 'See [the ledger](ledger.md#api) and [items](items-api.md).\nThe ledger app is apps/ledger-api.\n');
  tree.write('README.md', '| `apps/ledger-api` | [ledger](docs/ledger.md) |\n');
  return tree;
}

async function remove(tree: Tree, name = 'ledger'): Promise<string[]> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  try {
    (await removeServiceGenerator(tree, { name }, { projectGraph: async () => graphOf(PROJECTS) }))();
  } finally {
    log.mockRestore();
  }
  return lines;
}

describe('ownLibraries', () => {
  it('gives a service the libraries only its app (or another of them) uses, never a shared or platform one', () => {
    expect(ownLibraries(graphOf(PROJECTS), 'ledger-api')).toEqual({
      own: ['ledger-data-access', 'ledger-money'],
      shared: [{ name: 'shared-money', usedBy: ['items-helper'] }],
    });
  });
});

describe('remove-service generator', () => {
  it('removes the config entry and nothing else of the file', async () => {
    const tree = workspace();
    await remove(tree);

    expect(tree.read('config/platform.json', 'utf-8')).toBe(`${JSON.stringify(platformFixture(), null, 2)}\n`);
  });

  it('deletes the app and the libraries only it uses, with their path aliases; keeps shared ones', async () => {
    const tree = workspace();
    await remove(tree);
    const paths = JSON.parse(tree.read('tsconfig.base.json', 'utf-8')!).compilerOptions.paths;

    expect(['apps/ledger-api', 'libs/ledger/data-access', 'libs/ledger/money'].filter((p) => tree.exists(p))).toEqual([]);
    expect(['libs/shared-money/lib/project.json', 'libs/service/runtime/project.json', 'apps/items-api/project.json'].every((p) => tree.exists(p))).toBe(true);
    expect(Object.keys(paths)).toEqual(['@platform/service-runtime']);
  });

  it('rewrites CODEOWNERS without the service', async () => {
    const tree = workspace();
    await remove(tree);

    expect(tree.read(CODEOWNERS_PATH, 'utf-8')).not.toContain('ledger');
    expect(tree.read(CODEOWNERS_PATH, 'utf-8')).toBe(renderCodeowners(parsePlatformJson(tree.read('config/platform.json', 'utf-8')!, 'x')));
  });

  it('deletes the service’s docs page, unlinks references to it and lists the other mentions', async () => {
    const tree = workspace();
    const lines = await remove(tree);

    expect(tree.exists('docs/ledger.md')).toBe(false);
    expect(tree.read('docs/services.md', 'utf-8')).toBe('See the ledger and [items](items-api.md).\nThe ledger app is apps/ledger-api.\n');
    expect(tree.read('README.md', 'utf-8')).toBe('| `apps/ledger-api` | ledger |\n');
    expect(lines.find((l) => l.startsWith('still mentioned'))).toBe('still mentioned (edit by hand): README.md:1, docs/services.md:2');
  });

  it('prints its stacks per environment in destroy order, regional before global, and the label that lets the deploy destroy them', async () => {
    const lines = await remove(workspace());
    const dev = lines.find((l) => l.trim().startsWith('dev:'))!;

    expect(dev.trim()).toBe('dev: 1. ledger-dev-eu-west-1 (regional), 2. ledger-dev-us-east-1 (regional), 3. ledger-dev-global (global)');
    expect(lines.filter((l) => /^\s+(dev|staging|prod):/.test(l))).toHaveLength(3);
    expect(lines.join('\n')).toContain('after the pull request that removes them is merged with the label destroy-orphans:prod');
    expect(lines.join('\n')).not.toMatch(/nothing destroys/i);
  });

  it('refuses a service the config does not have, with one line, writing nothing', async () => {
    const tree = workspace();
    const before = tree.listChanges().length;
    const message = await removeServiceGenerator(tree, { name: 'nope' }, { projectGraph: async () => graphOf(PROJECTS) }).then(
      () => 'no error',
      (err: Error) => err.message,
    );

    expect(message).toBe('remove-service: no service "nope" in config/platform.json; the services are: items, orders, ledger');
    expect(tree.listChanges().length).toBe(before);
  });
});
