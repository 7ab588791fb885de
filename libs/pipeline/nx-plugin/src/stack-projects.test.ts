import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type PlatformConfigInput, parsePlatform } from '@platform/config';
import { createNodesV2, missingAppErrors } from './index';
import { DEFAULT_OPTIONS, platformProjects } from './stack-projects';
import { platformFixture as example } from '@platform/config/testing';

const EXAMPLE = 'config/platform.json';
const projectsOf = (raw: PlatformConfigInput = example()) => platformProjects(parsePlatform(raw), EXAMPLE, DEFAULT_OPTIONS);
const byName = (projects: ReturnType<typeof projectsOf>) => new Map(Object.entries(projects).map(([root, p]) => [p.name, { ...p, root }]));

describe('stack projects', () => {
  it('infers one project per stack of the config, named like the stack and rooted at its synth output', () => {
    const projects = byName(projectsOf());
    const stacks = parsePlatform(example()).stacks;

    for (const stack of stacks) expect(projects.get(stack.name)?.root).toBe(`cdktf.out/stacks/${stack.name}`);
    expect(projects.size).toBe(stacks.length + 1);
  });

  it('tags each stack with service, env, layer and region (region:global for global stacks)', () => {
    const projects = byName(projectsOf());

    expect(projects.get('items-prod-eu-west-1')?.tags).toEqual(
      expect.arrayContaining(['service:items', 'env:prod', 'layer:regional', 'region:eu-west-1']),
    );
    expect(projects.get('orders-dev-global')?.tags).toEqual(
      expect.arrayContaining(['service:orders', 'env:dev', 'layer:global', 'region:global']),
    );
  });

  it('makes a regional stack depend on its global stack, its app and the stacks program', () => {
    const projects = byName(projectsOf());

    expect(projects.get('orders-prod-us-east-1')?.implicitDependencies).toEqual(['platform-stacks', 'orders-prod-global', 'orders-api']);
    expect(projects.get('orders-prod-global')?.implicitDependencies).toEqual(['platform-stacks']);
  });

  it('runs the synth of all stacks once, in the stacks program project, after the app bundles are built', () => {
    const projects = byName(projectsOf());
    const synth = projects.get('platform-stacks')!.targets!.synth;

    expect(projects.get('platform-stacks')?.root).toBe('stacks');
    expect(synth.cache).toBe(true);
    expect(synth.outputs).toEqual(['{workspaceRoot}/cdktf.out']);
    expect(synth.dependsOn).toEqual([{ target: 'build', projects: ['items-api', 'orders-api'] }]);
    expect(synth.inputs).toContain('{workspaceRoot}/config/platform.json');
    expect(projects.get('items-dev-global')!.targets!.synth.dependsOn).toEqual([{ target: 'synth', projects: ['platform-stacks'] }]);
  });

  it('never caches plan, deploy, destroy or drift', () => {
    const targets = byName(projectsOf()).get('items-dev-eu-west-1')!.targets!;

    for (const name of ['plan', 'deploy', 'destroy', 'drift']) expect(targets[name].cache).toBe(false);
  });

  it('plans and deploys in dependency order, deploying exactly after planning', () => {
    const targets = byName(projectsOf()).get('items-dev-eu-west-1')!.targets!;

    expect(targets.plan.dependsOn).toEqual(['synth', '^plan']);
    expect(targets.deploy.dependsOn).toEqual(['plan', '^deploy']);
    expect(targets.deploy.command).toContain('deploy --stack items-dev-eu-west-1');
    expect(targets.deploy.command).toContain('--after dist/terraform/items-dev-global');
  });

  it('destroys a global stack only after every regional stack reading it', () => {
    const projects = byName(projectsOf());

    expect(projects.get('items-staging-global')!.targets!.destroy.dependsOn).toEqual([
      'synth',
      { target: 'destroy', projects: ['items-staging-eu-west-1', 'items-staging-us-east-1', 'items-staging-ap-southeast-1'] },
    ]);
    expect(projects.get('items-staging-eu-west-1')!.targets!.destroy.dependsOn).toEqual(['synth']);
  });

  it('adds the projects of a new environment when the config gains one', () => {
    const raw = example();
    raw.environments.qa = { accountId: '444444444444', domain: 'qa.example.com', regions: ['eu-central-1'] };

    const projects = byName(projectsOf(raw));

    expect(projects.has('items-qa-global')).toBe(true);
    expect(projects.get('items-qa-eu-central-1')?.tags).toContain('env:qa');
  });

  it('gives stack targets no file inputs (a stack project owns no files)', () => {
    const targets = byName(projectsOf()).get('items-dev-global')!.targets!;

    for (const target of Object.values(targets)) expect(target.inputs).toEqual([]);
  });
});

describe('createNodesV2', () => {
  const workspace = (config: unknown, stacksProjectJson?: unknown) => {
    const root = mkdtempSync(join(tmpdir(), 'nx-plugin-'));
    mkdirSync(join(root, 'config'));
    writeFileSync(join(root, EXAMPLE), JSON.stringify(config));
    for (const service of parsePlatform(config).services) {
      mkdirSync(join(root, 'apps', service.app), { recursive: true });
      writeFileSync(join(root, 'apps', service.app, 'project.json'), '{}');
    }
    if (stacksProjectJson) {
      mkdirSync(join(root, 'stacks'));
      writeFileSync(join(root, 'stacks', 'project.json'), JSON.stringify(stacksProjectJson));
    }
    return root;
  };
  const run = (root: string) => createNodesV2[1]([EXAMPLE], {}, { workspaceRoot: root, nxJsonConfiguration: {} });

  it('matches the platform config and returns its projects', async () => {
    const result = await run(workspace(example()));

    expect(createNodesV2[0]).toBe(EXAMPLE);
    expect(Object.keys(result[0][1].projects!)).toContain('cdktf.out/stacks/items-dev-global');
  });

  it('uses the name of a hand-written stacks/project.json for the synth dependency', async () => {
    const result = await run(workspace(example(), { name: 'stacks' }));

    const project = result[0][1].projects!['cdktf.out/stacks/items-dev-global'];
    expect(project.implicitDependencies).toContain('stacks');
  });

  it('fails with the config error, naming every problem', async () => {
    const raw = example();
    const root = workspace(raw);
    raw.environments.dev.accountId = '123';
    writeFileSync(join(root, EXAMPLE), JSON.stringify(raw));

    await expect(Promise.resolve().then(() => run(root))).rejects.toThrow(ConfigError);
  });

  // Nx prints the message of what createNodes throws under its own heading, so a
  // one-problem config error must be that one line: file, config path, what to fix.
  it('fails with a one-problem config error as exactly one line', async () => {
    const raw = example();
    const root = workspace(raw);
    raw.environments.dev.accountId = '42';
    writeFileSync(join(root, EXAMPLE), JSON.stringify(raw));

    const message = await Promise.resolve().then(() => run(root)).then(() => '', (err: Error) => err.message);
    expect(message.split('\n')).toEqual([expect.stringMatching(/config\/platform\.json: environments\.dev\.accountId: AWS account id must be exactly 12 digits \(got "42"\)$/)]);
  });

  it('still returns the projects when a service of the config has no app', async () => {
    const root = workspace(example());
    rmSync(join(root, 'apps', 'orders-api'), { recursive: true });

    const result = await run(root);
    expect(result[0][1].projects!['cdktf.out/stacks/orders-dev-eu-west-1'].targets!.plan.command).toContain('npx nx g @platform/nx-plugin:service --name=orders');
  });
});

describe('a service whose app does not exist', () => {
  const platform = parsePlatform(example(), EXAMPLE);
  const missing = missingAppErrors(platform, EXAMPLE, (app) => app !== 'orders-api');

  it('is one line naming the app and the generator command that creates it', () => {
    expect(missing.get('orders-api')).toBe(
      'config/platform.json: services.orders deploys app "orders-api" but apps/orders-api/project.json does not exist; create it with npx nx g @platform/nx-plugin:service --name=orders (or remove the service from the config)',
    );
    expect(missingAppErrors(platform, EXAMPLE, () => true).size).toBe(0);
  });

  it('keeps the graph whole: its stacks do not depend on the missing project, and their targets fail with that line', () => {
    const projects = byName(platformProjects(platform, EXAMPLE, DEFAULT_OPTIONS, missing));
    const regional = projects.get('orders-dev-eu-west-1')!;
    expect(regional.implicitDependencies).not.toContain('orders-api');
    expect(regional.targets!.synth.command).toContain('apps/orders-api/project.json does not exist');
    expect(projects.get('items-dev-eu-west-1')!.implicitDependencies).toContain('items-api');
  });
});
