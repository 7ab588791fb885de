import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { platformFixture } from '@platform/config/testing';
import { synthPlatform } from './main';
import { fakeWorkspace } from './test-workspace';

const ROOT = path.join(__dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'synth-cli-'));
// The test fixture (items and orders), so a service added to config/platform.json needs no bundle here.
const FIXTURE_CONFIG = path.join(dir, 'platform.json');
writeFileSync(FIXTURE_CONFIG, JSON.stringify(platformFixture()));

function synth(config: unknown) {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return spawnSync(process.execPath, ['tools/synth.mjs', '--config', file, '--outdir', path.join(dir, 'out')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
}

describe('npm run synth with bad config', () => {
  it('exits non-zero with one line per problem and no stack trace', () => {
    const result = synth({
      organization: 'acme',
      stateBackend: { accountId: '000000000000', region: 'eu-west-1', bucket: 'acme-state' },
      environments: { prod: { accountId: '42', domain: 'example.com', regions: ['eu-west-1', 'mars-1'] } },
      services: { items: { routing: { policy: 'weighted', weights: { 'eu-west-1': 999 } } } },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('invalid platform config (3 problems):');
    expect(result.stderr).toContain('environments.prod.accountId: AWS account id must be exactly 12 digits (got "42")');
    expect(result.stderr).toContain('environments.prod.regions[1]: unknown AWS region "mars-1"');
    expect(result.stderr).toContain('services.items.routing.weights.eu-west-1: weight must be from 0 to 255 (got 999)');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('');
  });

  it('exits non-zero on a config that is not JSON', () => {
    const result = synth('{ "organization": ');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/not valid JSON/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('synth without a built app', () => {
  it('names the missing bundle and `npm run build -- <app>` when the app has an entry module to build', () => {
    const workspace = fakeWorkspace([]);
    mkdirSync(path.join(workspace, 'apps/items-api/src'), { recursive: true });
    writeFileSync(path.join(workspace, 'apps/items-api/src/main.ts'), 'export const handler = 1;');
    expect(() =>
      synthPlatform({ configPath: FIXTURE_CONFIG, outdir: path.join(workspace, 'out'), workspaceRoot: workspace }),
    ).toThrow(/^the Lambda bundle of app "items-api" is missing \(dist\/apps\/items-api\/lambda\.zip\); build it with: npm run build -- items-api$/);
  });

  it('does not suggest a build that cannot work when the app has no entry module', () => {
    const workspace = fakeWorkspace([]);
    expect(() => synthPlatform({ configPath: FIXTURE_CONFIG, outdir: path.join(workspace, 'out'), workspaceRoot: workspace })).toThrow(
      'the Lambda bundle of app "items-api" is missing (dist/apps/items-api/lambda.zip) and cannot be built: there is no apps/items-api/src/main.ts; set the service\'s "app" to an app in apps/, or create the app with: npx nx g @platform/nx-plugin:service',
    );
  });

  it('leaves no empty output folder behind', () => {
    const workspace = fakeWorkspace([]);
    const outdir = path.join(workspace, 'cdktf.out');
    expect(() => synthPlatform({ configPath: FIXTURE_CONFIG, outdir, workspaceRoot: workspace })).toThrow(/Lambda bundle/);
    expect(existsSync(outdir)).toBe(false);
  });
});

describe('cdktf synth (the CLI runs cdktf.json\'s app)', () => {
  it('writes the standard output into the directory the CLI names in CDKTF_OUTDIR', () => {
    const cdktfJson = JSON.parse(readFileSync(path.join(ROOT, 'cdktf.json'), 'utf8'));
    const [command, ...args] = cdktfJson.app.split(' ');
    expect(command).toBe('node');
    const outdir = path.join(dir, 'cli-out');
    const result = spawnSync(process.execPath, args, {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDKTF_OUTDIR: outdir, PLATFORM_CONFIG: FIXTURE_CONFIG },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks)).toContain('items-prod-global');
    expect(existsSync(path.join(outdir, 'stacks', 'items-prod-eu-west-1', 'cdk.tf.json'))).toBe(true);
  });
});
