import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parsePlatformJson } from '@platform/config';
import { platformFixture } from '@platform/config/testing';
import { CODEOWNERS_PATH } from '../../codeowners';
import { nxBin } from '../../affected-stacks';
import { insertServiceEntry, removeServiceEntry } from './config-text';
import { serviceGenerator, type ServiceGeneratorOptions } from './generator';

function treeWith(config: unknown = platformFixture(), text?: string): Tree {
  const tree = createTreeWithEmptyWorkspace();
  tree.write('tsconfig.base.json', `${JSON.stringify({ compilerOptions: { paths: { '@platform/config': ['./libs/synthesis/config/src/index.ts'] } } }, null, 2)}\n`);
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

const network = { vpc: { id: 'vpc-0123456789abcdef0' }, privateSubnets: { ids: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'] } };

/** The fixture with a network in every region of dev only (as the example platform has in dev and prod). */
function withDevNetwork() {
  const config = platformFixture();
  config.environments.dev!.network = { 'eu-west-1': network, 'us-east-1': network };
  return config;
}

const configOf = (tree: Tree) => parsePlatformJson(tree.read('config/platform.json', 'utf-8')!, 'config/platform.json');

describe('service generator --data=aurora', () => {
  it('writes the app with a migrate target and its data-access library on pg with the first migration, like orders', async () => {
    const tree = treeWith(withDevNetwork());
    await serviceGenerator(tree, { name: 'ledger', data: 'aurora', cache: true });
    const project = JSON.parse(tree.read('apps/ledger-api/project.json', 'utf-8')!);
    const lib = JSON.parse(tree.read('libs/ledger/data-access/project.json', 'utf-8')!);
    const migrations = tree.children('libs/ledger/data-access/migrations');

    expect(project.targets.migrate).toEqual({ command: 'node tools/run-ts.mjs apps/ledger-api/migrate/migrate.ts', cache: false });
    expect([lib.name, lib.tags]).toEqual(['ledger-data-access', ['type:lib', 'scope:ledger', 'lifecycle:runtime']]);
    expect(migrations).toEqual([expect.stringMatching(/^\d{13}_ledger\.sql$/)]);
    expect(tree.read(`libs/ledger/data-access/migrations/${migrations[0]}`, 'utf-8')).toContain('CREATE TABLE ledger_records (');
    expect(tree.read('libs/ledger/data-access/src/ledger-repository.ts', 'utf-8')).toContain("from '@platform/service-runtime/relational'");
    expect(tree.read('apps/ledger-api/src/main.ts', 'utf-8')).toContain("from '@platform/service-runtime/cache'");
    expect(tree.read('apps/ledger-api/src/ledger-api.test.ts', 'utf-8')).toContain("from '@platform/local-data-layer'");
    expect(JSON.parse(tree.read('tsconfig.base.json', 'utf-8')!).compilerOptions.paths['@ledger/data-access']).toEqual(['./libs/ledger/data-access/src/index.ts']);
  });

  it('writes the config entry that builds exactly what the app uses: Aurora, the cache, no table, only where a network is', async () => {
    const tree = treeWith(withDevNetwork());
    await serviceGenerator(tree, { name: 'ledger', data: 'aurora', cache: true });
    const ledger = configOf(tree).services.find((s) => s.name === 'ledger')!;

    expect(ledger).toMatchObject({ app: 'ledger-api', environments: ['dev'], table: { enabled: false }, aurora: { engine: 'aurora-postgresql' }, cache: { engine: 'valkey' } });
    expect(configOf(tree).stacks.filter((s) => s.service === 'ledger').map((s) => s.environment)).toEqual(['dev', 'dev', 'dev']);
  });

  it('leaves the cache out without --cache', async () => {
    const tree = treeWith(withDevNetwork());
    await serviceGenerator(tree, { name: 'ledger', data: 'aurora' });

    expect(configOf(tree).services.find((s) => s.name === 'ledger')!.cache).toBeUndefined();
    expect(tree.read('apps/ledger-api/src/main.ts', 'utf-8')).not.toContain('cache');
  });

  it('refuses when no environment has a network, saying why and what to add', async () => {
    const message = await refusal(treeWith(), { name: 'ledger', data: 'aurora' });

    expect(message).toContain("runs the database and the Lambda in a VPC's private subnets, which the platform looks up and never creates");
    expect(message).toContain('dev: eu-west-1, us-east-1');
    expect(message).toContain('add environments.<env>.network.<region> = { "vpc": {...}, "privateSubnets": {...} }');
    expect(message).not.toContain('\n');
  });

  it('refuses --cache without --data=aurora', async () => {
    expect(await refusal(treeWith(), { name: 'ledger', cache: true })).toContain('--cache is the cache beside an Aurora database');
  });

  it('refuses to make an Aurora app for a service the config has on DynamoDB', async () => {
    const config = withDevNetwork();
    const tree = treeWith({ ...config, services: { ...config.services, catalog: {} } });

    expect(await refusal(tree, { name: 'catalog', data: 'aurora' })).toContain('services.catalog in config/platform.json is a service on DynamoDB; run the generator with the options that make one (--data=dynamodb)');
  });
});

describe('service generator --data=none', () => {
  it('writes an app that reaches no table, and a config entry without one', async () => {
    const tree = treeWith();
    await serviceGenerator(tree, { name: 'echo', data: 'none' });

    expect(configOf(tree).services.find((s) => s.name === 'echo')).toMatchObject({ table: { enabled: false } });
    expect(configOf(tree).services.find((s) => s.name === 'echo')!.aurora).toBeUndefined();
    expect(tree.read('apps/echo-api/src/main.ts', 'utf-8')).toContain('readApiEnvironment');
    expect(tree.read('apps/echo-api/src/echo-api.ts', 'utf-8')).not.toMatch(/DynamoDB|Repository|tableName/);
  });
});

describe('nx g @platform/nx-plugin:service --help', () => {
  it('prints what the generator does and its options, never "undefined"', () => {
    const root = join(__dirname, '..', '..', '..', '..', '..', '..');
    const out = execFileSync(process.execPath, [nxBin(root), 'g', '@platform/nx-plugin:service', '--help'], { cwd: root, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } });

    expect(out).not.toContain('undefined');
    expect(out).toContain('A new service: its app in apps/<name>-api');
    for (const option of ['--name', '--data', '--cache', '--owners']) expect(out).toContain(option);
    expect(out).toContain('"aurora"');
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

describe('removeServiceEntry', () => {
  const text = '{\n  "services": {\n    "a": { "x": [1, "}"] },\n    "b": {\n      "app": "b-api"\n    },\n    "c": {}\n  },\n  "z": 1\n}\n';

  it.each([
    ['the first', 'a', '{\n  "services": {\n    "b": {\n      "app": "b-api"\n    },\n    "c": {}\n  },\n  "z": 1\n}\n'],
    ['a middle', 'b', '{\n  "services": {\n    "a": { "x": [1, "}"] },\n    "c": {}\n  },\n  "z": 1\n}\n'],
    ['the last', 'c', '{\n  "services": {\n    "a": { "x": [1, "}"] },\n    "b": {\n      "app": "b-api"\n    }\n  },\n  "z": 1\n}\n'],
  ])('removes %s member with its lines and comma, and nothing else', (_which, name, expected) => {
    expect(removeServiceEntry(text, name)).toBe(expected);
  });

  it('leaves an empty services object when the only member goes, and handles one-line JSON', () => {
    expect(removeServiceEntry('{\n  "services": {\n    "a": {}\n  }\n}\n', 'a')).toBe('{\n  "services": {}\n}\n');
    expect(JSON.parse(removeServiceEntry('{"services":{"a":{},"b":{"c":"}"}}}', 'a'))).toEqual({ services: { b: { c: '}' } } });
  });

  it('is the inverse of insertServiceEntry', () => {
    const original = `${JSON.stringify(platformFixture(), null, 2)}\n`;
    expect(removeServiceEntry(insertServiceEntry(original, 'ledger', { app: 'ledger-api', table: { enabled: false } }), 'ledger')).toBe(original);
  });
});
