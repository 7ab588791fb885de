import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parsePlatformJson } from '@platform/config';
import { platformFixture } from '@platform/config/testing';
import { CODEOWNERS_PATH } from '../../codeowners';
import { insertServiceEntry } from './config-text';
import { serviceGenerator, type ServiceGeneratorOptions } from './generator';

function treeWith(config: unknown = platformFixture(), text?: string): Tree {
  const tree = createTreeWithEmptyWorkspace();
  tree.write('config/platform.json', text ?? `${JSON.stringify(config, null, 2)}\n`);
  for (const service of Object.keys((config as { services: object }).services)) {
    if (service !== 'catalog') tree.write(`apps/${service}-api/project.json`, '{}');
  }
  return tree;
}

async function refusal(tree: Tree, options: ServiceGeneratorOptions): Promise<string> {
  const before = tree.listChanges().length;
  const message = await serviceGenerator(tree, options).then(
    () => 'no error',
    (err: Error) => err.message,
  );
  expect(tree.listChanges().length).toBe(before);
  return message;
}

describe('service generator', () => {
  it('writes the app on the service runtime, with build, test, lint, typecheck and serve targets', async () => {
    const tree = treeWith();
    await serviceGenerator(tree, { name: 'catalog' });
    const project = JSON.parse(tree.read('apps/catalog-api/project.json', 'utf-8')!);
    expect(Object.keys(project.targets).sort()).toEqual(['build', 'lint', 'serve', 'test', 'typecheck']);
    expect(project.tags).toContain('service:catalog');
    expect(tree.read('apps/catalog-api/src/catalog-api.ts', 'utf-8')).toContain("from '@platform/service-runtime'");
    expect(tree.exists('apps/catalog-api/src/catalog-api.test.ts')).toBe(true);
  });

  it('adds the service to the config, which then plans its stacks', async () => {
    const tree = treeWith();
    await serviceGenerator(tree, { name: 'catalog', owners: '@acme/catalog, @bob' });
    const platform = parsePlatformJson(tree.read('config/platform.json', 'utf-8')!, 'config/platform.json');
    expect(platform.config.services.catalog).toMatchObject({ app: 'catalog-api', owners: ['@acme/catalog', '@bob'] });
    expect(platform.stacks.some((s) => s.name.startsWith('catalog-'))).toBe(true);
  });

  it('keeps the rest of the config byte for byte', async () => {
    const original = `${JSON.stringify(platformFixture(), null, 2)}\n`;
    const tree = treeWith(undefined, original);
    await serviceGenerator(tree, { name: 'catalog' });
    const after = tree.read('config/platform.json', 'utf-8')!;
    const end = original.lastIndexOf('}', original.lastIndexOf('}') - 1);
    expect(after.startsWith(original.slice(0, end - 3))).toBe(true);
  });

  it('writes CODEOWNERS with the new owners', async () => {
    const tree = treeWith();
    await serviceGenerator(tree, { name: 'catalog', owners: '@acme/catalog' });
    expect(tree.read(CODEOWNERS_PATH, 'utf-8')).toContain('/apps/catalog-api/ @acme/catalog\n');
  });

  it.each([
    ['an existing name', { name: 'items' }, 'already exists'],
    ['upper case', { name: 'Catalog' }, 'must be lower-case'],
    ['spaces', { name: 'my service' }, 'must be lower-case'],
    ['a name over 24 characters', { name: 'a'.repeat(25) }, 'at most 24'],
    ['an owner that is neither @org/team nor @user', { name: 'catalog', owners: 'acme/team' }, 'owner "acme/team" must be'],
    ['an unknown --data', { name: 'catalog', data: 'postgres' }, 'unknown --data "postgres"'],
    ['an unknown option', { name: 'catalog', colour: 'red' } as ServiceGeneratorOptions, 'unknown option --colour'],
  ])('refuses %s with one line and writes nothing', async (_what, options, expected) => {
    const message = await refusal(treeWith(), options);
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  it('refuses a name that makes an S3 bucket name too long in some region', async () => {
    const config = { ...platformFixture(), organization: 'averylongorgname' };
    const message = await refusal(treeWith(config), { name: 'abcdefghijklmnopqrstuvwx' });
    expect(message).toContain('would make the config invalid');
    expect(message).toContain('max 63');
  });

  it('creates only the app of a service that is in the config without one', async () => {
    const config = platformFixture();
    const tree = treeWith({ ...config, services: { ...config.services, catalog: {} } });
    const before = tree.read('config/platform.json', 'utf-8');
    await serviceGenerator(tree, { name: 'catalog' });
    expect(tree.exists('apps/catalog-api/src/main.ts')).toBe(true);
    expect(tree.read('config/platform.json', 'utf-8')).toBe(before);
  });

  it('refuses when apps/<name>-api already exists', async () => {
    const tree = treeWith();
    tree.write('apps/catalog-api/README.md', 'x');
    expect(await refusal(tree, { name: 'catalog' })).toContain('apps/catalog-api already exists');
  });
});

describe('insertServiceEntry', () => {
  it('follows the indentation of a file indented with 4 spaces', () => {
    const text = '{\n    "services": {\n        "a": {}\n    }\n}\n';
    expect(insertServiceEntry(text, 'b', { app: 'b-api' })).toBe('{\n    "services": {\n        "a": {},\n        "b": {\n            "app": "b-api"\n        }\n    }\n}\n');
  });

  it('fills an empty services object', () => {
    expect(insertServiceEntry('{\n  "services": {}\n}\n', 'b', {})).toBe('{\n  "services": {\n    "b": {}\n  }\n}\n');
  });

  it('ignores a "services" key nested deeper than the top level', () => {
    const text = '{\n  "x": { "services": { "no": 1 } },\n  "services": {\n    "a": {}\n  }\n}\n';
    expect(JSON.parse(insertServiceEntry(text, 'b', {}))).toEqual({ x: { services: { no: 1 } }, services: { a: {}, b: {} } });
  });
});
