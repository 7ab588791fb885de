import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { platformFixture } from '@platform/config/testing';
import { buildReport } from '@platform/report';
import { synthPlatform } from './main';
import { fakeWorkspace } from './test-workspace';

const ROOT = path.join(__dirname, '..');

// dev's regions are not in alphabetical order, so layer order and name order differ.
function config(services = platformFixture().services) {
  return platformFixture({
    environments: {
      dev: { accountId: '111111111111', domain: 'dev.example.com', regions: ['us-east-1', 'eu-west-1'] },
      prod: { accountId: '333333333333', domain: 'example.com', regions: ['eu-west-1', 'us-east-1', 'ap-southeast-1'] },
    },
    services,
  });
}

function writeConfig(workspace: string, value: unknown): string {
  const file = path.join(workspace, `platform-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe('synth into a folder that holds an earlier synth', () => {
  const workspace = fakeWorkspace(['items-api', 'orders-api']);
  const outdir = path.join(workspace, 'cdktf.out');
  const stackDirs = () => readdirSync(path.join(outdir, 'stacks')).sort();
  let removed: readonly string[];

  beforeAll(() => {
    synthPlatform({ configPath: writeConfig(workspace, config()), outdir, workspaceRoot: workspace });
    // Something of the user's in the output folder, beside the stacks.
    mkdirSync(path.join(outdir, 'notes'));
    writeFileSync(path.join(outdir, 'notes', 'keep.txt'), 'mine');
    const { items } = config().services;
    ({ removed } = synthPlatform({ configPath: writeConfig(workspace, config({ items })), outdir, workspaceRoot: workspace }));
  });

  it('deletes the folders of the stacks the config no longer has, and says which', () => {
    expect(stackDirs().filter((d) => d.startsWith('orders-'))).toEqual([]);
    expect(removed).toEqual(['orders-dev-eu-west-1', 'orders-dev-global', 'orders-dev-us-east-1', 'orders-prod-ap-southeast-1', 'orders-prod-eu-west-1', 'orders-prod-global', 'orders-prod-us-east-1']);
  });

  it('keeps every stack of the config', () => {
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(stackDirs()).toEqual(Object.keys(manifest.stacks).sort());
    expect(stackDirs()).toHaveLength(7);
  });

  it('leaves everything else in the folder alone', () => {
    expect(readFileSync(path.join(outdir, 'notes', 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('no longer shows the removed service in the report', () => {
    expect([...new Set(buildReport(outdir).map((r) => r.service))]).toEqual(['items']);
  });

  it('removes nothing when the config is unchanged', () => {
    const again = synthPlatform({ configPath: writeConfig(workspace, config({ items: config().services.items })), outdir, workspaceRoot: workspace });
    expect(again.removed).toEqual([]);
    expect(existsSync(path.join(outdir, 'stacks', 'items-dev-global', 'cdk.tf.json'))).toBe(true);
  });
});

describe('the order of the synthesized stacks', () => {
  const LAYER_ORDER = [
    'items-dev-global',
    'items-dev-us-east-1',
    'items-dev-eu-west-1',
    'items-prod-global',
    'items-prod-eu-west-1',
    'items-prod-us-east-1',
    'items-prod-ap-southeast-1',
    'orders-dev-global',
    'orders-dev-us-east-1',
    'orders-dev-eu-west-1',
    'orders-prod-global',
    'orders-prod-eu-west-1',
    'orders-prod-us-east-1',
    'orders-prod-ap-southeast-1',
  ];

  it('is per service and environment: the global stack, then its regions in the config order', () => {
    const workspace = fakeWorkspace(['items-api', 'orders-api']);
    const result = synthPlatform({ configPath: writeConfig(workspace, config()), outdir: path.join(workspace, 'out'), workspaceRoot: workspace });
    expect(result.stackNames).toEqual(LAYER_ORDER);
  });

  it('is the order of the table npm run synth prints, which ends with the next commands', () => {
    // The CLI deploys the workspace's own bundles (npm run build).
    const workspace = fakeWorkspace([]);
    const result = spawnSync(process.execPath, ['tools/synth.mjs', '--config', writeConfig(workspace, config()), '--outdir', path.join(workspace, 'out')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^stack +account +regions +layer +resources$/);
    expect(lines.slice(1, 1 + LAYER_ORDER.length).map((l) => l.split(/ +/)[0])).toEqual(LAYER_ORDER);
    expect(lines[1 + LAYER_ORDER.length]).toMatch(/^synthesized 14 stacks into .* in [\d.]+ s$/);
    expect(lines.slice(2 + LAYER_ORDER.length).join('\n')).toMatch(/^next:\n.*npm run report.*\n.*npx nx run items-dev-global:plan.*\n.*npm test/);
  });
});
