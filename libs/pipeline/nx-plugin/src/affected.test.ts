// `nx show projects --affected` on a temporary git repository built from this
// workspace's plugin and project files: which stacks does a change affect?
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { affectedStacks } from './affected-stacks';
import { type TempWorkspace, createTempWorkspace, projectList } from './testing/temp-workspace';

jest.setTimeout(120_000);

let ws: TempWorkspace;
beforeAll(() => {
  ws = createTempWorkspace();
});
afterAll(() => ws?.remove());
afterEach(() => {
  ws.git('checkout', '-q', '--', '.');
});

const affected = () => {
  const result = ws.nx(['show', 'projects', '--affected', '--base=HEAD', '--json']);
  if (result.code !== 0) throw new Error(result.stderr);
  return projectList(result.stdout);
};
const stacksOf = (service: string, layer?: 'regional' | 'global') =>
  ws.stacks.filter((s) => s.startsWith(`${service}-`) && (!layer || (layer === 'global') === s.endsWith('-global')));
const edit = (file: string, text: string) => ws.write(file, readFileSync(join(ws.root, file), 'utf8') + text);

it('affects only the regional stacks of its service when one app file changes', () => {
  edit('apps/items-api/src/main.ts', '// changed\n');

  expect(affected()).toEqual(['items-api', ...stacksOf('items', 'regional')].sort());
});

it('affects every stack when a construct changes', () => {
  edit('libs/synthesis/constructs/src/global-table.ts', '// changed\n');

  expect(affected()).toEqual(['platform-constructs', 'platform-stacks', ...ws.stacks].sort());
});

it('affects every stack, through the stacks program, when the table definition they share changes', () => {
  edit('libs/synthesis/table-definition/src/index.ts', '// changed\n');

  expect(affected()).toEqual(['platform-constructs', 'platform-stacks', 'platform-table-definition', ...ws.stacks].sort());
});

describe('a change to one service in the config', () => {
  beforeEach(() => {
    const config = JSON.parse(readFileSync(join(ws.root, 'config/platform.json'), 'utf8'));
    config.services.orders.lambda = { memorySizeMb: 1024 };
    ws.write('config/platform.json', JSON.stringify(config, null, 2));
  });

  it('affects every stack for nx itself (the config is one file every stack is built from)', () => {
    expect(affected()).toEqual(['platform-stacks', ...ws.stacks].sort());
  });

  it('affects only that service’s stacks once narrowed by the config diff the pipelines use', () => {
    const result = affectedStacks({ workspaceRoot: ws.root, base: 'HEAD' });

    expect(result.stacks.sort()).toEqual(stacksOf('orders').sort());
    expect(result.byEnvironment.staging).toEqual([]);
  });
});

describe('a service removed from the config', () => {
  beforeEach(() => {
    const config = JSON.parse(readFileSync(join(ws.root, 'config/platform.json'), 'utf8'));
    delete config.services.orders;
    ws.write('config/platform.json', JSON.stringify(config, null, 2));
  });

  it('reports its stacks as removed, per environment, for the orphan notice', () => {
    const result = affectedStacks({ workspaceRoot: ws.root, base: 'HEAD' });

    expect(result.removed.sort()).toEqual(stacksOf('orders').sort());
    expect(Object.keys(result.removedByEnvironment).sort()).toEqual(['dev', 'prod']);
    expect(result.removedByEnvironment.dev!.sort()).toEqual(stacksOf('orders').filter((s) => s.includes('-dev-')).sort());
  });
});
